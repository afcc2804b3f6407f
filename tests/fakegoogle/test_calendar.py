"""Calendar v3 events through real googleapiclient calls."""

from __future__ import annotations

import pytest
from googleapiclient.errors import HttpError


def _event(eid: str | None = "gmo0meeting1", day: int = 1, **extra) -> dict:
    body = {
        "summary": "Заседание ГМО",
        "start": {"dateTime": f"2026-12-{day:02d}T15:00:00+03:00"},
        "end": {"dateTime": f"2026-12-{day:02d}T16:30:00+03:00"},
        "extendedProperties": {"private": {"gmo_meeting": f"m{day}"}},
        **extra,
    }
    if eid:
        body["id"] = eid
    return body


@pytest.fixture
def events(svc):
    return svc("calendar", "v3").events()


def test_insert_get_and_server_fields(events):
    created = events.insert(calendarId="primary", body=_event()).execute()
    assert created["id"] == "gmo0meeting1" and created["status"] == "confirmed" and created["sequence"] == 0
    assert created["iCalUID"] == "gmo0meeting1@google.com"
    assert created["htmlLink"].startswith("https://www.google.com/calendar/event?eid=")
    assert created["etag"] and created["updated"] and created["kind"] == "calendar#event"
    assert events.get(calendarId="primary", eventId="gmo0meeting1").execute()["summary"] == "Заседание ГМО"


@pytest.mark.parametrize("bad", ["abc", "UPPERCASE1", "has-dash01", "wxyz12345", "x" * 1025])
def test_client_ids_must_be_base32hex(events, bad):
    with pytest.raises(HttpError) as err:
        events.insert(calendarId="primary", body=_event(bad)).execute()
    assert err.value.status_code == 400


def test_duplicate_and_deleted_ids_conflict(events):
    events.insert(calendarId="primary", body=_event()).execute()
    with pytest.raises(HttpError) as err:
        events.insert(calendarId="primary", body=_event()).execute()
    assert err.value.status_code == 409 and "duplicate" in str(err.value.content)
    events.delete(calendarId="primary", eventId="gmo0meeting1").execute()
    assert events.get(calendarId="primary", eventId="gmo0meeting1").execute()["status"] == "cancelled"
    with pytest.raises(HttpError) as err:
        events.insert(calendarId="primary", body=_event()).execute()
    assert err.value.status_code == 409
    with pytest.raises(HttpError) as gone:
        events.delete(calendarId="primary", eventId="gmo0meeting1").execute()
    assert gone.value.status_code == 410


def test_patch_update_sequence(events):
    events.insert(calendarId="primary", body=_event()).execute()
    patched = events.patch(
        calendarId="primary", eventId="gmo0meeting1", body={"location": "Каб. 12"}
    ).execute()
    assert patched["sequence"] == 1 and patched["summary"] == "Заседание ГМО"
    same = events.patch(calendarId="primary", eventId="gmo0meeting1", body={"location": "Каб. 12"}).execute()
    assert same["sequence"] == 1  # no change, no new sequence
    replaced = events.update(
        calendarId="primary", eventId="gmo0meeting1", body=_event(None, summary="Новое", day=1)
    ).execute()
    assert replaced["summary"] == "Новое" and replaced["sequence"] == 2 and "location" not in replaced
    assert replaced["iCalUID"] == "gmo0meeting1@google.com"


def test_list_filters_and_paging(events):
    for day in range(1, 6):
        events.insert(calendarId="primary", body=_event(f"gmo0meeting{day}", day=day)).execute()
    events.delete(calendarId="primary", eventId="gmo0meeting5").execute()
    found = events.list(calendarId="primary", privateExtendedProperty="gmo_meeting=m2").execute()["items"]
    assert [e["id"] for e in found] == ["gmo0meeting2"]
    window = events.list(
        calendarId="primary",
        timeMin="2026-12-02T00:00:00Z",
        timeMax="2026-12-04T00:00:00Z",
        singleEvents=True,
        orderBy="startTime",
    ).execute()["items"]
    assert [e["id"] for e in window] == ["gmo0meeting2", "gmo0meeting3"]
    assert len(events.list(calendarId="primary").execute()["items"]) == 4
    assert len(events.list(calendarId="primary", showDeleted=True).execute()["items"]) == 5
    ids, token = [], None
    while True:
        page = events.list(calendarId="primary", maxResults=2, pageToken=token).execute()
        ids += [e["id"] for e in page["items"]]
        token = page.get("nextPageToken")
        if not token:
            break
    assert len(ids) == 4
    with pytest.raises(HttpError, match="time zone offset"):
        events.list(calendarId="primary", timeMin="2026-12-02T00:00:00").execute()


def test_meet_link_appears_asynchronously(events, fake):
    fake.configure(meet_ready_after_reads=2)
    conf = {"createRequest": {"requestId": "req-1", "conferenceSolutionKey": {"type": "hangoutsMeet"}}}
    created = events.insert(
        calendarId="primary", body=_event(conferenceData=conf), conferenceDataVersion=1
    ).execute()
    assert created["conferenceData"]["createRequest"]["status"]["statusCode"] == "pending"
    statuses = [events.get(calendarId="primary", eventId="gmo0meeting1").execute() for _ in range(3)]
    assert [s["conferenceData"]["createRequest"]["status"]["statusCode"] for s in statuses] == [
        "pending",
        "pending",
        "success",
    ]
    uri = statuses[-1]["conferenceData"]["entryPoints"][0]["uri"]
    assert uri.startswith("https://meet.google.com/") and len(uri.rsplit("/", 1)[1]) == 12


def test_conference_data_is_dropped_without_version(events):
    conf = {"createRequest": {"requestId": "req-1", "conferenceSolutionKey": {"type": "hangoutsMeet"}}}
    created = events.insert(calendarId="primary", body=_event(conferenceData=conf)).execute()
    assert "conferenceData" not in created


def test_service_account_restrictions_and_delegation_switch(fake, svc, sa_creds):
    events = svc("calendar", "v3", creds=sa_creds).events()
    conf = {"createRequest": {"requestId": "r", "conferenceSolutionKey": {"type": "hangoutsMeet"}}}
    with pytest.raises(HttpError) as err:
        events.insert(
            calendarId="primary", body=_event(conferenceData=conf), conferenceDataVersion=1
        ).execute()
    assert err.value.status_code == 400 and "Invalid conference type value." in str(err.value)
    with pytest.raises(HttpError) as err:
        events.insert(calendarId="primary", body=_event(attendees=[{"email": "a@school.example"}])).execute()
    assert err.value.status_code == 403 and "forbiddenForServiceAccounts" in str(err.value.content)
    fake.configure(service_account_restrictions=False)  # as with domain-wide delegation
    ok = events.insert(
        calendarId="primary",
        body=_event(conferenceData=conf, attendees=[{"email": "a@b.c"}]),
        conferenceDataVersion=1,
    ).execute()
    assert ok["conferenceData"]["createRequest"]["status"]["statusCode"] == "pending"


def test_free_text_query_and_unmodelled_sync_token(events):
    events.insert(calendarId="primary", body=_event("gmo0meeting1", day=1)).execute()
    events.insert(calendarId="primary", body=_event("gmo0meeting2", day=2, summary="Семинар")).execute()
    assert [e["id"] for e in events.list(calendarId="primary", q="семинар").execute()["items"]] == [
        "gmo0meeting2"
    ]
    with pytest.raises(HttpError) as err:
        events.list(calendarId="primary", syncToken="abc").execute()
    assert err.value.status_code == 501


def test_meet_link_after_a_delay(events, fake):
    import time

    fake.configure(meet_ready_after_reads=0, meet_ready_after_seconds=0.3)
    conf = {"createRequest": {"requestId": "req-2", "conferenceSolutionKey": {"type": "hangoutsMeet"}}}
    events.insert(calendarId="primary", body=_event(conferenceData=conf), conferenceDataVersion=1).execute()

    def status():
        got = events.get(calendarId="primary", eventId="gmo0meeting1").execute()
        return got["conferenceData"]["createRequest"]["status"]["statusCode"]

    assert status() == "pending"
    time.sleep(0.35)
    assert status() == "success"
