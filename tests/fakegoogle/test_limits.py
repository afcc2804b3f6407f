"""One test per row of LIMITS.md: each documented Google limit, answered the way Google answers it."""

from __future__ import annotations

import io
import zipfile

import pytest
from googleapiclient.errors import HttpError
from googleapiclient.http import MediaIoBaseUpload

from . import clients, limits
from .docs import DOCX_MIME, minimal_docx
from .drive import DOC_MIME

CYRILLIC_70 = "Заседание рабочей группы по сопровождению школьных библиотек г. Красноярска"[:70]


@pytest.fixture
def drive(svc):
    return svc("drive", "v3")


@pytest.fixture
def events(svc):
    return svc("calendar", "v3").events()


@pytest.fixture
def session(fake, user_creds):
    return clients.RewritingSession(user_creds, fake.base_url, fake.ca_path)


def _error(exc: pytest.ExceptionInfo[HttpError]) -> dict:
    import json

    return json.loads(exc.value.content)["error"]


def _event(**extra):
    return {
        "start": {"dateTime": "2026-12-01T15:00:00+07:00"},
        "end": {"dateTime": "2026-12-01T16:30:00+07:00"},
        **extra,
    }


# -- Drive ---------------------------------------------------------------------------------------------------
def test_drive_property_over_124_bytes_is_403_property_length_limit_exceeded(fake, drive):
    assert len(CYRILLIC_70) == 70 and len(("gmoMeeting" + CYRILLIC_70).encode()) == 141
    with pytest.raises(HttpError) as refused:
        drive.files().create(body={"name": "p", "appProperties": {"gmoMeeting": CYRILLIC_70}}).execute()
    error = _error(refused)
    assert (refused.value.status_code, error["status"]) == (403, "PERMISSION_DENIED")
    assert error["errors"][0]["reason"] == "propertyLengthLimitExceeded"
    assert "124 bytes in UTF-8" in error["message"]
    assert fake.ws.files == {}
    # exactly 124 bytes is allowed, public properties count the same way, updates too
    fits = "я" * 57  # 10 + 114 bytes
    created = drive.files().create(body={"name": "p", "appProperties": {"gmoMeeting": fits}}).execute()
    with pytest.raises(HttpError, match="124 bytes"):
        drive.files().update(fileId=created["id"], body={"properties": {"k": "я" * 62}}).execute()
    got = drive.files().get(fileId=created["id"], fields="appProperties,properties").execute()
    assert got == {"appProperties": {"gmoMeeting": fits}, "properties": {}}


def test_drive_more_than_30_properties_per_app_is_refused_and_changes_nothing(fake, drive):
    thirty = {f"k{i}": "v" for i in range(30)}
    created = drive.files().create(body={"name": "p", "appProperties": thirty}).execute()
    with pytest.raises(HttpError) as refused:
        drive.files().update(
            fileId=created["id"], body={"name": "renamed", "appProperties": {"k30": "v"}}
        ).execute()
    assert refused.value.status_code == 403
    assert _error(refused)["errors"][0]["reason"] == "propertyCountLimitExceeded"
    assert fake.ws.files[created["id"]]["name"] == "p"  # a refused update is not half-applied
    # replacing one (null deletes) keeps the count at 30: allowed
    drive.files().update(fileId=created["id"], body={"appProperties": {"k0": None, "k30": "v"}}).execute()
    assert len(fake.ws.files[created["id"]]["appProperties"]) == 30


def test_drive_file_name_over_1024_characters_is_400(fake, drive):
    drive.files().create(body={"name": "я" * 1024}).execute()
    with pytest.raises(HttpError) as refused:
        drive.files().create(body={"name": "я" * 1025}).execute()
    assert refused.value.status_code == 400 and "too long" in str(refused.value)
    assert len(fake.ws.files) == 1


def test_drive_export_over_10_mb_is_403_export_size_limit_exceeded(fake, drive):
    buffer = io.BytesIO()
    with zipfile.ZipFile(minimal_docx_stream()) as small, zipfile.ZipFile(buffer, "w") as big:
        for item in small.infolist():
            big.writestr(item, small.read(item))
        big.writestr("word/media/photo.bin", bytes(range(256)) * (limits.EXPORT_BYTES // 256 + 1))
    media = MediaIoBaseUpload(io.BytesIO(buffer.getvalue()), mimetype=DOCX_MIME)
    doc = drive.files().create(body={"name": "big", "mimeType": DOC_MIME}, media_body=media).execute()
    with pytest.raises(HttpError) as refused:
        drive.files().export(fileId=doc["id"], mimeType=DOCX_MIME).execute()
    assert refused.value.status_code == 403
    assert _error(refused)["errors"][0] == {
        "message": "This file is too large to be exported.",
        "domain": "global",
        "reason": "exportSizeLimitExceeded",
    }
    assert drive.files().export(fileId=doc["id"], mimeType="text/plain").execute()  # small as text


def minimal_docx_stream() -> io.BytesIO:
    return io.BytesIO(minimal_docx(["текст"]))


def test_drive_page_size_over_1000_is_coerced_not_rejected(fake, drive, session):
    for i in range(3):
        drive.files().create(body={"name": f"f{i}"}).execute()
    assert len(drive.files().list(pageSize=5000).execute()["files"]) == 3
    assert fake.request_log()[-1]["status"] == 200
    assert session.get(fake.base_url + "/drive/v3/files", params={"pageSize": "0"}).status_code == 400


def test_drive_batch_parts_past_100_fail_alone_with_403(fake, svc):
    drive = svc("drive", "v3", batch_safe=True)
    results: dict[str, object] = {}
    batch = clients.batch(fake.base_url, "drive", lambda rid, resp, exc: results.update({rid: exc or resp}))
    for i in range(101):
        batch.add(drive.files().create(body={"name": f"f{i}"}), request_id=str(i))
    batch.execute()
    assert results["99"]["name"] == "f99"
    over = results["100"]
    assert isinstance(over, HttpError) and over.status_code == 403
    assert "soft limit" in str(over) and over.error_details[0]["reason"] == "forbidden"
    assert len(fake.ws.files) == 100


def test_calendar_batch_over_1000_parts_is_refused_whole(fake, session):
    part = "GET /calendar/v3/calendars/primary/events/abcde HTTP/1.1\r\n\r\n"
    body = (
        "".join(f"--b\r\nContent-Type: application/http\r\n\r\n{part}\r\n" for _ in range(1001)) + "--b--\r\n"
    )
    response = session.post(
        fake.base_url + "/batch/calendar/v3",
        data=body.encode(),
        headers={"Content-Type": "multipart/mixed; boundary=b"},
    )
    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": 400,
            "message": "Inner request count exceeds the limit. Received: 1001, Limit: 1000",
            "status": "INVALID_ARGUMENT",
        }
    }
    assert [e for e in fake.request_log() if e["api_method"] != "oauth2.token"] == []  # no part looked at


# -- Calendar ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("bad", ["ABCDE", "abcdw", "abcd", "a" * 1025, "gmo-1"])
def test_calendar_event_ids_are_base32hex_of_5_to_1024_characters(fake, events, bad):
    events.insert(calendarId="primary", body=_event(id="v" * 1024)).execute()
    events.insert(calendarId="primary", body=_event(id="0a9v5")).execute()
    with pytest.raises(HttpError) as refused:
        events.insert(calendarId="primary", body=_event(id=bad)).execute()
    assert refused.value.status_code == 400 and _error(refused)["errors"][0]["reason"] == "invalid"


def test_calendar_extended_properties_long_keys_vanish_and_long_values_are_cut(fake, events):
    private = {"k" * 44: "kept", "k" * 45: "dropped", "long": "я" * 1100, "ascii": "x" * 1100}
    created = events.insert(
        calendarId="primary", body=_event(id="props1", extendedProperties={"private": private})
    ).execute()
    assert created["extendedProperties"]["private"] == {
        "k" * 44: "kept",
        "long": "я" * 1024,
        "ascii": "x" * 1024,
    }
    patched = events.patch(
        calendarId="primary", eventId="props1", body={"extendedProperties": {"shared": {"s": "x" * 2000}}}
    ).execute()
    assert patched["extendedProperties"]["shared"] == {"s": "x" * 1024}
    # the silently cut value no longer matches what was sent; the cut one does
    sent = events.list(calendarId="primary", privateExtendedProperty="ascii=" + "x" * 1100).execute()
    cut = events.list(calendarId="primary", privateExtendedProperty="ascii=" + "x" * 1024).execute()
    assert (sent["items"], [e["id"] for e in cut["items"]]) == ([], ["props1"])


def test_calendar_description_over_8192_characters_is_400(fake, events):
    events.insert(calendarId="primary", body=_event(id="descok", description="я" * 8192)).execute()
    with pytest.raises(HttpError) as refused:
        events.insert(calendarId="primary", body=_event(id="desclong", description="я" * 8193)).execute()
    assert refused.value.status_code == 400
    assert _error(refused)["message"] == "A provided value exceeds the allowed size limit."
    with pytest.raises(HttpError, match="allowed size limit"):
        events.patch(calendarId="primary", eventId="descok", body={"description": "я" * 9000}).execute()
    assert list(fake.ws.calendars["user@example.com"]) == ["descok"]


def test_calendar_summary_and_location_have_no_documented_limit(fake, events):
    long = "Заседание " * 10_000
    created = events.insert(calendarId="primary", body=_event(summary=long, location=long)).execute()
    assert created["summary"] == long and created["location"] == long


def test_calendar_local_date_time_is_valid_with_a_time_zone_and_refused_without(fake, events):
    local = {"start": {"dateTime": "2026-12-01T15:00:00", "timeZone": "Asia/Krasnoyarsk"},
             "end": {"dateTime": "2026-12-01T16:30:00", "timeZone": "Asia/Krasnoyarsk"}}  # fmt: skip
    created = events.insert(calendarId="primary", body={"id": "local1", **local}).execute()
    assert created["start"] == local["start"]
    # the local time is read in its zone (UTC+7): 15:00 there is 08:00Z
    window = events.list(calendarId="primary", timeMin="2026-12-01T08:59:00Z", timeMax="2026-12-01T09:01:00Z")
    assert [e["id"] for e in window.execute()["items"]] == ["local1"]
    with pytest.raises(HttpError) as missing:
        naive = {"dateTime": "2026-12-01T15:00:00"}
        events.insert(calendarId="primary", body=_event(id="local2", start=naive)).execute()
    assert _error(missing)["message"] == "Missing time zone definition for start time."
    assert _error(missing)["errors"][0]["reason"] == "required"
    with pytest.raises(HttpError, match="Invalid time zone definition for end time"):
        bad_zone = {"dateTime": "2026-12-01T16:30:00", "timeZone": "Europe/Nowhere"}
        events.insert(calendarId="primary", body=_event(id="local3", end=bad_zone)).execute()


def test_calendar_query_date_times_need_an_offset(fake, events):
    with pytest.raises(HttpError, match="time zone offset"):
        events.list(calendarId="primary", timeMin="2026-12-02T00:00:00").execute()


def test_calendar_page_size_is_at_most_2500(fake, events):
    stored = fake.ws.calendars.setdefault("user@example.com", {})
    template = events.insert(calendarId="primary", body=_event(id="seed0")).execute()
    for i in range(1, 2501):
        stored[f"seed{i}"] = {**template, "id": f"seed{i}"}
    page = events.list(calendarId="primary", maxResults=5000).execute()
    assert len(page["items"]) == 2500 and page.get("nextPageToken")


# -- Sheets --------------------------------------------------------------------------------------------------
def test_sheets_cell_over_50000_characters_is_400_without_errors_list(fake, svc):
    sheets = svc("sheets", "v4")
    book = fake.act({"action": "create_spreadsheet", "title": "t"})
    values = sheets.spreadsheets().values()
    values.update(spreadsheetId=book, range="A1", valueInputOption="RAW", body={"values": [["я" * 50_000]]})\
        .execute()  # fmt: skip
    with pytest.raises(HttpError) as single:
        values.update(spreadsheetId=book, range="A2", valueInputOption="RAW",
                      body={"values": [["я" * 50_001]]}).execute()  # fmt: skip
    assert _error(single) == {
        "code": 400,
        "message": "Your input contains more than the maximum of 50000 characters in a single cell.",
        "status": "INVALID_ARGUMENT",
    }
    data = [{"range": "B1", "values": [["ok"]]}, {"range": "B2", "values": [["x" * 50_001]]}]
    with pytest.raises(HttpError) as batch:
        values.batchUpdate(spreadsheetId=book, body={"valueInputOption": "RAW", "data": data}).execute()
    assert _error(batch)["message"].startswith("Invalid data[1]: Your input contains more than the maximum")
    cells = {
        "rows": [{"values": [{"userEnteredValue": {"stringValue": "x" * 50_001}}]}],
        "fields": "userEnteredValue",
        "start": {"sheetId": 0, "rowIndex": 3, "columnIndex": 0},
    }
    with pytest.raises(HttpError, match=r"Invalid requests\[0\]\.updateCells: Your input contains"):
        sheets.spreadsheets().batchUpdate(spreadsheetId=book, body={"requests": [{"updateCells": cells}]})\
            .execute()  # fmt: skip
    got = values.batchGet(spreadsheetId=book, ranges=["A1:B4"]).execute()["valueRanges"][0]["values"]
    assert got == [["я" * 50_000]]  # the batch write was refused whole: B1 is still empty


def test_sheets_more_than_10_million_cells_is_400(fake, svc):
    sheets = svc("sheets", "v4")
    book = fake.act({"action": "create_spreadsheet", "title": "t"})  # one sheet of 1000 × 26
    grow = {"updateSheetProperties": {"properties": {"sheetId": 0, "gridProperties": {"columnCount": 10_001}},
                                      "fields": "gridProperties.columnCount"}}  # fmt: skip
    with pytest.raises(HttpError) as refused:
        sheets.spreadsheets().batchUpdate(spreadsheetId=book, body={"requests": [grow]}).execute()
    assert _error(refused)["message"] == (
        "Invalid requests[0].updateSheetProperties: This action would increase the number of cells in the "
        "workbook above the limit of 10000000 cells."
    )
    assert len(fake.ws.spreadsheets[book].sheets[0].col_uids) == 26  # all-or-nothing
    grow["updateSheetProperties"]["properties"]["gridProperties"]["columnCount"] = 10_000
    sheets.spreadsheets().batchUpdate(spreadsheetId=book, body={"requests": [grow]}).execute()


# -- fields ------------------------------------------------------------------------------------------------
def test_fields_naming_what_the_response_lacks_is_400_and_about_needs_fields(fake, drive, session):
    response = session.get(fake.base_url + "/drive/v3/files", params={"fields": "files(id,gmoMeeting)"})
    assert response.status_code == 400
    assert response.json()["error"]["errors"][0]["reason"] == "invalidParameter"
    with pytest.raises(HttpError, match="'fields' parameter is required"):
        drive.about().get().execute()
    assert drive.about().get(fields="user").execute()["user"]["me"] is True
