"""Copies of protocols are never the protocol (issue 15.1), on both backends.

People copy a file before editing it. A copy — unedited, edited, renamed — carries the tool's marks
(the meeting ID inside the .docx; on Drive maybe the appProperties), yet it must never be deleted,
overwritten or linked, and it is reported once. The protocol is the file the tool made and recorded.

The other hostile cases of issue 15 live beside this file: ``test_hostile_templates.py`` (template
bombs), ``test_hostile_folders.py`` (broken folders and files), ``test_hostile_config.py`` and
``test_hostile_small.py``.
"""

from __future__ import annotations

import hashlib
import shutil
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import quote

import docx
import gspread
import pytest

from gmo_sync.backends.google import state_file
from gmo_sync.backends.local.protocols import mark, text_hash
from gmo_sync.core.config import load_config
from tests import xlsx
from tests.conftest import Invoke
from tests.fakegoogle.server import FakeGoogle
from tests.google_env import GoogleInvoke
from tests.hostile_support import journal_rows
from tests.test_google_protocols import IDS, protocol_docs
from tests.test_google_sheet import THREE, col, init_workspace, type_rows, values

BOOK = "ГМО.xlsx"
ORIGINAL = "2021-10-13 Протокол № 2.docx"
NOTICE = "Протоколы: копия протокола «{}» заседания ГМО-2021-10-13 (не трогаю)"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def text_of(path: Path) -> str:
    return "\n".join(p.text for p in docx.Document(str(path)).paragraphs)


def edit_text(path: Path, addition: str) -> None:
    document = docx.Document(str(path))  # python-docx keeps the core properties, as Word does
    document.add_paragraph(addition)
    document.save(str(path))


def protocol_link(workspace: Path) -> tuple[object, str | None]:
    cell = xlsx.cell(workspace / BOOK, "Заседания", 2, "Протокол")
    return cell.value, cell.hyperlink.target if cell.hyperlink is not None else None


# -- local -----------------------------------------------------------------------------------------------
def test_a_copy_and_an_edited_copy_survive_every_run_and_the_link_stays(gmo: Invoke, workspace: Path) -> None:
    assert gmo("run").exit_code == 0
    folder = workspace / "protocols"
    original = folder / ORIGINAL
    plain, edited, renamed = (folder / f"Копия {ORIGINAL}", folder / "2021-10-13 Протокол № 2 (2).docx",
                              folder / "мой вариант протокола.docx")  # fmt: skip
    for copy in (plain, edited, renamed):
        shutil.copy(original, copy)
    edit_text(edited, "Правка в копии.")
    kept = {p: digest(p) for p in (plain, edited, renamed)}
    link = protocol_link(workspace)

    first = gmo("run")
    assert first.exit_code == 0, first.output
    for copy in (plain, edited, renamed):
        assert NOTICE.format(copy.name) in first.output
    assert first.output.count("(не трогаю)") == 3
    logged = str(journal_rows(workspace / BOOK)[-1][3])
    assert all(NOTICE.format(c.name) in logged for c in (plain, edited, renamed))  # remembered in Журнал

    for _ in range(3):  # any number of runs: nothing touched, nothing told again
        again = gmo("run")
        assert again.exit_code == 0 and "не трогаю" not in again.output, again.output
        assert {p: digest(p) for p in kept} == kept
        assert protocol_link(workspace) == link == (ORIGINAL, "protocols/" + quote(ORIGINAL))

    xlsx.edit(workspace / BOOK, "Заседания", 2, "Тема", "Новая тема заседания")
    changed = gmo("run")
    assert f"обновлён протокол «{ORIGINAL.removesuffix('.docx')}»" in changed.output
    assert "Новая тема заседания" in text_of(original)
    assert {p: digest(p) for p in kept} == kept  # the copies keep their old text
    assert protocol_link(workspace) == link


def test_a_renamed_protocol_moves_alone_and_leaves_the_copies(gmo: Invoke, workspace: Path) -> None:
    gmo("run")
    folder = workspace / "protocols"
    copy = folder / f"Копия {ORIGINAL}"
    shutil.copy(folder / ORIGINAL, copy)
    kept = digest(copy)
    xlsx.edit(workspace / BOOK, "Заседания", 2, "№ протокола", 7)  # the protocol's name changes
    result = gmo("run")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in folder.iterdir()) == ["2021-10-13 Протокол № 7.docx", copy.name]
    assert digest(copy) == kept
    assert protocol_link(workspace)[0] == "2021-10-13 Протокол № 7.docx"


def test_a_rename_killed_between_its_two_steps_is_finished_by_the_next_run(
    gmo: Invoke, workspace: Path
) -> None:
    """The state a kill leaves: the new content already under the old name, the rename not yet done."""
    gmo("run")
    folder = workspace / "protocols"
    new_name = "2021-10-13 Протокол № 7.docx"
    xlsx.edit(workspace / BOOK, "Заседания", 2, "№ протокола", 7)
    old = folder / ORIGINAL
    content = old.read_bytes()
    marks_input = "0" * 32  # any hash: the run will see the content is not current and rewrite it
    old.write_bytes(mark(content, "ГМО-2021-10-13", marks_input, name=new_name, previous=ORIGINAL))
    result = gmo("run")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in folder.iterdir()) == [new_name]  # moved, and never two protocols
    assert "не трогаю" not in result.output  # a half-done rename is no copy
    assert protocol_link(workspace)[0] == new_name
    assert gmo("run").output.count("без изменений 1") == 1


def test_protocols_written_before_names_were_recorded_keep_their_owner(gmo: Invoke, workspace: Path) -> None:
    gmo("run")
    folder = workspace / "protocols"
    original = folder / ORIGINAL
    with zipfile.ZipFile(original) as archive:
        core = archive.read("docProps/core.xml").decode("utf-8")
    input_hash = core.split("<cp:version>", 1)[1].split(":", 1)[0]
    original.write_bytes(mark(original.read_bytes(), "ГМО-2021-10-13", input_hash))  # the old marks
    with zipfile.ZipFile(original) as archive:  # marks as an older gmo-sync wrote them: no file name
        version = archive.read("docProps/core.xml").decode("utf-8").split("<cp:version>")[1].split("<")[0]
    assert (
        version.split(":")[:2] == [input_hash, text_hash(original.read_bytes())]
        and len(version.split(":")) <= 3
    )
    copy = folder / f"Копия {ORIGINAL}"
    shutil.copy(original, copy)
    result = gmo("run")
    assert result.exit_code == 0, result.output
    assert NOTICE.format(copy.name) in result.output and "без изменений 1" in result.output
    assert protocol_link(workspace)[0] == ORIGINAL


def test_a_file_in_the_way_of_a_new_name_is_never_overwritten(gmo: Invoke, workspace: Path) -> None:
    gmo("run")
    folder = workspace / "protocols"
    squatter = folder / "2021-10-13 Протокол № 7.docx"
    shutil.copy(folder / ORIGINAL, squatter)  # a copy someone named like the protocol-to-be
    kept = digest(squatter)
    xlsx.edit(workspace / BOOK, "Заседания", 2, "№ протокола", 7)
    result = gmo("run")
    assert result.exit_code == 1
    assert (
        f"Файл {squatter} уже существует и не является протоколом заседания ГМО-2021-10-13" in result.output
    )
    assert digest(squatter) == kept and (folder / ORIGINAL).exists()


# -- google ----------------------------------------------------------------------------------------------
@pytest.fixture
def three(gmo_google: GoogleInvoke, coordinator: gspread.Client) -> gspread.Spreadsheet:
    """A Google workspace with three held meetings (as in test_google_protocols)."""
    book = init_workspace(gmo_google, coordinator)
    type_rows(book, "Заседания", THREE)
    return book


CLIENT = "fake-client.apps.googleusercontent.com"  # the OAuth client of the test token


def _copy(fake: FakeGoogle, doc: dict[str, Any], keep: bool, name: str = "", opened: bool = True) -> str:
    """«Сделать копию» in the browser. Under drive.file gmo-sync sees the copy only once someone opens
    it with gmo-sync (``opened``); otherwise it cannot even list it — the safest case of all."""
    copy_id = str(fake.act({"action": "copy_doc", "fileId": doc["id"], "keep_app_properties": keep,
                            **({"name": name} if name else {})}))  # fmt: skip
    if opened:
        fake.open_with(copy_id, CLIENT)
    return copy_id


def _untouched(fake: FakeGoogle, copies: dict[str, tuple[str, str]]) -> bool:
    return all(
        (fake.ws.files[i]["version"], fake.ws.files[i]["modifiedTime"]) == v for i, v in copies.items()
    )


@pytest.mark.parametrize("opened", [True, False], ids=["opened with gmo-sync", "unseen under drive.file"])
@pytest.mark.parametrize("keep", [True, False], ids=["copy keeps appProperties", "copy loses them"])
def test_a_copy_in_the_drive_folder_is_never_touched_or_linked(
    gmo_google: GoogleInvoke,
    fake: FakeGoogle,
    three: gspread.Spreadsheet,
    keep: bool,
    opened: bool,
) -> None:
    assert gmo_google("protocols").exit_code == 0
    (original,) = protocol_docs(fake)[IDS[0]]
    copy_ids = [
        _copy(fake, original, keep, opened=opened),
        _copy(fake, original, keep, name="Мой вариант — " + original["name"], opened=opened),
    ]
    fake.act({"action": "edit_doc", "documentId": copy_ids[1], "replace": {"Протокол": "ПРОТОКОЛ (правка)"}})
    before = {i: (fake.ws.files[i]["version"], fake.ws.files[i]["modifiedTime"]) for i in copy_ids}

    first = gmo_google("protocols")
    assert first.exit_code == 0, first.output
    for i in copy_ids:  # told once — when gmo-sync can see it at all
        notice = f"копия протокола «{fake.ws.files[i]['name']}» заседания {IDS[0]} (не трогаю)"
        assert (notice in first.output) == opened, first.output
    type_a_change(three)
    for _ in range(2):
        again = gmo_google("protocols")
        assert again.exit_code == 0 and "не трогаю" not in again.output, again.output
    assert _untouched(fake, before)
    assert all(fake.ws.files[i].get("trashed") is False for i in copy_ids)
    links = [row[col("Протокол") - 1] for row in values(three)[1:]]
    assert original["id"] in links[0] and not any(i in link for i in copy_ids for link in links)
    assert "Новая тема" in doc_text_of(fake, original["id"])  # the real protocol got the change


def type_a_change(book: gspread.Spreadsheet) -> None:
    book.worksheet("Заседания").update([["Новая тема"]], f"{gspread.utils.rowcol_to_a1(2, col('Тема'))}",
                                       value_input_option="RAW")  # fmt: skip


def doc_text_of(fake: FakeGoogle, doc_id: str) -> str:
    from tests.test_google_protocols import doc_text

    return doc_text(fake, doc_id)


def test_without_the_state_file_the_oldest_claimant_is_the_protocol(
    gmo_google: GoogleInvoke,
    fake: FakeGoogle,
    three: gspread.Spreadsheet,
) -> None:
    assert gmo_google("protocols").exit_code == 0
    (original,) = protocol_docs(fake)[IDS[0]]
    copy_id = _copy(fake, original, keep=True)
    before = {copy_id: (fake.ws.files[copy_id]["version"], fake.ws.files[copy_id]["modifiedTime"])}
    state_file(load_config(None)).unlink()  # a new machine: no record of which document was written
    type_a_change(three)
    result = gmo_google("protocols")
    assert result.exit_code in (0, 1), result.output
    assert _untouched(fake, before)
    assert original["id"] in values(three)[1][col("Протокол") - 1]


def test_a_deleted_protocol_is_made_anew_rather_than_its_copy_adopted(
    gmo_google: GoogleInvoke,
    fake: FakeGoogle,
    three: gspread.Spreadsheet,
) -> None:
    assert gmo_google("protocols").exit_code == 0
    (original,) = protocol_docs(fake)[IDS[0]]
    copy_id = _copy(fake, original, keep=True)
    before = {copy_id: (fake.ws.files[copy_id]["version"], fake.ws.files[copy_id]["modifiedTime"])}
    fake.ws.files[original["id"]]["trashed"] = True  # someone deleted the real protocol
    result = gmo_google("protocols")
    assert result.exit_code == 0, result.output
    assert f"создан протокол «{original['name']}»" in result.output
    assert _untouched(fake, before)
    docs = [d for d in protocol_docs(fake)[IDS[0]] if d["id"] != copy_id]
    assert len(docs) == 1 and docs[0]["id"] not in (original["id"], copy_id)
    assert docs[0]["id"] in values(three)[1][col("Протокол") - 1]
