"""The master sheet as a Google Sheet (gspread).

Reading: one ``spreadsheets.get`` with grid data returns every tab, its merges,
formulas (so they are reported, not taken as data), hyperlinks and number-format
types, so serial numbers become dates and times only where the cell is one. This
sidesteps gspread's numericising (``"0123"`` → 123, ``"1,5"`` → 15) and locale-
formatted strings entirely.

Writing: coordinators keep editing while a run is in progress. Just before the
single write, the tool re-reads the anchor columns (one ``values.batchGet``) and
re-finds every row by its ID: a row that moved is written where it now is, a row
that vanished is skipped and reported. The write itself is one
``values.batchUpdate`` with ``RAW`` input, so text starting with «=» stays text.
The remaining window — an edit landing between that re-read and the write, a
fraction of a second — is acknowledged in the README.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import gspread

from gmo_sync.backends.google.connection import GoogleConnection
from gmo_sync.core.parsing import SERIAL_EPOCH, normalize_text
from gmo_sync.core.ports import WriteReport
from gmo_sync.core.problems import cell_ref, column_letter
from gmo_sync.core.sheet import CellWrite, Formula, SheetSnapshot, TabData

GRID_FIELDS = (
    "properties/title,sheets(properties(sheetId,title),merges,"
    "data(startRow,startColumn,rowData/values(userEnteredValue,effectiveValue,"
    "effectiveFormat/numberFormat/type,hyperlink)))"
)


def quote_tab(title: str) -> str:
    return "'" + title.replace("'", "''") + "'"


def from_serial(value: float, kind: str) -> object:
    if kind == "DATE":
        return SERIAL_EPOCH + dt.timedelta(days=int(value))
    if kind == "DATE_TIME":
        return dt.datetime.combine(SERIAL_EPOCH, dt.time()) + dt.timedelta(days=value)
    if kind == "TIME":
        minutes = round((value % 1) * 1440)
        return dt.time(minutes // 60 % 24, minutes % 60)
    return int(value) if float(value).is_integer() else value


def cell_value(cell: dict[str, Any]) -> object:
    entered = cell.get("userEnteredValue") or {}
    if "formulaValue" in entered:
        return Formula(entered["formulaValue"])
    value = cell.get("effectiveValue") or entered
    if "stringValue" in value:
        return value["stringValue"]
    if "boolValue" in value:
        return value["boolValue"]
    if "numberValue" in value:
        kind = ((cell.get("effectiveFormat") or {}).get("numberFormat") or {}).get("type", "")
        return from_serial(value["numberValue"], kind)
    return None


def _merge_ref(merge: dict[str, int]) -> str:
    start = f"{column_letter(merge['startColumnIndex'] + 1)}{merge['startRowIndex'] + 1}"
    end = f"{column_letter(merge['endColumnIndex'])}{merge['endRowIndex']}"
    return f"{start}:{end}"


class GoogleSheet:
    def __init__(self, connection: GoogleConnection, spreadsheet_id: str) -> None:
        self.connection = connection
        self.spreadsheet_id = spreadsheet_id
        self._client: gspread.Client | None = None
        self.title = spreadsheet_id

    @property
    def client(self) -> gspread.Client:
        if self._client is None:
            self._client = self.connection.gspread()
        return self._client

    def describe(self) -> str:
        return f"Google-таблица «{self.title}»"

    def read(self) -> SheetSnapshot:
        data = self.client.http_client.spreadsheets_get(
            self.spreadsheet_id, params={"includeGridData": "true", "fields": GRID_FIELDS}
        )
        self.title = data.get("properties", {}).get("title", self.spreadsheet_id)
        tabs: dict[str, TabData] = {}
        for sheet in data.get("sheets", []):
            title = sheet["properties"]["title"]
            rows: list[list[object]] = []
            links: dict[tuple[int, int], str] = {}
            for grid in sheet.get("data", []):
                first_row, first_col = grid.get("startRow", 0), grid.get("startColumn", 0)
                for r, row in enumerate(grid.get("rowData", []), start=first_row + 1):
                    while len(rows) < r:
                        rows.append([])
                    cells = rows[r - 1]
                    for c, cell in enumerate(row.get("values", []), start=first_col + 1):
                        while len(cells) < c:
                            cells.append(None)
                        cells[c - 1] = cell_value(cell)
                        if cell.get("hyperlink"):
                            links[(r, c)] = cell["hyperlink"]
            merged = [_merge_ref(m) for m in sheet.get("merges", [])]
            tabs[title] = TabData(title, rows, links, merged)  # type: ignore[arg-type]
        return SheetSnapshot(tabs)

    def ensure_writable(self) -> None:
        """Google Sheets merge concurrent edits; anchoring in ``write`` handles moved rows."""

    def write(self, writes: Sequence[CellWrite]) -> WriteReport:
        if not writes:
            return WriteReport(0, [])
        current = self._current_rows({w.tab for w in writes})
        data: list[dict[str, Any]] = []
        skipped: list[str] = []
        appended: dict[str, int] = {}
        for write in writes:
            rows = current[write.tab]
            row = write.row if not write.anchor else _find_row(rows, write)
            if write.anchor and row is None:
                skipped.append(
                    f"{cell_ref(write.tab, write.row, write.column)}: строка изменилась или удалена во время "
                    f"работы, значение не записано (будет записано при следующем запуске)"
                )
                continue
            if not write.anchor:
                # appended rows (Журнал) go after whatever is there now
                offset = appended.setdefault(write.tab, max(len(rows), 1) + 1 - write.row)
                row = write.row + max(offset, 0)
            ref = f"{quote_tab(write.tab)}!{column_letter(write.column)}{row}"
            data.append({"range": ref, "majorDimension": "ROWS", "values": [[write.value]]})
        if data:
            self.client.http_client.values_batch_update(
                self.spreadsheet_id, body={"valueInputOption": "RAW", "data": data}
            )
        return WriteReport(len(data), skipped)

    def _current_rows(self, tabs: set[str]) -> dict[str, list[list[object]]]:
        ordered = sorted(tabs)
        response = self.client.http_client.values_batch_get(
            self.spreadsheet_id,
            [quote_tab(t) for t in ordered],
            params={"valueRenderOption": "FORMULA", "dateTimeRenderOption": "SERIAL_NUMBER"},
        )
        result: dict[str, list[list[object]]] = defaultdict(list)
        for tab, value_range in zip(ordered, response.get("valueRanges", []), strict=False):
            result[tab] = value_range.get("values", [])
        return result


def _cell_text(rows: list[list[object]], row: int, column: int) -> str:
    if row - 1 < len(rows) and column - 1 < len(rows[row - 1]):
        value = rows[row - 1][column - 1]
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return "" if value is None else str(value)
    return ""


def _holds(rows: list[list[object]], row: int, write: CellWrite) -> bool:
    return all(normalize_text(_cell_text(rows, row, c)) == normalize_text(v) for c, v in write.anchor)


def _find_row(rows: list[list[object]], write: CellWrite) -> int | None:
    """The row that now holds the write's anchor: where it was, or the one row it moved to."""
    if _holds(rows, write.row, write):
        return write.row
    if all(not v for _, v in write.anchor):
        return None  # an all-blank anchor matches any empty row: never guess
    matches = [r for r in range(2, len(rows) + 1) if _holds(rows, r, write)]
    return matches[0] if len(matches) == 1 else None
