"""Put the tool's deleted tabs and headers back into the Google Sheet (see ``core.repair``).

Two requests, only when something is missing: one ``batchUpdate`` adds the tabs with the same
formatting ``init --google`` gives them (frozen header row, warning-only protection of the tool's
columns), one ``values.batchUpdate`` writes the headers as RAW text. The grid grows by the columns a new
header needs (a header past the last column is refused, not stretched, by Sheets).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gmo_sync.backends.google.layout import column_formatting, quote_tab, tab_formatting
from gmo_sync.core.problems import column_letter
from gmo_sync.core.repair import SheetRepair


def repair_sheet(http: Any, spreadsheet_id: str, repairs: Sequence[SheetRepair]) -> None:
    fields = "sheets.properties(sheetId,title,gridProperties.columnCount)"
    meta = http.spreadsheets_get(spreadsheet_id, params={"fields": fields})
    ids = {s["properties"]["title"]: int(s["properties"]["sheetId"]) for s in meta.get("sheets", [])}
    widths = {s["properties"]["title"]: int(s["properties"].get("gridProperties", {}).get("columnCount", 26))
              for s in meta.get("sheets", [])}  # fmt: skip
    free_id = max(ids.values(), default=0) + 1
    requests: list[dict[str, Any]] = []
    data: list[dict[str, Any]] = []
    for repair in repairs:
        if repair.create:
            sheet_id, free_id = free_id, free_id + 1
            properties = {
                "sheetId": sheet_id,
                "title": repair.sheet_name,
                "gridProperties": {"frozenRowCount": 1},
            }
            requests.append({"addSheet": {"properties": properties}})
            requests.extend(tab_formatting(repair.tab, sheet_id))
        else:
            sheet_id = ids[repair.sheet_name]
            short = max(index for index, _ in repair.columns) - widths[repair.sheet_name]
            if short > 0:  # a header past the grid's last column: Sheets refuses to write it there
                requests.append(
                    {"appendDimension": {"sheetId": sheet_id, "dimension": "COLUMNS", "length": short}}
                )
            for index, column in repair.columns:
                requests.extend(column_formatting(repair.tab, column, sheet_id, index - 1))
        for index, column in repair.columns:
            data.append({"range": f"{quote_tab(repair.sheet_name)}!{column_letter(index)}1",
                         "values": [[column.header]]})  # fmt: skip
    if requests:
        http.batch_update(spreadsheet_id, {"requests": requests})
    http.values_batch_update(spreadsheet_id, body={"valueInputOption": "RAW", "data": data})
