"""The google backend's master sheet against the fake Workspace: real gspread over HTTPS, no mocks.

Each test starts from `gmo-sync init --google` and types into the sheet the way a coordinator's browser
does (USER_ENTERED), then looks at the fake's stored state and request log.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path
from typing import Any

import gspread
import pytest

from gmo_sync.backends.google import connect
from gmo_sync.backends.google.sheet import GoogleSheet
from gmo_sync.core.config import load_config
from gmo_sync.core.reading import parse_sheet
from gmo_sync.core.schema import TABS
from gmo_sync.core.sheet import CellWrite, Formula
from tests.fakegoogle.server import FakeGoogle
from tests.frozen import TODAY
from tests.google_env import GoogleInvoke

HEADERS = [c.header for c in TABS[0].columns]  # Заседания, in init's order
TOOL_COLUMNS = {"ID", "№ протокола", "Протокол", "Событие", "Видеовстреча", "Синхронизировано"}


def meeting(date: str, topic: str, status: str = "проведено", meeting_id: str = "") -> list[str]:
    values = {"ID": meeting_id, "Дата": date, "Начало": "14:00", "Формат": "онлайн", "Тема": topic,
              "Ведущие": "Замятина Е.Д.", "Участники": "руководители РМО", "Присутствовало": "13",
              "Статус": status}  # fmt: skip
    return [values.get(h, "") for h in HEADERS]


THREE = [meeting("13.10.2021", "Альфа"), meeting("17.11.2021", "Бета"), meeting("15.12.2021", "Гамма")]


def col(header: str) -> int:
    """1-based column of a Заседания header as init lays it out."""
    return HEADERS.index(header) + 1


def init_workspace(gmo_google: GoogleInvoke, coordinator: gspread.Client) -> gspread.Spreadsheet:
    """`gmo-sync init --google` in the current folder; the spreadsheet as a coordinator opens it."""
    result = gmo_google("init", "--google", "--title", "ГМО тест")
    assert result.exit_code == 0, result.output
    ids = tomllib.loads(Path("gmo-sync.toml").read_text(encoding="utf-8"))["google"]
    return coordinator.open_by_key(ids["spreadsheet_id"])


def type_rows(book: gspread.Spreadsheet, tab: str, rows: list[list[Any]], start: str = "A2") -> None:
    book.worksheet(tab).update(rows, start, value_input_option="USER_ENTERED")


def requests_since(fake: FakeGoogle, start: int) -> list[dict[str, Any]]:
    """API calls after request ``start`` (token requests are counted in test_google_tokens.py)."""
    return [e for e in fake.request_log(tokens=False) if e["n"] > start]


def methods(entries: list[dict[str, Any]]) -> list[str]:
    return [e["api_method"].removeprefix("sheets.spreadsheets.") for e in entries]


def stored(fake: FakeGoogle, book: gspread.Spreadsheet, tab: str) -> Any:
    sheet = fake.ws.spreadsheets[book.id].sheet_by_title(tab)
    assert sheet is not None, tab
    return sheet


def values(book: gspread.Spreadsheet, tab: str = "Заседания") -> list[list[str]]:
    return book.worksheet(tab).get_all_values()


def google_sheet() -> GoogleSheet:
    config = load_config(None)
    return GoogleSheet(connect(config), config.google.spreadsheet_id)


# -- 1. init --------------------------------------------------------------------------------------------
def test_init_lays_out_tabs_headers_frozen_rows_dropdowns_protection_and_highlighting(
    gmo_google: GoogleInvoke, fake: FakeGoogle, coordinator: gspread.Client
) -> None:
    book = init_workspace(gmo_google, coordinator)
    assert [w.title for w in book.worksheets()] == [t.name for t in TABS]
    for tab in TABS:
        assert book.worksheet(tab.name).row_values(1) == [c.header for c in tab.columns]
        sheet = stored(fake, book, tab.name)
        assert sheet.props["gridProperties"]["frozenRowCount"] == 1, tab.name
        protected = {
            pr["range"]["startColumnIndex"]: pr for pr in sheet.protected_ranges if pr.get("warningOnly")
        }
        owned = {i for i, c in enumerate(tab.columns) if c.tool}
        assert set(protected) == owned, tab.name  # warning-only, and only on the tool's columns
        assert all(pr["range"]["startRowIndex"] == 1 for pr in protected.values())
    dropdowns = {("Заседания", "Формат"): ["онлайн", "очно", "смешанный"],
                 ("Заседания", "Статус"): ["запланировано", "проведено", "отменено"],
                 ("Решения", "Статус"): ["в работе", "выполнено", "просрочено"],
                 ("Участники", "Приглашать"): ["да", "нет"],
                 ("Присутствие", "Отметка"): ["присутствовал", "отсутствовал",
                                              "по уважительной причине"]}  # fmt: skip
    for (tab_name, header), options in dropdowns.items():
        tab = next(t for t in TABS if t.name == tab_name)
        index = [c.header for c in tab.columns].index(header)
        sheet = stored(fake, book, tab_name)
        for row in (1, 500):  # the whole column below the header, not one cell
            rule = sheet.cell(row, index)["dataValidation"]
            assert rule["condition"]["type"] == "ONE_OF_LIST"
            assert [v["userEnteredValue"] for v in rule["condition"]["values"]] == options
        assert "dataValidation" not in (sheet.cell(0, index) or {})  # the header itself stays free
    decisions = stored(fake, book, "Решения")
    status = [c.header for c in TABS[3].columns].index("Статус")
    (rule,) = decisions.conditional_formats
    assert rule["ranges"][0]["startColumnIndex"] == status
    assert rule["booleanRule"]["condition"] == {
        "type": "TEXT_EQ",
        "values": [{"userEnteredValue": "просрочено"}],
    }


def test_init_again_repairs_a_damaged_sheet_without_touching_data(
    gmo_google: GoogleInvoke, fake: FakeGoogle, coordinator: gspread.Client
) -> None:
    book = init_workspace(gmo_google, coordinator)
    type_rows(book, "Заседания", THREE)
    meetings = book.worksheet("Заседания")
    meetings.update([["заметка координатора"]], "T2", value_input_option="RAW")  # data with no header
    meetings.update(
        [["Тема заседания"]], gspread.utils.rowcol_to_a1(1, col("Тема")), value_input_option="RAW"
    )
    meetings.update([[""]], gspread.utils.rowcol_to_a1(1, col("Событие")), value_input_option="RAW")
    book.del_worksheet(book.worksheet("Участники"))
    before = values(book)

    repaired = gmo_google("init", "--google")
    assert repaired.exit_code == 0, repaired.output
    assert "добавлен лист «Участники»" in repaired.output
    assert "«Заседания»: добавлен столбец «Тема»" in repaired.output
    assert "«Заседания»: добавлен столбец «Событие»" in repaired.output
    after = values(book)
    # every cell a coordinator had is where it was; only header cells after the last used column are new
    assert [row[: len(before[0])] for row in after] == before
    assert after[0][20:] == ["Тема", "Событие"]  # U1, V1: after the unlabelled note in T, not over it
    assert all(not any(r[20:]) for r in after[1:])
    participants = stored(fake, book, "Участники")
    assert book.worksheet("Участники").row_values(1) == [c.header for c in TABS[4].columns]
    assert participants.props["gridProperties"]["frozenRowCount"] == 1
    assert participants.cell(1, 4)["dataValidation"]["condition"]["type"] == "ONE_OF_LIST"  # Приглашать
    event_column = stored(fake, book, "Заседания").protected_ranges
    assert any(pr["range"]["startColumnIndex"] == 21 and pr["warningOnly"] for pr in event_column)

    again = gmo_google("init", "--google")
    assert again.exit_code == 0 and "добавлен" not in again.output, again.output


# -- 2. reading ------------------------------------------------------------------------------------------
def test_reading_takes_typed_values_as_the_coordinator_sees_them_in_one_request(
    gmo_google: GoogleInvoke, fake: FakeGoogle, coordinator: gspread.Client
) -> None:
    book = init_workspace(gmo_google, coordinator)
    meetings = book.worksheet("Заседания")
    first = meeting("13.10.2021", "Альфа")  # USER_ENTERED: a date cell and a time cell
    first[col("Место или ссылка") - 1] = "'0123"  # the apostrophe keeps the leading zero, as in the browser
    type_rows(book, "Заседания", [[*first, "1,5"]])  # S: a coordinator's own column, a number «1,5»
    meetings.update([["Часы"]], "S1", value_input_option="RAW")
    second = meeting("", "Бета")
    second[col("Начало") - 1] = "14-00"
    second[col("Место или ссылка") - 1] = "0123"
    meetings.update([[*second, "1,5"]], "A3", value_input_option="RAW")  # text, as typed
    meetings.update([[44517]], "C3", value_input_option="RAW")  # a bare serial number: 17.11.2021
    third = meeting("15.12.2021", '=CONCATENATE("Гам";"ма")')
    type_rows(book, "Заседания", [third], "A4")
    type_rows(book, "Повестка", [["", 1, "Первый вопрос", "Замятина"], ["", 2, "Второй вопрос", ""]])
    book.worksheet("Повестка").merge_cells("D2:D3")  # one speaker for two items, merged

    snapshot = google_sheet().read()
    tab = snapshot.tabs["Заседания"]
    assert tab.cell(2, col("Дата")) == dt.date(2021, 10, 13)
    assert tab.cell(2, col("Начало")) == dt.time(14, 0)
    assert tab.cell(2, col("Место или ссылка")) == "0123"
    assert tab.cell(2, 19) == "1,5"  # a number typed in a Russian sheet, read as shown, not 1.5 or 15
    assert tab.cell(3, col("Место или ссылка")) == "0123" and tab.cell(3, 19) == "1,5"
    assert tab.cell(3, col("Присутствовало")) == "13"  # RAW text stays text
    assert tab.cell(4, col("Тема")) == Formula('=CONCATENATE("Гам";"ма")')
    assert snapshot.tabs["Повестка"].merged == ["D2:D3"]
    parsed = parse_sheet(snapshot, TODAY)
    alpha, beta = parsed.meetings
    assert (alpha.date, alpha.start, alpha.place, alpha.extra["Часы"]) == (
        dt.date(2021, 10, 13), dt.time(14, 0), "0123", "1,5")  # fmt: skip
    assert (beta.date, beta.start, beta.place, beta.extra["Часы"]) == (
        dt.date(2021, 11, 17), dt.time(14, 0), "0123", "1,5")  # fmt: skip

    start = fake.request_count
    checked = gmo_google("check")
    assert checked.exit_code == 1, checked.output
    assert "Заседания!H4: в ячейке формула" in checked.output
    assert "Повестка!D2:D3: объединённые ячейки" in checked.output
    assert methods(requests_since(fake, start)) == ["get"]  # every tab, formulas and merges: one request
    start = fake.request_count
    synced = gmo_google("sync")
    assert synced.exit_code == 1, synced.output
    assert methods(requests_since(fake, start)).count("get") == 1


# -- 3. writes -------------------------------------------------------------------------------------------
def test_writes_only_changed_tool_cells_in_one_raw_request_and_nothing_on_a_rerun(
    gmo_google: GoogleInvoke, fake: FakeGoogle, coordinator: gspread.Client
) -> None:
    book = init_workspace(gmo_google, coordinator)
    type_rows(book, "Заседания", THREE)
    before = values(book)
    start = fake.request_count
    first = gmo_google("sync")
    assert first.exit_code == 0, first.output
    assert "Ячеек записано: 9." in first.output  # 3 IDs, 3 numbers, 3 «Синхронизировано»
    # the re-read before the write, and the write, whose answer shows the rows after it: no read-back
    assert methods(requests_since(fake, start)) == ["get", "values.batchGet", "values.batchUpdate"]
    after = values(book)
    changed = {(r, c) for r, row in enumerate(after) for c, v in enumerate(row)
               if v != (before[r][c] if r < len(before) and c < len(before[r]) else "")}  # fmt: skip
    owned = {(r, HEADERS.index(h)) for r in (1, 2, 3) for h in ("ID", "№ протокола", "Синхронизировано")}
    assert changed == owned
    assert [r[:2] for r in after[1:]] == [
        ["ГМО-2021-10-13", "1"],
        ["ГМО-2021-11-17", "2"],
        ["ГМО-2021-12-15", "3"],
    ]
    assert len(values(book, "Журнал")) == 2  # one run, one journal row

    start = fake.request_count
    second = gmo_google("sync")
    assert second.exit_code == 0, second.output
    assert [e for e in requests_since(fake, start) if e["method"] != "GET"] == []

    # RAW: a value that looks like a formula is stored as text, never evaluated
    sheet = google_sheet()
    sheet.read()
    report = sheet.write([CellWrite("Журнал", 3, 4, '=IMPORTXML("http://example.org";"//a")', "Проблемы")])
    assert report.written == 1
    cell = stored(fake, book, "Журнал").cell(2, 3)
    assert cell["userEnteredValue"] == {"stringValue": '=IMPORTXML("http://example.org";"//a")'}


# -- 7. concurrent coordinators ----------------------------------------------------------------------------
PLANNED = meeting("19.01.2022", "Дельта", status="запланировано", meeting_id="ГМО-2022-01-19")


def _race_workspace(gmo_google: GoogleInvoke, coordinator: gspread.Client, folder: Path,
                    monkeypatch: pytest.MonkeyPatch) -> gspread.Spreadsheet:  # fmt: skip
    folder.mkdir()
    monkeypatch.chdir(folder)
    book = init_workspace(gmo_google, coordinator)
    rows = [THREE[0], meeting("17.11.2021", "Бета", meeting_id="ГМО-2021-11-17"), THREE[2], PLANNED]
    type_rows(book, "Заседания", rows)
    return book


@pytest.mark.parametrize("moment", ["values.batchGet", "values.batchUpdate"])
def test_rows_sorted_inserted_and_deleted_during_a_run_keep_their_own_links(
    gmo_google: GoogleInvoke,
    fake: FakeGoogle,
    coordinator: gspread.Client,
    google_home: Path,
    monkeypatch: pytest.MonkeyPatch,
    moment: str,
) -> None:
    """«values.batchGet»: the edits land between the first read and the re-verification read;
    «values.batchUpdate»: between the re-verification read and the write (repaired after the write)."""
    _race_workspace(gmo_google, coordinator, google_home / "measure", monkeypatch)  # a dry measurement
    start = fake.request_count
    assert gmo_google("protocols").exit_code == 0
    offset = next(e["n"] for e in requests_since(fake, start) if e["api_method"].endswith(moment)) - start

    book = _race_workspace(gmo_google, coordinator, google_home / "race", monkeypatch)
    sheet_id = book.worksheet("Заседания").id
    k = fake.request_count + offset
    typed = meeting("16.02.2022", "Эпсилон", status="запланировано")
    for action in (
        {"action": "sort_range", "range": "'Заседания'!A2:V5", "column": col("Тема") - 1, "ascending": False},
        {"action": "insert_row", "sheet": sheet_id, "index": 1, "values": typed},
        {
            "action": "delete_row",
            "sheet": sheet_id,
            "index": 2,
        },  # Дельта, sorted to the top, then pushed down
    ):
        fake.act({**action, "spreadsheetId": book.id}, before_request=k)
    result = gmo_google("protocols")
    assert result.exit_code == 0, result.output
    assert not fake.dispatcher.pending_actions  # the edits did happen during the run

    docs = {f["appProperties"]["gmoMeeting"]: f["id"] for f in fake.ws.files.values()
            if f.get("appProperties", {}).get("gmoKind") == "protocol"}  # fmt: skip
    rows = values(book)
    by_topic = {r[col("Тема") - 1]: r for r in rows[1:]}
    assert list(by_topic) == ["Эпсилон", "Гамма", "Бета", "Альфа"]  # the coordinators' order stands
    shown = {"Начало": "14:00:00"}  # a time cell, as the browser shows it back
    assert by_topic["Эпсилон"][: len(typed)] == [shown.get(h, v) for h, v in zip(HEADERS, typed, strict=True)]
    for topic, meeting_id, number in (("Альфа", "ГМО-2021-10-13", "1"), ("Бета", "ГМО-2021-11-17", "2"),
                                      ("Гамма", "ГМО-2021-12-15", "3")):  # fmt: skip
        row = by_topic[topic]
        assert row[col("ID") - 1] == meeting_id, (topic, rows)
        assert row[col("№ протокола") - 1] == number, (topic, rows)
        assert docs[meeting_id] in row[col("Протокол") - 1], (topic, rows)
    assert by_topic["Эпсилон"][col("ID") - 1] == "" and by_topic["Эпсилон"][col("Протокол") - 1] == ""
    assert "Дельта" not in by_topic  # the deleted row stays deleted


@pytest.mark.xfail(
    strict=True,
    reason="known hole: a column inserted between the re-read and the write is "
    "not detected (the row anchor sits left of it); the write lands one column to the left",
)
def test_a_column_inserted_between_the_reread_and_the_write_costs_no_coordinator_cell(
    gmo_google: GoogleInvoke, fake: FakeGoogle, coordinator: gspread.Client
) -> None:
    """Sheets has no compare-and-set for columns either: a column inserted right of the ID after the
    re-read shifts «Статус» under the «Протокол» letter. The write's answer still shows the row's ID and
    the link (so does a read-back), so nothing is repaired or reported and the coordinator's «проведено»
    is gone. Same before and after e2d9794 (checked by review10)."""
    book = init_workspace(gmo_google, coordinator)
    rows = [list(r) for r in THREE]
    rows[0][col("ID") - 1] = "ГМО-1"
    type_rows(book, "Заседания", rows)
    sheet = google_sheet()
    tab = stored(fake, book, "Заседания")
    # the next request is the re-read before the write, the one after it the write
    fake.dispatcher.schedule(fake.request_count + 2, lambda: tab.insert_cols(col("ID"), 1),
                             {"action": "insert_col"})  # fmt: skip
    link = "https://docs.google.com/document/d/x"
    report = sheet.write([CellWrite("Заседания", 2, col("Протокол"), link, "Протокол",
                                    anchor=((col("ID"), "ГМО-1"),))])  # fmt: skip
    assert not fake.dispatcher.pending_actions  # the column did come in between
    row = values(book)[1]
    assert row[col("Статус")] == "проведено" or report.skipped, row  # kept, or at least reported
