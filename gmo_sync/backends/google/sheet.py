"""The master sheet as a Google Sheet (gspread).

Reading: one ``spreadsheets.get`` with grid data returns every tab, its merges,
formulas (so they are reported, not taken as data), hyperlinks and number-format
types, so serial numbers become dates and times only where the cell is one. This
sidesteps gspread's numericising (``"0123"`` → 123, ``"1,5"`` → 15) and locale-
formatted strings entirely. Plain numbers other than whole ones read as the
sheet shows them («1,5», «50 %»).

Writing: coordinators keep editing while a run is in progress. Just before the
single write, the tool re-reads the tabs it writes (one ``values.batchGet``) and
re-finds every row by its anchor (ID, or blank ID plus topic): a row that moved
is written where it now is, a row that vanished is skipped and reported. The
write itself is one ``values.batchUpdate`` with ``RAW`` input, so text starting
with «=» stays text. Sheets has no compare-and-set, so a sort, insert or delete
landing between that re-read and the write would shift rows under it. The write
checks itself: each row's range spans its anchor cells too, with null for every
cell it does not write (Google skips nulls), and asks for the values back
(``includeValuesInResponse``: all values of the requested range as they are
after the update). Only when an answer shows a row that no longer holds its
anchor and the values just written does the tool read the tabs again, restore
what landed in a foreign row and write it into its own (at most
``REPAIR_ROUNDS`` times; what is still unplaced is reported and written by the
next run). What stays open: a coordinator typing into a tool cell of a row
inserted in that sub-second window loses it to the restore, and a column inserted
in it is not seen (a column moved before the re-read is: ``place_writes`` checks
each write's header).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import gspread

from gmo_sync.backends.google.connection import GoogleConnection
from gmo_sync.backends.google.layout import quote_tab
from gmo_sync.core.parsing import SERIAL_EPOCH
from gmo_sync.core.ports import WriteReport
from gmo_sync.core.problems import cell_ref, column_letter
from gmo_sync.core.repair import SheetRepair
from gmo_sync.core.sheet import (
    CellWrite,
    Formula,
    Placed,
    SheetSnapshot,
    TabData,
    anchor_holds,
    find_row,
    lost_message,
    place_writes,
    text_at,
)

log = logging.getLogger(__name__)

GRID_FIELDS = (
    "properties/title,sheets(properties(sheetId,title),merges,"
    "data(startRow,startColumn,rowData/values(userEnteredValue,effectiveValue,"
    "formattedValue,effectiveFormat/numberFormat/type,userEnteredFormat/numberFormat/type,hyperlink)))"
)


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
        kind = _number_type(cell.get("effectiveFormat")) or _number_type(cell.get("userEnteredFormat"))
        number = value["numberValue"]
        if kind in ("DATE", "TIME", "DATE_TIME") or (kind in ("", "NUMBER") and float(number).is_integer()):
            return from_serial(number, kind)  # whole numbers stay numbers: a bare serial is still a date
        # Any other number reads as the coordinator sees it: «1,5» in a Russian sheet, not 1.5; «50 %»,
        # not 0.5.
        shown = cell.get("formattedValue")
        return shown if isinstance(shown, str) and shown else from_serial(number, kind)
    return None


def _number_type(cell_format: dict[str, Any] | None) -> str:
    return str(((cell_format or {}).get("numberFormat") or {}).get("type", ""))


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

    def repair(self, repairs: Sequence[SheetRepair]) -> None:
        from gmo_sync.backends.google.sheet_repair import repair_sheet  # it builds on init's formatting

        repair_sheet(self.client.http_client, self.spreadsheet_id, repairs)

    def write(self, writes: Sequence[CellWrite]) -> WriteReport:
        if not writes:
            return WriteReport(0, [])
        writes, clipped = _fit_cells(writes)
        tabs = {w.tab for w in writes}
        before = self._current_rows(tabs)
        placed, skipped = place_writes(writes, before)
        if not placed:
            return WriteReport(0, skipped, clipped)
        seen = self._send([(p.write, p.row, p.write.value) for p in placed])
        written = len(placed)
        anchored = [p for p in placed if p.write.anchor]
        # A sort, insert or delete landing between the re-read and the write shifts rows under it
        # (Sheets has no compare-and-set). The write's own answer shows each row right after it: only
        # when one no longer holds its anchor and its new values, read back, undo what landed in a
        # foreign row and redo it in the right one.
        for round_ in range(REPAIR_ROUNDS + 1):
            if not anchored or _in_place(anchored, seen):
                break
            after = self._current_rows(tabs)
            undo, redo, lost, restored = _repairs(anchored, before, after)
            if not undo and not redo and not lost:
                break
            if round_ == REPAIR_ROUNDS:
                redo, lost = [], lost + [p.write for p in redo]  # give up: report, the next run retries
            skipped.extend(lost_message(w) for w in lost)
            written -= len(lost)
            cells = {(w.tab, row, w.column): (w, row, value) for w, row, value in undo}
            cells.update(
                {(p.write.tab, p.row, p.write.column): (p.write, p.row, p.write.value) for p in redo}
            )
            seen = {}
            if cells:
                log.info("строки сдвинулись во время записи: исправляется ячеек: %d", len(cells))
                seen = self._send(list(cells.values()))
            anchored, before = redo, restored
        return WriteReport(written, skipped, clipped)

    def _send(self, cells: list[tuple[CellWrite, int, str]]) -> Seen:
        """One ``values.batchUpdate``, RAW: text starting with «=» stays text; answers with the rows written.

        A row with an anchor is one range from its leftmost to its rightmost anchor or written cell;
        every cell in it this write does not own is null, which Google skips («Null values will be
        skipped», ValueRange), so a coordinator's cell in between is never touched. Google answers with
        all values of each requested range after the update: the anchor check costs no read.
        """
        rows: dict[tuple[str, int], dict[int, str]] = defaultdict(dict)
        anchors: dict[tuple[str, int], set[int]] = defaultdict(set)
        loose: list[tuple[CellWrite, int, str]] = []  # rows with no anchor (appended Журнал lines)
        for w, row, value in cells:
            if w.anchor:
                rows[(w.tab, row)][w.column] = value
                anchors[(w.tab, row)].update(column for column, _ in w.anchor)
            else:
                loose.append((w, row, value))
        data, spans = [], []
        for (tab, row), values in rows.items():
            first = min(anchors[(tab, row)] | values.keys())
            last = max(anchors[(tab, row)] | values.keys())
            line = [values.get(column) for column in range(first, last + 1)]
            data.append({"range": f"{quote_tab(tab)}!{column_letter(first)}{row}:{column_letter(last)}{row}",
                         "majorDimension": "ROWS", "values": [line]})  # fmt: skip
            spans.append((tab, row, first))
        data += [
            {"range": f"{quote_tab(w.tab)}!{column_letter(w.column)}{row}", "majorDimension": "ROWS",
             "values": [[value]]}
            for w, row, value in loose
        ]  # fmt: skip
        answer = self.client.http_client.values_batch_update(
            self.spreadsheet_id,
            body={"valueInputOption": "RAW", "data": data, "includeValuesInResponse": bool(spans),
                  "responseValueRenderOption": "FORMULA", "responseDateTimeRenderOption": "SERIAL_NUMBER"},
        )  # fmt: skip
        seen: Seen = defaultdict(dict)
        for (tab, row, first), response in zip(spans, answer.get("responses", []), strict=False):
            got = (response.get("updatedData") or {}).get("values") or [[]]
            seen[tab][row] = [None] * (first - 1) + list(got[0])
        return seen

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


CELL_CHARS = 50_000  # Google Sheets refuses the whole write when one cell holds more (400 INVALID_ARGUMENT)


def _fit_cells(writes: Sequence[CellWrite]) -> tuple[list[CellWrite], list[str]]:
    """Cut what would not fit a cell, with a note per cell: one long text must not cost the whole write."""
    fitted: list[CellWrite] = []
    notes: list[str] = []
    for w in writes:
        if len(w.value) > CELL_CHARS:
            notes.append(
                f"{cell_ref(w.tab, w.row, w.column)}: текст длиннее {CELL_CHARS:,} символов".replace(",", " ")
                + " (предел ячейки Google Таблиц) — записано только начало текста"
            )
            w = replace(w, value=w.value[: CELL_CHARS - 1] + "…")
        fitted.append(w)
    return fitted, notes


REPAIR_ROUNDS = 2  # races are rare and each round narrows them; after that the next run finishes the job
Seen = dict[str, dict[int, list[object]]]  # tab → row → its cells as the write's answer showed them


def _in_place(placed: list[Placed], seen: Seen) -> bool:
    """Every row the write's answer showed holds its anchor and the values just written into it."""
    groups: dict[tuple[str, int, tuple[tuple[int, str], ...]], dict[int, str]] = defaultdict(dict)
    for p in placed:
        groups[(p.write.tab, p.row, p.write.anchor)][p.write.column] = p.write.value
    for (tab, row, anchor), values in groups.items():
        cells = seen.get(tab, {}).get(row)
        if cells is None or not anchor_holds([cells], 1, tuple((dict(anchor) | values).items())):
            return False
    return True


def _repairs(
    placed: list[Placed], before: dict[str, list[list[object]]], after: dict[str, list[list[object]]]
) -> tuple[list[tuple[CellWrite, int, str]], list[Placed], list[CellWrite], dict[str, list[list[object]]]]:
    """What landed in a foreign row: cells to restore, writes to redo where their row is now, writes
    whose row is gone, and the rows as they will be once restored (the next round's «before»)."""
    groups: dict[tuple[str, int, tuple[tuple[int, str], ...]], list[CellWrite]] = defaultdict(list)
    for p in placed:
        groups[(p.write.tab, p.row, p.write.anchor)].append(p.write)
    undo: list[tuple[CellWrite, int, str]] = []
    misplaced: list[tuple[str, int, tuple[tuple[int, str], ...], list[CellWrite]]] = []
    for (tab, row, anchor), group in groups.items():
        rows = after[tab]
        # the row as it must look now: its anchor, with this run's own writes in it
        expected = dict(anchor) | {w.column: w.value for w in group}
        if find_row(rows, row, tuple(expected.items())) is not None:
            continue  # in place, or moved after the write and took the values along
        misplaced.append((tab, row, anchor, group))
        written = {w.column for w in group}
        for w in group:
            if text_at(rows, row, w.column) == w.value:
                undo.append((w, row, _old_value(before[tab], rows, row, w.column, written)))
    # Re-find rows only once the foreign cells are restored: a misplaced ID write may have covered
    # the very ID another row is anchored on.
    restored = {tab: [list(r) for r in rows] for tab, rows in after.items()}
    for w, row, value in undo:
        _set_text(restored[w.tab], row, w.column, value)
    redo: list[Placed] = []
    lost: list[CellWrite] = []
    for tab, row, anchor, group in misplaced:
        now = find_row(restored[tab], row, anchor)
        if now is None:
            lost.extend(group)
        else:
            redo.extend(Placed(w, now) for w in group)
    return undo, redo, lost, restored


def _set_text(rows: list[list[object]], row: int, column: int, value: str) -> None:
    while len(rows) < row:
        rows.append([])
    cells = rows[row - 1]
    while len(cells) < column:
        cells.append("")
    cells[column - 1] = value


def _old_value(before: list[list[object]], after: list[list[object]], row: int, column: int,
               written: set[int]) -> str:  # fmt: skip
    """What the row now at ``row`` had in ``column`` before the write: found by its other cells."""
    width = max(len(r) for r in [*before, *after]) if before or after else 0
    others = [c for c in range(1, width + 1) if c not in written]
    signature = [text_at(after, row, c) for c in others]
    olds = {
        text_at(before, r, column)
        for r in range(2, len(before) + 1)
        if [text_at(before, r, c) for c in others] == signature
    }
    # a row inserted in the race window was not there before: its tool cell was (almost surely) blank
    return olds.pop() if len(olds) == 1 else ""
