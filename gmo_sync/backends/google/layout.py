"""How the master sheet looks in Google Sheets: a tab's name in A1 notation, and the formatting of its
tabs and columns (bold frozen headers, dropdowns, warning-only protection of the tool's columns, red
«просрочено») — laid out by ``init --google`` and again by the repair of a deleted tab or header.
"""

from __future__ import annotations

from typing import Any

from gmo_sync.core.schema import Column, Tab


def quote_tab(title: str) -> str:
    return "'" + title.replace("'", "''") + "'"


def tab_formatting(tab: Tab, sheet_id: int) -> list[dict[str, Any]]:
    requests: list[dict[str, Any]] = [{
        "repeatCell": {
            "range": {"sheetId": sheet_id, "startRowIndex": 0, "endRowIndex": 1},
            "cell": {"userEnteredFormat": {"textFormat": {"bold": True}}},
            "fields": "userEnteredFormat.textFormat.bold",
        }
    }]  # fmt: skip
    for index, column in enumerate(tab.columns):
        requests.extend(column_formatting(tab, column, sheet_id, index))
    return requests


def column_formatting(tab: Tab, column: Column, sheet_id: int, index: int) -> list[dict[str, Any]]:
    """Dropdown, warning-only protection and «просрочено» highlighting of one column (0-based index)."""
    requests: list[dict[str, Any]] = []
    column_range = {"sheetId": sheet_id, "startRowIndex": 1, "startColumnIndex": index,
                    "endColumnIndex": index + 1}  # fmt: skip
    options = column.choices
    if options:
        requests.append({"setDataValidation": {"range": column_range, "rule": {
            "condition": {"type": "ONE_OF_LIST", "values": [{"userEnteredValue": o} for o in options]},
            "strict": False, "showCustomUi": True}}})  # fmt: skip
    if column.tool:
        # warning only: a coordinator may still fix a cell, but is told the tool owns it
        requests.append({"addProtectedRange": {"protectedRange": {
            "range": column_range, "warningOnly": True,
            "description": f"«{column.header}» заполняет gmo-sync"}}})  # fmt: skip
    if (tab.name, column.header) == ("Решения", "Статус"):
        requests.append({"addConditionalFormatRule": {"index": 0, "rule": {
            "ranges": [column_range],
            "booleanRule": {
                "condition": {"type": "TEXT_EQ", "values": [{"userEnteredValue": "просрочено"}]},
                "format": {"backgroundColor": {"red": 0.96, "green": 0.8, "blue": 0.8}}}}}})  # fmt: skip
    return requests
