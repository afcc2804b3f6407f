"""The smaller hostile cases of issue 15.4: each with its own test."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from gmo_sync.rendering.errors import not_a_docx
from tests import xlsx
from tests.conftest import Invoke
from tests.fakegoogle import clients
from tests.google_env import GoogleInvoke
from tests.test_google_sheet import init_workspace


def test_auth_status_json_is_json(gmo_google: GoogleInvoke) -> None:
    result = gmo_google("auth", "status", "--json")
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    assert found["command"] == "auth status" and found["ok"] is True and found["exit_code"] == 0
    assert found["lines"][1] == "Права: spreadsheets, drive.file, calendar.events"


def _key(google_home: Path, fake, monkeypatch: pytest.MonkeyPatch, mode: int) -> Path:  # type: ignore[no-untyped-def]
    key = google_home / "sa.json"
    key.write_text(json.dumps(clients.service_account_info(fake.base_url)), encoding="utf-8")
    key.chmod(mode)
    monkeypatch.setenv("GMO_SYNC_GOOGLE_CREDENTIALS", str(key))
    return key


def test_a_key_readable_by_others_gets_a_warning(
    gmo_google: GoogleInvoke, google_home: Path, fake, coordinator, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    init_workspace(gmo_google, coordinator)  # as the user; then the key takes over
    key = _key(google_home, fake, monkeypatch, 0o644)
    warning = f"Внимание: ключ сервисного аккаунта {key} доступен не только владельцу (права 644)"
    status = gmo_google("auth", "status")
    assert warning in status.output and f"chmod 600 «{key}»" in status.output
    sync = gmo_google("sync", "-q")
    assert sync.stderr.count(warning) == 1 and warning not in sync.stdout  # stderr, once, even with -q


def test_a_private_key_gets_no_warning(
    gmo_google: GoogleInvoke, google_home: Path, fake, coordinator, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    init_workspace(gmo_google, coordinator)
    _key(google_home, fake, monkeypatch, 0o600)
    assert "Внимание: ключ" not in gmo_google("auth", "status").output
    sync = gmo_google("sync")
    assert sync.exit_code in (0, 1) and "Внимание: ключ" not in sync.output


def test_a_workbook_renamed_to_docx_as_the_template_is_described(gmo: Invoke, workspace: Path) -> None:
    shutil.copy(workspace / "ГМО.xlsx", workspace / "templates" / "default.docx")
    result = gmo("protocols")
    assert result.exit_code == 2
    assert result.output == (
        "Ошибка: Ошибка в шаблоне «default.docx»: это таблица Excel (.xlsx), у которой только имя "
        "оканчивается на .docx. Нужен документ Word (.docx)\n"
    )


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "файл пустой"),
        (b"%PDF-1.7\n...", "это PDF"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "Word 97–2003 (.doc)"),
        (b"{\\rtf1\\ansi hello}", "это документ RTF"),
        (b"plain text", "не является документом Word (.docx)"),
    ],
)
def test_what_a_non_docx_template_is(content: bytes, expected: str) -> None:
    text = not_a_docx(content)
    assert expected in text and "<_io" not in text and "object at 0x" not in text


def test_the_fake_creates_its_workdir(tmp_path: Path) -> None:
    from tests.fakegoogle.server import FakeGoogle

    workdir = tmp_path / "does" / "not" / "exist"
    with FakeGoogle(workdir=str(workdir)) as fake:
        assert Path(fake.ca_path).exists() and Path(fake.ca_path).parent == workdir
    assert os.path.isdir(workdir)


# -- the tool's own tabs and columns are put back, not refused -----------------------------------------
def test_a_deleted_journal_and_protocol_column_are_recreated_locally(gmo: Invoke, workspace: Path) -> None:
    book_path = workspace / "ГМО.xlsx"
    book = openpyxl.load_workbook(book_path)
    del book["Журнал"]
    meetings = book["Заседания"]
    meetings.delete_cols(xlsx.column_of(meetings, "Протокол"))
    meetings.cell(2, meetings.max_column + 1).value = "заметка без заголовка"  # must not get the header
    note_column = meetings.max_column
    book.save(book_path)

    check = gmo("check")
    assert check.exit_code == 0, check.output
    assert "лист «Журнал» не найден — будет создан (его ведёт gmo-sync)" in check.output
    assert "Журнал" not in openpyxl.load_workbook(book_path).sheetnames  # check changes nothing

    result = gmo("run")
    assert result.exit_code == 0, result.output
    protocol_cell = f"Заседания!{get_column_letter(note_column + 1)}1"
    assert (
        f"{protocol_cell}: столбец «Протокол» не найден — добавлен (его заполняет gmo-sync)" in result.output
    )
    assert "лист «Журнал» не найден — создан заново (его ведёт gmo-sync)" in result.output
    after = openpyxl.load_workbook(book_path)
    assert after.sheetnames[-1] == "Журнал"
    assert [c.value for c in after["Журнал"][1]] == ["Время", "Команда", "Изменения", "Проблемы"]
    assert after["Журнал"].max_row == 2  # this run's row
    assert after["Заседания"].cell(2, note_column).value == "заметка без заголовка"
    assert after["Заседания"].cell(1, note_column + 1).value == "Протокол"
    assert after["Заседания"].cell(2, note_column + 1).value == "2021-10-13 Протокол № 2.docx"
    again = gmo("run")
    assert "не найден" not in again.output


def test_a_deleted_coordinator_column_is_still_a_structural_error(gmo: Invoke, workspace: Path) -> None:
    book_path = workspace / "ГМО.xlsx"
    book = openpyxl.load_workbook(book_path)
    book["Заседания"].delete_cols(xlsx.column_of(book["Заседания"], "Тема"))
    book.save(book_path)
    result = gmo("run")
    assert result.exit_code == 2 and "нет обязательного столбца «Тема»" in result.output


def test_a_deleted_journal_and_id_column_are_recreated_on_google(
    gmo_google: GoogleInvoke, coordinator, fake
) -> None:  # type: ignore[no-untyped-def]
    book = init_workspace(gmo_google, coordinator)
    book.del_worksheet(book.worksheet("Журнал"))
    meetings = book.worksheet("Заседания")
    row = ["", "", "13.10.2021", "14:00", "", "очно", "", "Тема", "", "", "", "", "", "проведено"]
    meetings.update([row], "A2", value_input_option="USER_ENTERED")
    meetings.delete_columns(1)  # «ID»
    result = gmo_google("sync")
    assert result.exit_code == 0, result.output
    assert "лист «Журнал» не найден — создан заново" in result.output
    assert "столбец «ID» не найден — добавлен" in result.output
    header = meetings.row_values(1)
    assert header[-1] == "ID" and header[0] == "№ протокола"
    assert meetings.cell(2, len(header)).value == "ГМО-2021-10-13"
    journal = book.worksheet("Журнал").get_all_values()
    assert journal[0] == ["Время", "Команда", "Изменения", "Проблемы"] and len(journal) == 2
    assert "не найден" not in gmo_google("sync").output
