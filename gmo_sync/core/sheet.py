"""What a sheet backend hands to the core, and what the core asks it to write.

The core never talks to openpyxl or gspread: a backend reads every tab once into a
``SheetSnapshot`` and later applies a list of ``CellWrite``s in one go.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from gmo_sync.core.parsing import CellValue, normalize_text
from gmo_sync.core.problems import cell_ref


@dataclass(frozen=True)
class Formula:
    """A cell that holds a formula. The tool reads it as a problem, never as data."""

    text: str


@dataclass
class TabData:
    name: str
    rows: list[list[CellValue | Formula]]  # rows[0] is sheet row 1 (the headers)
    links: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, column) → hyperlink target
    merged: list[str] = field(default_factory=list)  # merged ranges, A1 notation

    def cell(self, row: int, column: int) -> CellValue | Formula:
        if row - 1 < len(self.rows):
            cells = self.rows[row - 1]
            if column - 1 < len(cells):
                return cells[column - 1]
        return None


@dataclass
class SheetSnapshot:
    tabs: dict[str, TabData]  # by the tab's name as spelled in the sheet


@dataclass(frozen=True)
class CellWrite:
    """One tool-owned cell to set.

    ``anchor`` is a tuple of (column, expected text) pairs — the backend re-checks
    that the row still holds them before writing (IDs compare with case, spaces and
    ё ignored), so a row moved by a coordinator during the run never receives
    another meeting's value. Empty for rows the tool appends.
    """

    tab: str
    row: int
    column: int
    value: str
    header: str
    old: str = ""
    link: str | None = None
    anchor: tuple[tuple[int, str], ...] = ()


# -- the row-anchor rule, once for every sheet backend ---------------------------------------------------
# A backend re-reads the rows it writes just before writing (a workbook reloaded from disk, a Google
# Sheet re-read), then places every write with ``place_writes``: a row whose anchor still holds is
# written where it is, a row that moved is written where it now is, and a row that vanished (or an
# anchor that now matches several rows) is skipped and reported — never written into another row.
# A write whose column no longer carries its header (a column inserted or deleted meanwhile) is skipped
# and reported too: never written into another column.

Rows = Sequence[Sequence[object]]  # rows[0] is sheet row 1; cells as the backend reads them back


def cell_text(value: object) -> str:
    """A cell as anchors compare it: a whole float is the integer a sheet shows, a formula its text."""
    if value is None:
        return ""
    if isinstance(value, Formula):
        return value.text
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _at(rows: Rows, row: int, column: int) -> object:
    if row - 1 < len(rows) and column - 1 < len(rows[row - 1]):
        return rows[row - 1][column - 1]
    return None


def text_at(rows: Rows, row: int, column: int) -> str:
    return cell_text(_at(rows, row, column))


def anchor_holds(rows: Rows, row: int, anchor: Sequence[tuple[int, str]]) -> bool:
    """IDs and anchors compare as coordinators see them: case, spaces and ё ignored."""
    return all(normalize_text(cell_text(_at(rows, row, c))) == normalize_text(v) for c, v in anchor)


def find_row(rows: Rows, row: int, anchor: Sequence[tuple[int, str]]) -> int | None:
    """The row that now holds ``anchor``: where it was, or the one row it moved to."""
    if anchor_holds(rows, row, anchor):
        return row
    if all(not v for _, v in anchor):
        return None  # an all-blank anchor matches any empty row: never guess
    matches = [r for r in range(2, len(rows) + 1) if anchor_holds(rows, r, anchor)]
    return matches[0] if len(matches) == 1 else None


@dataclass(frozen=True)
class Placed:
    write: CellWrite
    row: int  # where it is to be written now


def place_writes(writes: Sequence[CellWrite], current: Mapping[str, Rows]) -> tuple[list[Placed], list[str]]:
    """Where each write goes in the tabs as they are now (``current``: rows by tab), and the Russian
    messages for the writes whose row is gone."""
    placed: list[Placed] = []
    skipped: list[str] = []
    appended: dict[str, int] = {}
    for write in writes:
        rows = current.get(write.tab, [])
        if not write.anchor:
            # appended rows (Журнал) go after whatever is there now
            offset = appended.setdefault(write.tab, max(len(rows), 1) + 1 - write.row)
            placed.append(Placed(write, write.row + max(offset, 0)))
            continue
        if normalize_text(text_at(rows, 1, write.column)) != normalize_text(write.header):
            # A column inserted or deleted since the read shifts every column right of it, and the row's
            # anchor (the ID, left of it) still holds: the value would land in a coordinator's column.
            skipped.append(moved_column_message(write, text_at(rows, 1, write.column)))
            continue
        row = find_row(rows, write.row, write.anchor)
        if row is None:
            skipped.append(lost_message(write))
        else:
            placed.append(Placed(write, row))
    return placed, skipped


def moved_column_message(write: CellWrite, now: str) -> str:
    there = f"теперь здесь «{now}»" if now.strip() else "теперь здесь нет заголовка"
    return (
        f"{cell_ref(write.tab, write.row, write.column)}: столбцы изменились во время работы (ожидался "
        f"«{write.header}», {there}), значение не записано (будет записано при следующем запуске)"
    )


def lost_message(write: CellWrite) -> str:
    return (
        f"{cell_ref(write.tab, write.row, write.column)}: строка изменилась или удалена во время "
        f"работы, значение не записано (будет записано при следующем запуске)"
    )
