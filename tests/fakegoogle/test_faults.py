"""Fault injection, latency, quotas and the request log."""

from __future__ import annotations

import socket
import ssl
import time

import gspread
import httplib2
import pytest
import requests
from googleapiclient.errors import HttpError

from . import clients


def _error(err: HttpError) -> dict:
    import json

    return json.loads(err.content)["error"]


@pytest.mark.parametrize(
    ("kind", "status", "reason"),
    [
        ("429", 429, "rateLimitExceeded"),
        ("403", 403, "rateLimitExceeded"),
        ("500", 500, "backendError"),
        ("503", 503, "backendError"),
    ],
)
def test_status_faults_at_request_k(fake, svc, kind, status, reason):
    drive = svc("drive", "v3")
    drive.files().list().execute()  # request 1
    fake.add_fault(kind, at=fake.request_count + 2)
    drive.files().list().execute()
    with pytest.raises(HttpError) as err:
        drive.files().list().execute()
    assert err.value.status_code == status
    assert _error(err.value)["errors"][0]["reason"] == reason
    if kind == "403":
        assert _error(err.value)["errors"][0]["domain"] == "usageLimits"
    drive.files().list().execute()  # fired once, then gone
    assert [e["fault"] for e in fake.request_log(tokens=False)] == [None, None, kind, None]


@pytest.mark.parametrize("kind", ["429", "503"])
def test_googleapiclient_retries_recover(fake, svc, kind):
    fake.add_fault(kind, method="drive.files.create", at=1)  # one retry: its sleep is random() * 2 s
    created = svc("drive", "v3").files().create(body={"name": "x"}).execute(num_retries=3)
    assert created["name"] == "x"
    log = fake.request_log(tokens=False)
    assert [e["status"] for e in log] == [int(kind), 200]
    assert len(fake.ws.files) == 1


def test_faults_per_method_only(fake, svc):
    fake.add_fault("500", method="drive.files.create", at=1)
    drive = svc("drive", "v3")
    drive.files().list().execute()
    with pytest.raises(HttpError):
        drive.files().create(body={"name": "x"}).execute()
    drive.files().create(body={"name": "x"}).execute()


def test_probability_faults_are_seeded(fake, svc):
    drive = svc("drive", "v3")

    def run() -> list[bool]:
        fake.clear_faults(seed=7)
        fake.add_fault("503", probability=0.4)
        out = []
        for _ in range(20):
            try:
                drive.files().list().execute()
                out.append(True)
            except HttpError:
                out.append(False)
        return out

    first, second = run(), run()
    assert first == second and 0 < first.count(False) < 20


def test_dropped_connection(fake, user_creds):
    session = clients.RewritingSession(user_creds, fake.base_url, fake.ca_path)
    fake.add_fault("drop", method="drive.files.list", at=1)
    with pytest.raises(requests.exceptions.ConnectionError):
        session.get(fake.base_url + "/drive/v3/files")
    assert session.get(fake.base_url + "/drive/v3/files").status_code == 200
    dropped = [e for e in fake.request_log() if e["fault"] == "drop"]
    assert dropped and dropped[0]["status"] is None


def test_dropped_connection_through_gspread_client(fake, gc):
    book = fake.act({"action": "create_spreadsheet", "title": "t"})
    fake.add_fault("drop", method="sheets.spreadsheets.get", at=1)
    with pytest.raises(requests.exceptions.ConnectionError):
        gc.open_by_key(book)
    assert gc.open_by_key(book).title == "t"


def test_timeout_holds_longer_than_client_timeout(fake, svc):
    fake.add_fault("timeout", method="drive.files.list", at=1, hold_seconds=1.5)
    drive = svc("drive", "v3", timeout=0.3)
    started = time.monotonic()
    with pytest.raises((TimeoutError, socket.timeout, httplib2.error.HttpLib2Error, ssl.SSLError)):
        drive.files().list().execute()
    assert time.monotonic() - started < 1.4
    assert svc("drive", "v3").files().list().execute()["files"] == []


def test_latency(fake, svc):
    drive = svc("drive", "v3")
    drive.files().list().execute()  # token fetch and connection set-up outside the measurement
    fake.set_latency(0, per_method={"drive.files.*": 150})
    started = time.monotonic()
    drive.files().list().execute()
    assert time.monotonic() - started >= 0.15
    assert fake.request_log()[-1]["elapsed_ms"] >= 150


def test_sheets_quota_answers_429_and_recovers(fake, gc):
    book = fake.act({"action": "create_spreadsheet", "title": "t"})
    fake.set_quotas(limits={"sheets.read": 2}, window_seconds=1.0)
    session = clients.RewritingSession(gc.http_client.session.credentials, fake.base_url, fake.ca_path)
    url = f"{fake.base_url}/v4/spreadsheets/{book}/values/A1"
    assert [session.get(url).status_code for _ in range(3)] == [200, 200, 429]
    body = session.get(url).json()["error"]
    assert body["status"] == "RESOURCE_EXHAUSTED" and "errors" not in body  # Sheets' 429 has no errors[]
    time.sleep(1.05)
    assert session.get(url).status_code == 200


def test_quota_is_per_user_and_counts_batch_update_once(fake, svc, sa_creds):
    book = fake.act({"action": "create_spreadsheet", "title": "t"})
    fake.set_quotas(limits={"sheets.write": 1})
    values = svc("sheets", "v4").spreadsheets().values()
    values.batchUpdate(
        spreadsheetId=book,
        body={
            "valueInputOption": "RAW",
            "data": [{"range": "A1", "values": [["a"]]}, {"range": "B1", "values": [["b"]]}],
        },
    ).execute()
    with pytest.raises(HttpError) as err:
        values.update(
            spreadsheetId=book, range="A1", valueInputOption="RAW", body={"values": [["c"]]}
        ).execute()
    assert err.value.status_code == 429
    other = svc("sheets", "v4", creds=sa_creds).spreadsheets().values()
    other.update(spreadsheetId=book, range="A1", valueInputOption="RAW", body={"values": [["d"]]}).execute()


def test_gspread_quota_error_is_api_error(fake, gc):
    book = fake.act({"action": "create_spreadsheet", "title": "t"})
    fake.set_quotas(limits={"sheets.read": 0})
    with pytest.raises(gspread.exceptions.APIError) as err:
        gc.open_by_key(book)
    assert err.value.response.status_code == 429


def test_request_log_shape(fake, svc):
    svc("drive", "v3").files().list(pageSize=5).execute()
    token, entry = fake.request_log()  # signing in is a request too
    assert entry["method"] == "GET" and entry["path"] == "/drive/v3/files"
    assert entry["api_method"] == "drive.files.list" and entry["status"] == 200
    assert entry["n"] == 2 and entry["time"].endswith("+00:00") and entry["user"] == "user@example.com"
    assert (token["n"], token["method"], token["path"], token["status"]) == (1, "POST", "/token", 200)
    assert (token["api_method"], token["grant"]) == ("oauth2.token", "refresh_token")
    assert token["user"] == entry["user"]
    assert token["client"] == "fake-client.apps.googleusercontent.com" and token["elapsed_ms"] >= 0
    assert fake.request_log(tokens=False) == [entry]


@pytest.mark.parametrize(("bucket", "api"), [("calendar", "calendar"), ("docs.read", "docs")])
def test_calendar_and_docs_quotas(fake, svc, bucket, api):
    fake.set_quotas(limits={bucket: 1})
    doc = fake.act({"action": "create_doc", "title": "d"})

    def call():
        if api == "calendar":
            return svc("calendar", "v3").events().list(calendarId="primary").execute()
        return svc("docs", "v1").documents().get(documentId=doc).execute()

    call()
    with pytest.raises(HttpError) as err:
        call()
    assert err.value.status_code == 429
    fake.set_quotas(enabled=False)
    call()


def test_googleapiclient_retries_a_dropped_connection(fake, svc):
    # httplib2 silently re-sends once itself, so two drops are needed for googleapiclient to see one
    fake.add_fault("drop", method="drive.files.create", at=1, times=2)
    created = svc("drive", "v3").files().create(body={"name": "x"}).execute(num_retries=2)
    assert created["name"] == "x" and len(fake.ws.files) == 1
    assert [e["fault"] for e in fake.request_log(tokens=False)] == ["drop", "drop", None]


def test_drop_after_applies_the_write_then_loses_the_answer(fake, svc):
    events = svc("calendar", "v3").events()
    body = {"id": "gmo0again01", "start": {"date": "2026-12-01"}, "end": {"date": "2026-12-02"}}
    fake.add_fault("drop_after", method="calendar.events.insert", at=1)
    with pytest.raises(HttpError) as err:
        # no num_retries: httplib2 itself re-sends the POST once, and the re-send meets the first insert
        events.insert(calendarId="primary", body=body).execute()
    assert err.value.status_code == 409
    assert list(fake.ws.calendars["user@example.com"]) == ["gmo0again01"]


def test_timeout_after_applies_the_write_then_holds_the_answer(fake, svc):
    fake.add_fault("timeout_after", method="drive.files.create", at=1, hold_seconds=1.5)
    drive = svc("drive", "v3", timeout=0.3)
    started = time.monotonic()
    with pytest.raises((TimeoutError, socket.timeout, httplib2.error.HttpLib2Error, ssl.SSLError)):
        drive.files().create(body={"name": "x"}).execute()
    assert time.monotonic() - started < 1.4  # the client gave up while the fake still held the answer
    assert [f["name"] for f in fake.ws.files.values()] == ["x"]  # yet the write was applied
    (entry,) = fake.request_log(tokens=False)
    assert (entry["fault"], entry["status"]) == ("timeout_after", None)
