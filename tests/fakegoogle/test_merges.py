"""mergeCells and the permanent 403 fault: the two small additions gmo-sync's sheet tests rely on."""

from __future__ import annotations

import gspread
import pytest


def test_merge_keeps_the_top_left_value_and_is_listed_in_merges(gc: gspread.Client) -> None:
    book = gc.create("merges")
    sheet = book.sheet1
    sheet.update([["a", "b"], ["c", "d"]], "A1", value_input_option="RAW")
    rows = {
        "sheetId": sheet.id,
        "startRowIndex": 0,
        "endRowIndex": 2,
        "startColumnIndex": 0,
        "endColumnIndex": 2,
    }
    book.batch_update({"requests": [{"mergeCells": {"range": rows, "mergeType": "MERGE_ROWS"}}]})
    assert sheet.get_all_values() == [["a"], ["c"]]
    merges = book.fetch_sheet_metadata({"fields": "sheets(merges)"})["sheets"][0]["merges"]
    corners = [
        (m["startRowIndex"], m["endRowIndex"], m["startColumnIndex"], m["endColumnIndex"]) for m in merges
    ]
    assert corners == [(0, 1, 0, 2), (1, 2, 0, 2)]
    overlap = {
        "sheetId": sheet.id,
        "startRowIndex": 0,
        "endRowIndex": 1,
        "startColumnIndex": 1,
        "endColumnIndex": 3,
    }
    with pytest.raises(gspread.exceptions.APIError, match="merge"):
        book.batch_update({"requests": [{"mergeCells": {"range": overlap}}]})


def test_permanent_403_has_no_rate_limit_reason(fake, gc: gspread.Client) -> None:
    book = gc.create("denied")
    fake.add_fault("403_denied", at=1, method="sheets.spreadsheets.values.get")
    with pytest.raises(gspread.exceptions.APIError) as caught:
        book.sheet1.get("A1")
    assert caught.value.code == 403
    assert caught.value.error.get("status") == "PERMISSION_DENIED" and "errors" not in caught.value.error
