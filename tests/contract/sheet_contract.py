"""What every ``SheetBackend`` promises, as one suite each implementation runs.

Subclass ``SheetBackendContract`` in a ``test_*.py`` module and override the ``sheet_env``
fixture with a ``SheetEnv``: it lays out the tabs as a coordinator would have typed them, makes
a *new* backend object over the *same* storage on every call, edits the sheet "by hand" between
the backend's read and its write, and reads back what is there. Capability flags switch off what
an implementation cannot do (``writes_hyperlinks``: a Google Sheet shows a web URL as its own link).

The row-anchor rule itself (``core.sheet.place_writes``) is shared; the suite checks that every
backend applies it to what is stored *now*, not to what it read before.
"""

from __future__ import annotations

from typing import Protocol

import pytest

from gmo_sync.core.ports import SheetBackend
from gmo_sync.core.sheet import CellWrite

MEETINGS = "Заседания"
JOURNAL = "Журнал"
HEADERS = ["ID", "Тема", "Протокол", "Заметка"]
ROWS = [HEADERS, ["ГМО-1", "Первая", "", "своё"], ["ГМО-2", "Вторая", "", ""], ["ГМО-3", "Третья", "", "x"]]


class SheetEnv(Protocol):
    where: str  # what ``describe()`` names once read: the workbook's path, the spreadsheet's title

    def make(self) -> SheetBackend: ...

    def put(self, tab: str, rows: list[list[str]]) -> None:
        """The tab's content, typed by a coordinator (the tab exists after this)."""

    def insert_row(self, tab: str, row: int, values: list[str]) -> None:
        """A coordinator inserts a row at ``row`` (1-based): the rows from there move down."""

    def delete_row(self, tab: str, row: int) -> None: ...

    def values(self, tab: str) -> list[list[str]]:
        """The tab as text, trailing empty cells and rows left out."""

    def link(self, tab: str, row: int, column: int) -> str | None: ...


def protocol_write(row: int, meeting_id: str, value: str, link: str | None = None) -> CellWrite:
    """The «Протокол» cell of the row whose ID is ``meeting_id`` (as the plan read it at ``row``)."""
    return CellWrite(MEETINGS, row, 3, value, "Протокол", "", link, ((1, meeting_id),))


def trimmed(rows: list[list[object]]) -> list[list[str]]:
    text = [["" if v is None else str(v) for v in row] for row in rows]
    text = [row[: max((i + 1 for i, v in enumerate(row) if v), default=0)] for row in text]
    while text and not text[-1]:
        text.pop()
    return text


class SheetBackendContract:
    writes_hyperlinks = True  # a written link is a hyperlink the backend reads back

    @pytest.fixture
    def sheet_env(self) -> SheetEnv:
        raise NotImplementedError("a subclass provides the environment")

    @pytest.fixture
    def env(self, sheet_env: SheetEnv) -> SheetEnv:
        sheet_env.put(MEETINGS, [list(r) for r in ROWS])
        sheet_env.put(JOURNAL, [["Время", "Команда"]])
        return sheet_env

    def test_read_gives_every_tab_as_typed(self, env: SheetEnv) -> None:
        sheet = env.make()
        snapshot = sheet.read()
        assert env.where in sheet.describe()
        assert {MEETINGS, JOURNAL} <= set(snapshot.tabs)
        assert trimmed(snapshot.tabs[MEETINGS].rows) == trimmed(ROWS)  # type: ignore[arg-type]
        assert snapshot.tabs[MEETINGS].cell(2, 1) == "ГМО-1" and snapshot.tabs[MEETINGS].cell(99, 99) is None

    def test_text_that_looks_like_a_number_or_formula_stays_text(self, env: SheetEnv) -> None:
        sheet = env.make()
        sheet.read()
        report = sheet.write([protocol_write(2, "ГМО-1", "=1+1"), protocol_write(3, "ГМО-2", "0123")])
        assert (report.written, report.skipped) == (2, [])
        cells = env.make().read().tabs[MEETINGS]
        assert (cells.cell(2, 3), cells.cell(3, 3)) == ("=1+1", "0123")

    def test_only_the_written_cells_change(self, env: SheetEnv) -> None:
        sheet = env.make()
        sheet.read()
        sheet.write([protocol_write(3, "ГМО-2", "п2")])
        expected = trimmed(ROWS)
        expected[2] = ["ГМО-2", "Вторая", "п2"]
        assert env.values(MEETINGS) == expected

    def test_a_link_is_written_as_a_link(self, env: SheetEnv) -> None:
        sheet = env.make()
        sheet.read()
        url = "protocols/a.docx" if self.writes_hyperlinks else "https://docs.google.com/document/d/x/edit"
        sheet.write([protocol_write(2, "ГМО-1", "a.docx" if self.writes_hyperlinks else url, url)])
        if self.writes_hyperlinks:
            assert env.link(MEETINGS, 2, 3) == url
            assert env.make().read().tabs[MEETINGS].links[(2, 3)] == url
        else:
            assert env.values(MEETINGS)[1][2] == url

    def test_nothing_to_write_writes_nothing(self, env: SheetEnv) -> None:
        sheet = env.make()
        sheet.read()
        assert (sheet.write([]).written, sheet.write([]).skipped) == (0, [])
        assert env.values(MEETINGS) == trimmed(ROWS)

    def test_a_row_inserted_above_meanwhile_moves_the_write_with_its_row(self, env: SheetEnv) -> None:
        sheet = env.make()
        sheet.read()
        env.insert_row(MEETINGS, 2, ["ГМО-0", "Новая"])  # after the read, before the write
        report = sheet.write([protocol_write(2, "ГМО-1", "п1"), protocol_write(4, "ГМО-3", "п3")])
        assert (report.written, report.skipped) == (2, [])
        rows = env.values(MEETINGS)
        assert rows[1] == ["ГМО-0", "Новая"]  # the new row got nothing
        assert rows[2][:3] == ["ГМО-1", "Первая", "п1"] and rows[4][:3] == ["ГМО-3", "Третья", "п3"]

    def test_a_row_changed_or_deleted_meanwhile_is_skipped_and_reported(self, env: SheetEnv) -> None:
        sheet = env.make()
        sheet.read()
        env.delete_row(MEETINGS, 3)  # ГМО-2 is gone; ГМО-3 moved up into its row
        report = sheet.write([protocol_write(3, "ГМО-2", "п2")])
        assert report.written == 0
        assert [m.split(":")[0] for m in report.skipped] == [f"{MEETINGS}!C3"]
        assert "не записано" in report.skipped[0]
        assert env.values(MEETINGS) == [trimmed(ROWS)[i] for i in (0, 1, 3)]

    def test_a_column_inserted_meanwhile_is_never_written_into(self, env: SheetEnv) -> None:
        """The row's ID sits left of the new column and still holds: only the header tells that
        «Протокол» moved, and the cell now under its letter is the coordinator's «Тема»."""
        sheet = env.make()
        sheet.read()
        shifted = [[row[0], "Примечание" if i == 0 else "", *row[1:]] for i, row in enumerate(ROWS)]
        env.put(MEETINGS, shifted)  # after the read, before the write
        report = sheet.write([protocol_write(2, "ГМО-1", "п1"), protocol_write(3, "ГМО-2", "п2")])
        assert report.written == 0
        assert [m.split(":")[0] for m in report.skipped] == [f"{MEETINGS}!C2", f"{MEETINGS}!C3"]
        assert "«Протокол»" in report.skipped[0] and "«Тема»" in report.skipped[0]
        assert "не записано" in report.skipped[0]
        assert env.values(MEETINGS) == trimmed(shifted)  # «Первая» and «Вторая» are still there

    def test_ids_in_anchors_compare_as_coordinators_see_them(self, env: SheetEnv) -> None:
        sheet = env.make()
        sheet.read()
        report = sheet.write([protocol_write(2, " гмо-1 ", "п1")])
        assert report.written == 1 and env.values(MEETINGS)[1][2] == "п1"

    def test_an_all_blank_anchor_is_never_guessed_elsewhere(self, env: SheetEnv) -> None:
        env.put(MEETINGS, [HEADERS, ["", "Новая"], ["", ""], ["ГМО-3", "Третья"]])
        sheet = env.make()
        sheet.read()
        env.delete_row(MEETINGS, 2)
        blank = CellWrite(MEETINGS, 2, 1, "ГМО-9", "ID", "", None, ((1, ""), (2, "Новая")))
        report = sheet.write([blank])
        assert report.written == 0 and len(report.skipped) == 1
        assert all(row[:1] != ["ГМО-9"] for row in env.values(MEETINGS))

    def test_appended_rows_go_after_what_is_there_now(self, env: SheetEnv) -> None:
        sheet = env.make()
        sheet.read()
        env.put(JOURNAL, [["Время", "Команда"], ["01.01.2026 10:00", "run"]])  # another run logged meanwhile
        sheet.write(
            [
                CellWrite(JOURNAL, 2, 1, "02.01.2026 10:00", "Время"),
                CellWrite(JOURNAL, 2, 2, "sync", "Команда"),
            ]
        )
        assert env.values(JOURNAL) == [
            ["Время", "Команда"],
            ["01.01.2026 10:00", "run"],
            ["02.01.2026 10:00", "sync"],
        ]

    def test_a_reopened_backend_reads_what_was_written(self, env: SheetEnv) -> None:
        first = env.make()
        first.read()
        first.write([protocol_write(4, "ГМО-3", "п3")])
        assert env.make().read().tabs[MEETINGS].cell(4, 3) == "п3"
