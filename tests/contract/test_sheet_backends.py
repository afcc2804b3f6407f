"""The sheet contract, run for every SheetBackend: in memory, an .xlsx workbook, a Google Sheet (fake)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from gmo_sync.backends.google import connect
from gmo_sync.backends.google.sheet import GoogleSheet
from gmo_sync.backends.local.workbook import LocalWorkbook
from gmo_sync.core.config import load_config
from gmo_sync.core.ports import SheetBackend
from gmo_sync.core.sheet import SheetSnapshot, TabData
from tests.contract.sheet_contract import JOURNAL, MEETINGS, SheetBackendContract, SheetEnv, trimmed
from tests.fakegoogle import a1
from tests.memory_backends import MemorySheet


class MemoryEnv:
    where = "память"

    def __init__(self) -> None:
        self.snapshot = SheetSnapshot({})

    def make(self) -> SheetBackend:
        return MemorySheet(self.snapshot)

    def put(self, tab: str, rows: list[list[str]]) -> None:
        self.snapshot.tabs[tab] = TabData(tab, [list(r) for r in rows])  # type: ignore[misc]

    def insert_row(self, tab: str, row: int, values: list[str]) -> None:
        self.snapshot.tabs[tab].rows.insert(row - 1, list(values))

    def delete_row(self, tab: str, row: int) -> None:
        del self.snapshot.tabs[tab].rows[row - 1]

    def values(self, tab: str) -> list[list[str]]:
        return trimmed(self.snapshot.tabs[tab].rows)  # type: ignore[arg-type]

    def link(self, tab: str, row: int, column: int) -> str | None:
        return self.snapshot.tabs[tab].links.get((row, column))


class WorkbookEnv:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.where = str(path)
        book = openpyxl.Workbook()
        book.active.title = MEETINGS  # type: ignore[union-attr]
        book.save(path)

    def make(self) -> SheetBackend:
        return LocalWorkbook(self.path)

    def _edit(self, tab: str, change) -> None:  # type: ignore[no-untyped-def]
        book = openpyxl.load_workbook(self.path)
        sheet = book[tab] if tab in book.sheetnames else book.create_sheet(tab)
        change(sheet)
        book.save(self.path)

    def put(self, tab: str, rows: list[list[str]]) -> None:
        def fill(sheet) -> None:  # type: ignore[no-untyped-def]
            sheet.delete_rows(1, sheet.max_row)
            for row in rows:
                sheet.append([v or None for v in row])

        self._edit(tab, fill)

    def insert_row(self, tab: str, row: int, values: list[str]) -> None:
        def insert(sheet) -> None:  # type: ignore[no-untyped-def]
            sheet.insert_rows(row)
            for column, value in enumerate(values, start=1):
                sheet.cell(row, column).value = value

        self._edit(tab, insert)

    def delete_row(self, tab: str, row: int) -> None:
        self._edit(tab, lambda sheet: sheet.delete_rows(row))

    def values(self, tab: str) -> list[list[str]]:
        return trimmed([list(r) for r in openpyxl.load_workbook(self.path)[tab].iter_rows(values_only=True)])

    def link(self, tab: str, row: int, column: int) -> str | None:
        hyperlink = openpyxl.load_workbook(self.path)[tab].cell(row, column).hyperlink
        return hyperlink.target if hyperlink is not None else None


class GoogleEnv:
    def __init__(self, fake, coordinator) -> None:  # type: ignore[no-untyped-def]
        self.fake = fake
        self.id = fake.act(
            {"action": "create_spreadsheet", "title": "Контракт", "sheets": {MEETINGS: [], JOURNAL: []}}
        )
        self.book = coordinator.open_by_key(self.id)
        self.where = "Google-таблица «Контракт»"

    def make(self) -> SheetBackend:
        return GoogleSheet(connect(load_config(None)), self.id)  # a new connection: only the sheet survives

    def put(self, tab: str, rows: list[list[str]]) -> None:
        old = self.book.worksheet(tab).get_all_values()
        height = max(len(old), len(rows))
        width = max([len(r) for r in [*old, *rows]], default=1)
        padded = [(list(rows[i]) if i < len(rows) else []) + [""] * width for i in range(height)]
        self.fake.act({"action": "set_values", "spreadsheetId": self.id, "range": a1.quote_sheet(tab) + "!A1",
                       "values": [r[:width] for r in padded], "input": "RAW"})  # fmt: skip

    def insert_row(self, tab: str, row: int, values: list[str]) -> None:
        self.fake.act({"action": "insert_row", "spreadsheetId": self.id, "sheet": tab, "index": row - 1,
                       "values": values})  # fmt: skip

    def delete_row(self, tab: str, row: int) -> None:
        self.fake.act({"action": "delete_row", "spreadsheetId": self.id, "sheet": tab, "index": row - 1})

    def values(self, tab: str) -> list[list[str]]:
        return trimmed(self.book.worksheet(tab).get_all_values())

    def link(self, tab: str, row: int, column: int) -> str | None:
        raise AssertionError("a Google Sheet shows web links as their own text")


class TestMemorySheet(SheetBackendContract):
    @pytest.fixture
    def sheet_env(self) -> SheetEnv:
        return MemoryEnv()


class TestLocalWorkbook(SheetBackendContract):
    @pytest.fixture
    def sheet_env(self, tmp_path: Path) -> SheetEnv:
        return WorkbookEnv(tmp_path / "ГМО.xlsx")


class TestGoogleSheet(SheetBackendContract):
    writes_hyperlinks = False

    @pytest.fixture
    def sheet_env(self, google_home: Path, fake, coordinator) -> SheetEnv:  # type: ignore[no-untyped-def]
        return GoogleEnv(fake, coordinator)
