"""Test helpers: edit and read the workspace workbook the way a coordinator (or Excel) would."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from gmo_sync.core.schema import header_key


def column_of(sheet: openpyxl.worksheet.worksheet.Worksheet, header: str) -> int:
    for cell in sheet[1]:
        if cell.value is not None and header_key(cell.value) == header_key(header):
            return cell.column
    raise KeyError(header)


def edit(path: Path, tab: str, row: int, header: str, value: object) -> None:
    book = openpyxl.load_workbook(path)
    sheet = book[tab]
    sheet.cell(row, column_of(sheet, header)).value = value
    book.save(path)


def reorder(path: Path, tab: str, order: list[int]) -> None:
    """Rows (1-based) rearranged as ``order`` lists them, the way a sort in Excel leaves the tab."""
    book = openpyxl.load_workbook(path)
    sheet = book[tab]
    values = {r: [c.value for c in sheet[r]] for r in order}
    for new, old in enumerate(order, start=1):
        for column, value in enumerate(values[old], start=1):
            sheet.cell(new, column).value = value
    book.save(path)


def append(path: Path, tab: str, values: dict[str, object]) -> int:
    book = openpyxl.load_workbook(path)
    sheet = book[tab]
    row = sheet.max_row + 1
    for header, value in values.items():
        sheet.cell(row, column_of(sheet, header)).value = value
    book.save(path)
    return row


def read(path: Path, tab: str, row: int, header: str) -> object:
    sheet = openpyxl.load_workbook(path)[tab]
    return sheet.cell(row, column_of(sheet, header)).value


def cell(path: Path, tab: str, row: int, header: str) -> openpyxl.cell.cell.Cell:
    sheet = openpyxl.load_workbook(path)[tab]
    return sheet.cell(row, column_of(sheet, header))


def rows(path: Path, tab: str) -> list[tuple[object, ...]]:
    return [tuple(r) for r in openpyxl.load_workbook(path)[tab].iter_rows(values_only=True)]
