"""HTTP batch for Drive and Calendar through googleapiclient's BatchHttpRequest."""

from __future__ import annotations

import io

import pytest
from googleapiclient.errors import HttpError
from googleapiclient.http import MediaIoBaseUpload

from . import clients


def _collect():
    results: dict[str, object] = {}

    def callback(request_id, response, exception):
        results[request_id] = exception if exception is not None else response

    return results, callback


def test_drive_batch_dispatches_each_part(fake, svc):
    drive = svc("drive", "v3", batch_safe=True)
    results, callback = _collect()
    batch = clients.batch(fake.base_url, "drive", callback)
    batch.add(drive.files().create(body={"name": "a"}), request_id="a")
    batch.add(drive.files().create(body={"name": "b", "colour": "x"}), request_id="bad")  # validated too
    batch.add(drive.files().list(q="name = 'a'"), request_id="list")
    batch.execute()
    assert results["a"]["name"] == "a"
    assert isinstance(results["bad"], HttpError) and results["bad"].status_code == 400
    assert [f["name"] for f in results["list"]["files"]] == ["a"]
    parts = [e for e in fake.request_log() if "batch" in e]
    assert [e["api_method"] for e in parts] == [
        "drive.files.create",
        "drive.files.create",
        "drive.files.list",
    ]


def test_calendar_batch_and_inner_faults(fake, svc):
    events = svc("calendar", "v3", batch_safe=True).events()
    events.list(calendarId="primary").execute()  # signed in: the token request is behind us
    results, callback = _collect()
    fake.add_fault("429", method="calendar.events.insert", at=fake.request_count + 2)
    batch = clients.batch(fake.base_url, "calendar", callback)
    for i in range(3):
        body = {"id": f"batchevent{i}", "start": {"date": "2026-12-01"}, "end": {"date": "2026-12-02"}}
        batch.add(events.insert(calendarId="primary", body=body), request_id=str(i))
    batch.execute()
    assert results["0"]["id"] == "batchevent0"
    assert isinstance(results["1"], HttpError) and results["1"].status_code == 429  # batches do not retry
    assert results["2"]["id"] == "batchevent2"
    assert sorted(fake.ws.calendars["user@example.com"]) == ["batchevent0", "batchevent2"]


def test_drive_batch_rejects_media_uploads_and_foreign_paths(fake, svc):
    drive = svc("drive", "v3", batch_safe=True)
    calendar = svc("calendar", "v3", batch_safe=True)
    results, callback = _collect()
    batch = clients.batch(fake.base_url, "drive", callback)
    media = MediaIoBaseUpload(io.BytesIO(b"x"), mimetype="text/plain")
    batch.add(drive.files().create(body={"name": "m"}, media_body=media), request_id="upload")
    batch.add(calendar.events().list(calendarId="primary"), request_id="foreign")
    batch.execute()
    assert results["upload"].status_code == 400 and "not supported in batch" in str(results["upload"])
    assert results["foreign"].status_code == 400
    assert fake.ws.files == {}


def test_batch_needs_auth(fake):
    import requests

    response = requests.post(
        fake.base_url + "/batch/drive/v3",
        data=b"",
        headers={"Content-Type": "multipart/mixed; boundary=x"},
        verify=fake.ca_path,
    )
    assert response.status_code == 401


def test_batch_drop_takes_the_whole_batch(fake, svc):
    drive = svc("drive", "v3", batch_safe=True)
    fake.add_fault("drop", method="drive.files.list", at=1, times=3)  # httplib2 re-sends once on its own
    results, callback = _collect()
    batch = clients.batch(fake.base_url, "drive", callback)
    batch.add(drive.files().list(), request_id="x")
    with pytest.raises(Exception):  # noqa: B017 - the transport error type depends on httplib2's retry
        batch.execute()
    assert results == {}
