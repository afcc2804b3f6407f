"""Developer metadata following rows, *ByDataFilter, and coordinator edits between/within client runs."""

from __future__ import annotations

import pytest
from googleapiclient.errors import HttpError

TAB = "Заседания"


@pytest.fixture
def book(fake):
    return fake.act(
        {
            "action": "create_spreadsheet",
            "title": "Master",
            "sheets": {TAB: [["id", "Тема"], ["m1", "Б"], ["m2", "В"], ["m3", "А"]]},
        }
    )


@pytest.fixture
def sheets(svc):
    return svc("sheets", "v4").spreadsheets()


def _tag_rows(sheets, book):
    requests = [
        {
            "createDeveloperMetadata": {
                "developerMetadata": {
                    "metadataKey": "gmo_meeting",
                    "metadataValue": f"m{i}",
                    "visibility": "DOCUMENT",
                    "location": {
                        "dimensionRange": {
                            "sheetId": 0,
                            "dimension": "ROWS",
                            "startIndex": i,
                            "endIndex": i + 1,
                        }
                    },
                }
            }
        }
        for i in (1, 2, 3)
    ]
    replies = sheets.batchUpdate(spreadsheetId=book, body={"requests": requests}).execute()["replies"]
    return [r["createDeveloperMetadata"]["developerMetadata"]["metadataId"] for r in replies]


def _row_of(sheets, book, value: str) -> int:
    lookup = {
        "dataFilters": [{"developerMetadataLookup": {"metadataKey": "gmo_meeting", "metadataValue": value}}]
    }
    found = sheets.developerMetadata().search(spreadsheetId=book, body=lookup).execute()
    (match,) = found["matchedDeveloperMetadata"]
    return match["developerMetadata"]["location"]["dimensionRange"]["startIndex"]


def test_metadata_follows_rows_through_insert_sort_and_delete(fake, book, sheets):
    _tag_rows(sheets, book)
    assert _row_of(sheets, book, "m2") == 2
    fake.act({"action": "insert_row", "spreadsheetId": book, "sheet": TAB, "index": 1, "values": ["m0", "Г"]})
    assert _row_of(sheets, book, "m2") == 3
    fake.act({"action": "sort_range", "spreadsheetId": book, "range": f"'{TAB}'!A2:B5", "column": "B"})
    # sorted by topic: А(m3) Б(m1) В(m2) Г(m0)
    assert [_row_of(sheets, book, m) for m in ("m3", "m1", "m2")] == [1, 2, 3]
    fake.act({"action": "delete_row", "spreadsheetId": book, "sheet": TAB, "index": 2})  # m1's row
    found = (
        sheets.developerMetadata()
        .search(
            spreadsheetId=book,
            body={"dataFilters": [{"developerMetadataLookup": {"metadataKey": "gmo_meeting"}}]},
        )
        .execute()
    )
    assert sorted(m["developerMetadata"]["metadataValue"] for m in found["matchedDeveloperMetadata"]) == [
        "m2",
        "m3",
    ]
    assert _row_of(sheets, book, "m2") == 2


def test_by_data_filter_reads_and_writes_the_tagged_row(fake, book, sheets):
    _tag_rows(sheets, book)
    fake.act({"action": "insert_row", "spreadsheetId": book, "sheet": TAB, "index": 1})
    lookup = {"developerMetadataLookup": {"metadataKey": "gmo_meeting", "metadataValue": "m2"}}
    got = (
        sheets.values()
        .batchGetByDataFilter(
            spreadsheetId=book, body={"dataFilters": [lookup], "valueRenderOption": "UNFORMATTED_VALUE"}
        )
        .execute()
    )
    (vr,) = got["valueRanges"]
    assert vr["valueRange"]["values"] == [["m2", "В"]] and vr["valueRange"]["range"] == f"'{TAB}'!A4:Z4"
    sheets.values().batchUpdateByDataFilter(
        spreadsheetId=book,
        body={
            "valueInputOption": "RAW",
            "data": [{"dataFilter": lookup, "values": [["m2", "В (изменено)"]]}],
        },
    ).execute()
    assert sheets.values().get(spreadsheetId=book, range=f"'{TAB}'!B4").execute()["values"] == [
        ["В (изменено)"]
    ]


def test_metadata_rows_move_with_insert_and_delete_dimension(book, sheets):
    ids = _tag_rows(sheets, book)
    sheets.batchUpdate(
        spreadsheetId=book,
        body={
            "requests": [
                {
                    "insertDimension": {
                        "range": {"sheetId": 0, "dimension": "ROWS", "startIndex": 0, "endIndex": 2}
                    }
                },
                {
                    "deleteDimension": {
                        "range": {"sheetId": 0, "dimension": "ROWS", "startIndex": 3, "endIndex": 4}
                    }
                },
            ]
        },
    ).execute()
    got = sheets.get(spreadsheetId=book, fields="sheets.developerMetadata").execute()["sheets"][0]
    by_value = {
        m["metadataValue"]: m["location"]["dimensionRange"]["startIndex"] for m in got["developerMetadata"]
    }
    assert by_value == {"m2": 3, "m3": 4}  # +2 inserted above, then m1 deleted with its row
    deleted = sheets.batchUpdate(
        spreadsheetId=book,
        body={
            "requests": [
                {
                    "deleteDeveloperMetadata": {
                        "dataFilter": {"developerMetadataLookup": {"metadataId": ids[1]}}
                    }
                }
            ]
        },
    ).execute()
    assert (
        deleted["replies"][0]["deleteDeveloperMetadata"]["deletedDeveloperMetadata"][0]["metadataValue"]
        == "m2"
    )


def test_metadata_needs_visibility(book, sheets):
    with pytest.raises(HttpError, match="visibility"):
        sheets.batchUpdate(
            spreadsheetId=book,
            body={
                "requests": [
                    {
                        "createDeveloperMetadata": {
                            "developerMetadata": {"metadataKey": "k", "location": {"sheetId": 0}}
                        }
                    }
                ]
            },
        ).execute()


def test_action_before_request_k_interleaves_with_a_client_run(fake, book, gc):
    ws = gc.open_by_key(book).worksheet(TAB)
    n = fake.request_count
    fake.act(
        {"action": "set_cell", "spreadsheetId": book, "range": f"'{TAB}'!B2", "value": "правка"},
        before_request=n + 2,
    )
    first = ws.acell("B2").value  # request n+1: before the edit
    second = ws.acell("B2").value  # request n+2: the edit happened just before it
    assert (first, second) == ("Б", "правка")


def test_edit_doc_by_hand_bumps_version(fake, svc):
    doc = fake.act({"action": "create_doc", "title": "Протокол", "paragraphs": ["Тема: {{topic}}"]})
    drive = svc("drive", "v3")
    before = drive.files().get(fileId=doc, fields="version,modifiedTime").execute()
    fake.act({"action": "edit_doc", "documentId": doc, "replace": {"{{topic}}": "Итоги года"}})
    after = drive.files().get(fileId=doc, fields="version,modifiedTime").execute()
    assert int(after["version"]) > int(before["version"]) and after["modifiedTime"] > before["modifiedTime"]
    assert fake.state()["docs"][doc] == ["Тема: Итоги года"]


def test_unknown_action_is_rejected(fake):
    with pytest.raises(ValueError, match="unknown action"):
        fake.act({"action": "burn_it_down"})
