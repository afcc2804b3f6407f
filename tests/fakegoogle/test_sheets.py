"""Sheets v4 through real gspread and googleapiclient calls."""

from __future__ import annotations

import gspread
import pytest
from googleapiclient.errors import HttpError

TAB = "Заседания 2026"  # Cyrillic and a space: the range must be quoted


@pytest.fixture
def book(fake):
    return fake.act(
        {
            "action": "create_spreadsheet",
            "title": "Master",
            "sheets": {
                TAB: [
                    ["id", "Дата", "Тема"],
                    ["m1", "13.10.2021", "Открытие"],
                    ["m2", "01.02.2022", "Итоги"],
                ],
                "Other": [],
            },
        }
    )


def test_gspread_round_trip(gc, fake):
    sh = gc.create("Новая таблица")
    ws = sh.sheet1
    assert ws.title == "Лист1"  # a ru_RU spreadsheet names its first sheet like Google does
    ws.update([["id", "n"], ["a", "0123"]], "A1")  # gspread defaults to RAW
    assert ws.get_all_values() == [["id", "n"], ["a", "0123"]]
    assert ws.get_all_records(numericise_ignore=["all"]) == [{"id": "a", "n": "0123"}]
    ws.append_row(["b", "7"], value_input_option="USER_ENTERED")
    assert ws.get("A3:B3", value_render_option="UNFORMATTED_VALUE") == [["b", 7]]
    assert gc.open_by_key(sh.id).title == "Новая таблица"
    new = sh.add_worksheet("Журнал", rows=10, cols=5)
    assert [w.title for w in sh.worksheets()] == ["Лист1", "Журнал"]
    assert new.row_count == 10 and new.col_count == 5
    ws.batch_clear(["A2:B2"])
    assert ws.get_all_values() == [["id", "n"], ["", ""], ["b", "7"]]


def test_values_get_ranges_and_render_options(book, svc):
    values = svc("sheets", "v4").spreadsheets().values()
    got = values.get(spreadsheetId=book, range=f"'{TAB}'!A:C").execute()
    assert got["range"] == f"'{TAB}'!A1:C1000"
    assert got["values"][1] == ["m1", "13.10.2021", "Открытие"]
    serial = values.get(
        spreadsheetId=book,
        range=f"'{TAB}'!B2",
        valueRenderOption="UNFORMATTED_VALUE",
        dateTimeRenderOption="SERIAL_NUMBER",
    ).execute()
    assert serial["values"] == [[44482]]
    text = values.get(
        spreadsheetId=book,
        range=f"'{TAB}'!B2:B3",
        valueRenderOption="UNFORMATTED_VALUE",
        dateTimeRenderOption="FORMATTED_STRING",
    ).execute()
    assert text["values"] == [["13.10.2021"], ["01.02.2022"]]
    columns = values.get(spreadsheetId=book, range=f"'{TAB}'!A1:B3", majorDimension="COLUMNS").execute()
    assert columns["values"][0] == ["id", "m1", "m2"]
    empty = values.get(spreadsheetId=book, range="Other!A1:B2").execute()
    assert "values" not in empty and empty["range"] == "Other!A1:B2"
    batch = values.batchGet(spreadsheetId=book, ranges=[f"'{TAB}'!A1", "Other"]).execute()
    assert [vr["range"] for vr in batch["valueRanges"]] == [f"'{TAB}'!A1", "Other!A1:Z1000"]
    with pytest.raises(HttpError, match="Unable to parse range"):
        values.get(spreadsheetId=book, range="Missing!A1").execute()


def test_raw_versus_user_entered(book, svc):
    values = svc("sheets", "v4").spreadsheets().values()
    rows = [["=1+1", "0123", "13.10.2021", "'0042", "1,5"]]
    values.update(
        spreadsheetId=book, range="Other!A1", valueInputOption="RAW", body={"values": rows}
    ).execute()
    values.update(
        spreadsheetId=book, range="Other!A2", valueInputOption="USER_ENTERED", body={"values": rows}
    ).execute()
    formula = values.get(spreadsheetId=book, range="Other!A1:E2", valueRenderOption="FORMULA").execute()
    assert formula["values"] == [
        ["=1+1", "0123", "13.10.2021", "'0042", "1,5"],
        ["=1+1", 123, 44482, "0042", 1.5],
    ]
    shown = values.get(spreadsheetId=book, range="Other!B2:E2").execute()
    assert shown["values"] == [["123", "13.10.2021", "0042", "1,5"]]  # ru_RU decimal comma


def test_update_checks_grid_and_range_size(book, svc):
    values = svc("sheets", "v4").spreadsheets().values()
    with pytest.raises(HttpError, match="exceeds grid limits"):
        values.update(
            spreadsheetId=book, range="Other!A1001", valueInputOption="RAW", body={"values": [["x"]]}
        ).execute()
    with pytest.raises(HttpError, match="tried writing to row"):
        values.update(
            spreadsheetId=book, range="Other!A1:B1", valueInputOption="RAW", body={"values": [["x"], ["y"]]}
        ).execute()
    with pytest.raises(HttpError, match="valueInputOption"):
        values.update(spreadsheetId=book, range="Other!A1", body={"values": [["x"]]}).execute()


def test_batch_update_skips_nulls_and_answers_with_the_requested_range(book, svc):
    """ValueRange: «Null values will be skipped»; includeValuesInResponse: where the range to write was
    larger than what was written, the answer holds every value of the requested range, as it is after
    the update (sheets.v4.json, BatchUpdateValuesRequest)."""
    values = svc("sheets", "v4").spreadsheets().values()
    done = values.batchUpdate(
        spreadsheetId=book,
        body={
            "valueInputOption": "RAW",
            "includeValuesInResponse": True,
            "responseValueRenderOption": "FORMULA",
            "data": [
                {"range": f"'{TAB}'!A3:D3", "values": [[None, None, None, "=ссылка"]]},
                {"range": "Other!B2", "values": [["x"]]},
            ],
        },
    ).execute()
    first, second = done["responses"]
    assert first["updatedCells"] == 1
    assert first["updatedData"]["values"] == [["m2", 44593, "Итоги", "=ссылка"]]  # the date as a serial
    assert second["updatedData"]["values"] == [["x"]]
    plain = values.batchUpdate(
        spreadsheetId=book,
        body={"valueInputOption": "RAW", "data": [{"range": "Other!C2", "values": [["y"]]}]},
    ).execute()
    assert "updatedData" not in plain["responses"][0]  # only when asked


def test_batch_update_append_clear(book, svc):
    values = svc("sheets", "v4").spreadsheets().values()
    done = values.batchUpdate(
        spreadsheetId=book,
        body={
            "valueInputOption": "RAW",
            "data": [
                {"range": "Other!A1", "values": [["a", "b"]]},
                {"range": "Other!A1:A2", "majorDimension": "COLUMNS", "values": [["c", "d"]]},
            ],
        },
    ).execute()
    assert done["totalUpdatedCells"] == 4
    appended = values.append(
        spreadsheetId=book,
        range=f"'{TAB}'!A1",
        valueInputOption="USER_ENTERED",
        insertDataOption="INSERT_ROWS",
        body={"values": [["m3", "05.05.2023", "x"]]},
    ).execute()
    assert appended["updates"]["updatedRange"] == f"'{TAB}'!A4:C4"
    assert appended["tableRange"] == f"'{TAB}'!A1:C3"
    cleared = values.clear(spreadsheetId=book, range=f"'{TAB}'!C2:C4", body={}).execute()
    assert cleared["clearedRange"] == f"'{TAB}'!C2:C4"
    assert values.get(spreadsheetId=book, range=f"'{TAB}'!A4:C4").execute()["values"] == [
        ["m3", "05.05.2023"]
    ]


def test_spreadsheet_get_fields_and_grid(book, svc):
    sheets = svc("sheets", "v4").spreadsheets()
    meta = sheets.get(
        spreadsheetId=book, includeGridData=False, fields="sheets(properties(title,sheetId))"
    ).execute()
    assert meta == {
        "sheets": [
            {"properties": {"title": TAB, "sheetId": 0}},
            {"properties": {"title": "Other", "sheetId": meta["sheets"][1]["properties"]["sheetId"]}},
        ]
    }
    grid = sheets.get(spreadsheetId=book, ranges=[f"'{TAB}'!A2:B2"], includeGridData=True).execute()
    cell = grid["sheets"][0]["data"][0]["rowData"][0]["values"][1]
    assert cell["effectiveValue"] == {"numberValue": 44482}
    assert cell["formattedValue"] == "13.10.2021"
    assert cell["userEnteredFormat"]["numberFormat"]["type"] == "DATE"


def test_batch_update_requests(book, svc):
    sheets = svc("sheets", "v4").spreadsheets()
    requests = [
        {
            "addSheet": {
                "properties": {"title": "Служебный", "gridProperties": {"rowCount": 5, "columnCount": 3}}
            }
        },
        {
            "updateSheetProperties": {
                "properties": {"sheetId": 0, "gridProperties": {"frozenRowCount": 1}},
                "fields": "gridProperties.frozenRowCount",
            }
        },
        {
            "updateCells": {
                "start": {"sheetId": 0, "rowIndex": 1, "columnIndex": 3},
                "fields": "userEnteredValue,textFormatRuns",
                "rows": [
                    {
                        "values": [
                            {
                                "userEnteredValue": {"stringValue": "Протокол"},
                                "textFormatRuns": [
                                    {
                                        "startIndex": 0,
                                        "format": {"link": {"uri": "https://docs.google.com/document/d/x"}},
                                    }
                                ],
                            }
                        ]
                    }
                ],
            }
        },
        {
            "repeatCell": {
                "range": {"sheetId": 0, "startRowIndex": 0, "endRowIndex": 1},
                "cell": {"userEnteredFormat": {"textFormat": {"bold": True}}},
                "fields": "userEnteredFormat.textFormat",
            }
        },
        {
            "setDataValidation": {
                "range": {"sheetId": 0, "startRowIndex": 1, "startColumnIndex": 4, "endColumnIndex": 5},
                "rule": {"condition": {"type": "ONE_OF_LIST", "values": [{"userEnteredValue": "да"}]}},
            }
        },
        {
            "addProtectedRange": {
                "protectedRange": {
                    "range": {"sheetId": 0, "startColumnIndex": 0, "endColumnIndex": 1},
                    "description": "ids",
                    "warningOnly": True,
                }
            }
        },
        {
            "addConditionalFormatRule": {
                "index": 0,
                "rule": {
                    "ranges": [{"sheetId": 0}],
                    "booleanRule": {
                        "condition": {"type": "BLANK"},
                        "format": {"backgroundColor": {"red": 1}},
                    },
                },
            }
        },
    ]
    replies = sheets.batchUpdate(spreadsheetId=book, body={"requests": requests}).execute()["replies"]
    assert replies[0]["addSheet"]["properties"]["gridProperties"] == {"rowCount": 5, "columnCount": 3}
    assert replies[5]["addProtectedRange"]["protectedRange"]["protectedRangeId"] > 0
    got = sheets.get(spreadsheetId=book, ranges=[f"'{TAB}'!D2:E2"], includeGridData=True).execute()["sheets"][
        0
    ]
    assert got["properties"]["gridProperties"]["frozenRowCount"] == 1
    assert got["protectedRanges"][0]["description"] == "ids"
    assert got["conditionalFormats"][0]["booleanRule"]["condition"]["type"] == "BLANK"
    cells = got["data"][0]["rowData"][0]["values"]
    assert cells[0]["textFormatRuns"][0]["format"]["link"]["uri"].endswith("/x")
    assert cells[1]["dataValidation"]["condition"]["type"] == "ONE_OF_LIST"


def test_batch_update_is_atomic_and_unknown_kinds_are_loud(book, svc):
    sheets = svc("sheets", "v4").spreadsheets()
    with pytest.raises(HttpError, match="already exists"):
        sheets.batchUpdate(
            spreadsheetId=book,
            body={
                "requests": [
                    {"addSheet": {"properties": {"title": "New"}}},
                    {"addSheet": {"properties": {"title": "Other"}}},
                ]
            },
        ).execute()
    titles = [s["properties"]["title"] for s in sheets.get(spreadsheetId=book).execute()["sheets"]]
    assert "New" not in titles
    with pytest.raises(HttpError) as err:
        sheets.batchUpdate(spreadsheetId=book, body={"requests": [{"addChart": {"chart": {}}}]}).execute()
    assert err.value.status_code == 501


def test_dimensions_and_sort(book, svc):
    sheets = svc("sheets", "v4").spreadsheets()
    sheets.batchUpdate(
        spreadsheetId=book,
        body={
            "requests": [
                {
                    "insertDimension": {
                        "range": {"sheetId": 0, "dimension": "ROWS", "startIndex": 1, "endIndex": 2}
                    }
                },
                {
                    "sortRange": {
                        "range": {"sheetId": 0, "startRowIndex": 2, "endRowIndex": 4},
                        "sortSpecs": [{"dimensionIndex": 2, "sortOrder": "DESCENDING"}],
                    }
                },
                {
                    "deleteDimension": {
                        "range": {"sheetId": 0, "dimension": "ROWS", "startIndex": 1, "endIndex": 2}
                    }
                },
            ]
        },
    ).execute()
    got = sheets.values().get(spreadsheetId=book, range=f"'{TAB}'!A1:A3").execute()["values"]
    assert got == [["id"], ["m1"], ["m2"]]  # Открытие > Итоги descending keeps m1 first
    meta = sheets.get(spreadsheetId=book, fields="sheets.properties.gridProperties").execute()
    assert meta["sheets"][0]["properties"]["gridProperties"]["rowCount"] == 1000


def test_gspread_errors_surface_google_shape(gc, book):
    with pytest.raises(gspread.exceptions.SpreadsheetNotFound):
        gc.open_by_key("does-not-exist")
    ws = gc.open_by_key(book).worksheet("Other")
    with pytest.raises(gspread.exceptions.APIError) as err:
        ws.update([["x"]], "Other!A1001")
    assert err.value.response.status_code == 400
    assert err.value.response.json()["error"]["status"] == "INVALID_ARGUMENT"


def test_gspread_surface_is_accepted(gc):
    """A broad sweep of gspread 6.2.1 calls: the fake must not reject what Google accepts."""
    sh = gc.create("Master")
    ws = sh.sheet1
    assert gc.open("Master").id == sh.id  # Drive q with double-quoted strings
    assert [f["name"] for f in gc.list_spreadsheet_files()] == ["Master"]
    ws.update_cell(1, 1, "id")
    ws.batch_update([{"range": "A2:B2", "values": [["a", 1]]}])
    ws.insert_row(["new", "row"], 2)
    ws.delete_rows(2)
    ws.freeze(rows=1)
    ws.format("A1:B1", {"textFormat": {"bold": True}})
    ws.add_protected_range("A1:A5", warning_only=True)
    ws.append_rows([["c", "3"], ["d", "4"]], value_input_option="USER_ENTERED")
    ws.sort((2, "des"), range="A2:B4")
    assert ws.col_values(1) == ["id", "d", "c", "a"]
    assert ws.find("c").row == 3
    ws.resize(rows=50)
    assert ws.row_count == 50
    assert ws.batch_get(["A1:B1", "A2"]) == [[["id"]], [["d"]]]
    ws.update_title("Новый")
    sh.update_title("Master2")
    copy = gc.copy(sh.id, title="Copy")
    assert copy.worksheet("Новый").acell("A2").value == "d"
    ws.clear()
    assert ws.get_all_values() == [[]]  # gspread's own rendering of a response without "values"
    gc.del_spreadsheet(copy.id)
    assert [f["name"] for f in gc.list_spreadsheet_files()] == ["Master2"]
