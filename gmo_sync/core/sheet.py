"""What a sheet backend hands to the core, and what the core asks it to write.

The core never talks to openpyxl or gspread: a backend reads every tab once into a
``SheetSnapshot`` and later applies a list of ``CellWrite``s in one go.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gmo_sync.core.parsing import CellValue


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
