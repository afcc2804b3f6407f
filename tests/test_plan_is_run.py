"""`--dry-run` lists exactly the actions the run then performs: every writing command, both backends.

A scripted sheet goes through the edits coordinators make (new meetings, a changed topic, a cleared
link, a moved date, a cancellation, nothing at all); at every stage the command runs once with
``--dry-run --json`` and then for real with ``--json``, and the two action lists must be the same
actions (kind, meeting, cell) in the same order: planned in the one, done in the other.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gspread
import pytest

from gmo_sync.backends.local.pdf import find_office
from tests import xlsx
from tests.conftest import Invoke
from tests.google_env import GoogleInvoke
from tests.test_cli import snapshot
from tests.test_google import MEETING, config_ids

COMMANDS = ("sync", "protocols", "calendar", "run")
NEW_MEETING = {"Дата": "18.11.2021", "Начало": "10:00", "Формат": "онлайн", "Тема": "Итоги месячника",
               "Статус": "проведено"}  # fmt: skip
PLANNED = ["", "", "16.12.2026", "14:00", "15:30", "онлайн", "", "Итоги месячника", "Попыхова Т.Ю.", "", "",
           "руководители РМО", "", "запланировано"]  # fmt: skip


class Book:
    """What a coordinator does to the sheet, on either backend."""

    def edit(self, row: int, header: str, value: object) -> None:
        raise NotImplementedError

    def append(self, values: dict[str, object]) -> None:
        raise NotImplementedError


class LocalBook(Book):
    def __init__(self, path: Path) -> None:
        self.path = path

    def edit(self, row: int, header: str, value: object) -> None:
        xlsx.edit(self.path, "Заседания", row, header, value)

    def append(self, values: dict[str, object]) -> None:
        xlsx.append(self.path, "Заседания", values)


class GoogleBook(Book):
    def __init__(self, book: gspread.Spreadsheet) -> None:
        self.sheet = book.worksheet("Заседания")

    def _column(self, header: str) -> int:
        return self.sheet.row_values(1).index(header) + 1

    def edit(self, row: int, header: str, value: object) -> None:
        self.sheet.update_cell(row, self._column(header), "" if value is None else value)

    def append(self, values: dict[str, object]) -> None:
        row = len(self.sheet.col_values(self._column("Тема"))) + 1
        for header, value in values.items():
            self.edit(row, header, value)


# The coordinators' edits between runs; the stage before the first edit is the fresh sheet.
EDITS: list[Callable[[Book], None]] = [
    lambda book: None,
    lambda book: (
        book.append(NEW_MEETING),  # gets an ID, a №, a protocol and an event
        book.edit(3, "Тема", "Итоги месячника и план на полугодие"),  # its event is updated
        book.edit(2, "Протокол", None),  # the link is written again
    ),
    lambda book: (
        book.edit(2, "Дата", "14.10.2021"),  # the protocol is re-rendered (and renamed, locally)
        book.edit(3, "Статус", "отменено"),  # its event is cancelled
    ),
    lambda book: None,  # nothing changed: nothing planned, nothing done
]


def keys(data: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(a["kind"], a["meeting"], a["cell"]) for a in data["actions"]]


def compare(dry: dict[str, Any], real: dict[str, Any]) -> None:
    assert keys(dry) == keys(real)
    assert {a["status"] for a in dry["actions"]} <= {"planned"}
    assert {a["status"] for a in real["actions"]} <= {"done"}
    assert dry["counts"] == real["counts"]
    assert (dry["dry_run"], real["dry_run"]) == (True, False)


def scenario(
    command: str, book: Book, invoke: Callable[..., Any], unchanged: Callable[[], object]
) -> set[str]:
    """Every stage: dry run (changes nothing), run, same actions. Returns the kinds of action seen."""
    seen: set[str] = set()
    for number, edit in enumerate(EDITS):
        edit(book)
        before = unchanged()
        dry_result = invoke(command, "--dry-run", "--json")
        assert unchanged() == before, "a dry run changed something"
        real_result = invoke(command, "--json")
        dry, real = json.loads(dry_result.stdout), json.loads(real_result.stdout)
        assert real_result.exit_code == dry_result.exit_code == 0, (number, real_result.output)
        compare(dry, real)
        seen |= {kind for kind, _, _ in keys(real)}
        if number == len(EDITS) - 1:
            assert real["actions"] == [] and real["cells_written"] == 0
    return seen


# What each command must have done somewhere in the scenario (so the comparison is never vacuous).
EXPECTED = {
    "sync": {"sheet.id", "sheet.number", "decision.status"},
    "protocols": {"sheet.id", "sheet.number", "protocol.create", "protocol.update", "protocol.link"},
    "calendar": {"sheet.id", "event.create", "event.update", "event.cancel", "event.link"},
    "run": {"sheet.id", "sheet.number", "protocol.create", "protocol.update", "protocol.link",
            "event.create", "event.update", "event.cancel", "event.link"},
}  # fmt: skip


@pytest.mark.parametrize("command", COMMANDS)
def test_dry_run_lists_what_the_run_does_locally(command: str, gmo: Invoke, workspace: Path) -> None:
    seen = scenario(command, LocalBook(workspace / "ГМО.xlsx"), gmo, lambda: snapshot(workspace))
    assert EXPECTED[command] <= seen


@pytest.mark.parametrize("command", COMMANDS)
def test_dry_run_lists_what_the_run_does_on_google(
    command: str, gmo_google: GoogleInvoke, google_home: Path, fake, coordinator: gspread.Client
) -> None:
    assert gmo_google("init", "--google").exit_code == 0
    book = coordinator.open_by_key(config_ids(google_home)["spreadsheet_id"])
    held = ["ГМО-2021-10-13", *MEETING[1:]]  # with its ID, so the decision below belongs to it
    book.worksheet("Заседания").update([held, PLANNED], "A2", value_input_option="USER_ENTERED")
    book.worksheet("Участники").update([["Замятина Е.Д."]], "A2", value_input_option="USER_ENTERED")
    book.worksheet("Решения").update([["ГМО-2021-10-13", 1, "Чек-лист", "Замятина Е.Д.", "01.11.2021"]], "A2",
                                     value_input_option="USER_ENTERED")  # fmt: skip

    def writes() -> int:
        return sum(1 for e in fake.request_log() if e["method"] != "GET")

    seen = scenario(command, GoogleBook(book), gmo_google, writes)
    wanted = EXPECTED[command] | ({"event.video"} if command in ("calendar", "run") else set())
    assert wanted <= seen


def pdf_stages(invoke: Callable[..., Any]) -> None:
    """--pdf: the first run makes the copy (planned by the dry run), the second finds it current."""
    for wanted in (["protocol.create", "protocol.pdf"], []):
        dry = json.loads(invoke("protocols", "--pdf", "--dry-run", "--json").stdout)
        real = json.loads(invoke("protocols", "--pdf", "--json").stdout)
        compare(dry, real)
        assert [
            kind for kind, _, _ in keys(real) if kind.startswith("protocol.") and kind != "protocol.link"
        ] == (wanted)


@pytest.mark.skipif(find_office() is None, reason="LibreOffice (soffice) is not installed")
def test_pdf_copies_are_planned_locally(gmo: Invoke) -> None:
    pdf_stages(gmo)


def test_pdf_copies_are_planned_on_google(
    gmo_google: GoogleInvoke, google_home: Path, coordinator: gspread.Client
) -> None:
    assert gmo_google("init", "--google").exit_code == 0
    book = coordinator.open_by_key(config_ids(google_home)["spreadsheet_id"])
    book.worksheet("Заседания").update(
        [["ГМО-2021-10-13", *MEETING[1:]]], "A2", value_input_option="USER_ENTERED"
    )
    pdf_stages(gmo_google)


def test_a_planned_action_that_fails_is_reported_failed(gmo: Invoke, workspace: Path) -> None:
    # a file of someone else's under the protocol's name: the tool never overwrites it
    (workspace / "protocols" / "2021-10-13 Протокол № 2.docx").write_bytes(b"not ours")
    dry = json.loads(gmo("protocols", "--dry-run", "--json").stdout)
    result = gmo("protocols", "--json")
    real = json.loads(result.stdout)
    assert result.exit_code == 1
    assert keys(dry) == keys(real)
    statuses = {a["kind"]: a["status"] for a in real["actions"]}
    assert statuses == {"protocol.create": "failed", "decision.status": "done", "protocol.link": "failed"}
    assert real["counts"] == {"cells": 1}  # the status cell and nothing else: no document, no link
    assert "уже существует и не является протоколом заседания" in real["problems"][0]["message"]
    text = gmo("protocols").output
    assert "не выполнено: создать протокол «2021-10-13 Протокол № 2» (заседание ГМО-2021-10-13)" in text


def test_init_local_dry_run_lists_what_init_creates(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from gmo_sync.cli.main import cli

    folder = str(tmp_path / "w")
    dry = json.loads(CliRunner().invoke(cli, ["init", "--local", folder, "--dry-run", "--json"]).stdout)
    assert not (tmp_path / "w").exists()
    real = json.loads(CliRunner().invoke(cli, ["init", "--local", folder, "--json"]).stdout)
    assert [(a["kind"], a["target"]) for a in dry["actions"]] == [
        (a["kind"], a["target"]) for a in real["actions"]
    ]
    assert {a["status"] for a in dry["actions"]} == {"planned"} and {
        a["status"] for a in real["actions"]
    } == {"done"}
    made = {Path(a["target"]).name for a in real["actions"]}
    assert made >= {"gmo-sync.toml", "ГМО.xlsx", "default.docx", "gost.docx", "protocols"}
    assert all(Path(a["target"]).exists() for a in real["actions"])
    again = json.loads(CliRunner().invoke(cli, ["init", "--local", folder, "--dry-run", "--json"]).stdout)
    assert again["actions"] == []


def test_init_google_dry_run_lists_what_init_does(gmo_google: GoogleInvoke, google_home: Path,
                                                   coordinator: gspread.Client, fake) -> None:  # fmt: skip
    def init(*args: str) -> list[tuple[str, str]]:
        result = gmo_google("init", "--google", "--title", "ГМО тест", "--json", *args)
        assert result.exit_code == 0, result.output
        return [(a["kind"], a["target"]) for a in json.loads(result.stdout)["actions"]]

    writes = len([e for e in fake.request_log() if e["method"] != "GET"])
    planned = init("--dry-run")
    assert len([e for e in fake.request_log() if e["method"] != "GET"]) == writes
    assert [kind for kind, _ in planned] == [
        "google.spreadsheet",
        "google.folder",
        "google.template",
        "config.write",
    ]
    assert init() == planned
    book = coordinator.open_by_key(config_ids(google_home)["spreadsheet_id"])
    book.del_worksheet(book.worksheet("Участники"))
    repair = init("--dry-run")
    assert repair == [("google.repair", "добавлен лист «Участники»")]
    assert init() == repair and init("--dry-run") == []


def report_stages(invoke: Callable[..., Any], edit: Callable[[], None]) -> None:
    """`report decisions`: made (with its PDF), kept, changed after an edit — the dry run says each first."""
    expected = (["document.create", "document.pdf"], ["document.keep"], ["document.update", "document.pdf"])
    for number, kinds in enumerate(expected):
        if number == 2:
            edit()
        dry_result = invoke("report", "decisions", "--pdf", "--dry-run", "--json")
        real_result = invoke("report", "decisions", "--pdf", "--json")
        assert dry_result.exit_code == real_result.exit_code == 0, real_result.output
        dry, real = json.loads(dry_result.stdout), json.loads(real_result.stdout)
        compare(dry, real)
        assert [kind for kind, _, _ in keys(real)] == kinds


@pytest.mark.skipif(find_office() is None, reason="LibreOffice (soffice) is not installed")
def test_report_dry_run_lists_what_the_report_does_locally(gmo: Invoke, workspace: Path) -> None:
    report_stages(
        gmo, lambda: xlsx.edit(workspace / "ГМО.xlsx", "Решения", 2, "Отметка о выполнении", "сделано")
    )


def test_report_dry_run_lists_what_the_report_does_on_google(
    gmo_google: GoogleInvoke, google_home: Path, coordinator: gspread.Client
) -> None:
    assert gmo_google("init", "--google").exit_code == 0
    book = coordinator.open_by_key(config_ids(google_home)["spreadsheet_id"])
    book.worksheet("Заседания").update(
        [["ГМО-2021-10-13", *MEETING[1:]]], "A2", value_input_option="USER_ENTERED"
    )
    book.worksheet("Участники").update([["Замятина Е.Д."]], "A2", value_input_option="USER_ENTERED")
    decisions = book.worksheet("Решения")
    decisions.update([["ГМО-2021-10-13", 1, "Чек-лист", "Замятина Е.Д.", "01.11.2021"]], "A2",
                     value_input_option="USER_ENTERED")  # fmt: skip
    report_stages(gmo_google, lambda: decisions.update_acell("G2", "сделано"))
