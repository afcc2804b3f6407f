"""The local calendar file, parsed back with icalendar and checked field by field."""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import replace
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar, Event

from gmo_sync.backends.local.ics import LocalCalendar, event_uid
from gmo_sync.core.clock import fixed_clock
from gmo_sync.core.model import MeetingStatus, Participant
from gmo_sync.core.plan.calendar import event_spec, plan_events
from gmo_sync.core.ports import EventSpec
from gmo_sync.core.problems import BackendError
from tests.contract.samples import ZONE, make_config, make_meeting, make_spec

NOW = dt.datetime(2026, 11, 25, 5, 0, 0, 123456, tzinfo=dt.UTC)
LATER = dt.datetime(2026, 11, 26, 8, 30, tzinfo=dt.UTC)
MOSCOW = ZoneInfo("Europe/Moscow")


def run(path: Path, specs: list[EventSpec], *, now: dt.datetime = NOW, known: set[str] | None = None) -> None:
    store = LocalCalendar(path, ZONE, clock=fixed_clock(now))
    known = {s.meeting_id for s in specs} if known is None else known
    plan = plan_events(specs, store.existing(), known, allow_mass_cancel=True)
    outcomes = store.apply(plan.actions)
    assert all(o.problem == "" for o in outcomes)


def parse(path: Path) -> Calendar:
    return Calendar.from_ical(path.read_bytes())


def events(path: Path) -> dict[str, Event]:
    return {str(e["X-GMO-SYNC-MEETING"]): e for e in parse(path).events}


@pytest.fixture
def ics(tmp_path: Path) -> Path:
    return tmp_path / "calendar.ics"


def test_the_file_parses_back_field_by_field(ics: Path) -> None:
    people = [Participant("Иванова А.А.", "", "", "ivanova@example.org", True, 2)]
    spec = event_spec(make_meeting(), people, make_config(invite=True), "protocols/1.docx")
    assert spec is not None
    run(ics, [spec])
    calendar = parse(ics)
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"]) == "-//gmo-sync//gmo-sync//RU"
    assert str(calendar["X-WR-CALNAME"]) == "ГМО"
    assert [str(tz["TZID"]) for tz in calendar.timezones] == ["Asia/Krasnoyarsk"]
    [event] = calendar.events
    assert str(event["UID"]) == event_uid("ГМО-2026-12-16") == "gmo-2026-12-16-c756f373@gmo-sync"
    assert event["DTSTART"].params["TZID"] == "Asia/Krasnoyarsk"
    assert event["DTEND"].params["TZID"] == "Asia/Krasnoyarsk"
    assert event.start == dt.datetime(2026, 12, 16, 14, 0, tzinfo=ZONE)
    assert event.end == dt.datetime(2026, 12, 16, 15, 30, tzinfo=ZONE)
    assert event.start.utcoffset() == dt.timedelta(hours=7)
    assert str(event["SUMMARY"]) == "ГМО: Читательская грамотность"
    assert str(event["DESCRIPTION"]) == (
        "Повестка:\n1. О плане работы — Попыхова Т.Ю.\n2. Разное\n\nПротокол: protocols/1.docx"
    )
    assert str(event["LOCATION"]) == "https://meet.example/abc"
    assert str(event["URL"]) == "https://meet.example/abc"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert event["SEQUENCE"] == 0
    # whole seconds in UTC, from the injected clock
    assert (
        event["DTSTAMP"].dt == event["LAST-MODIFIED"].dt == event["CREATED"].dt == NOW.replace(microsecond=0)
    )
    assert [str(a) for a in event.attendees] == ["mailto:ivanova@example.org"]
    assert str(event["X-GMO-SYNC-HASH"]) == spec.content_hash
    assert "METHOD" not in calendar  # a plain import, not an iTIP invitation


def test_the_file_is_icalendars_own_serialisation(ics: Path) -> None:
    long_topic = "Очень длинная тема заседания про школьные библиотеки, чтение; и «кавычки» " * 3
    run(ics, [make_spec("ГМО-1", topic=long_topic, place="ул. Ленина, 1; каб. 5")])
    data = ics.read_bytes()
    assert data == Calendar.from_ical(data).to_ical()
    assert b"\n" not in data.replace(b"\r\n", b"")  # CRLF line endings only
    lines = data.split(b"\r\n")
    assert max(len(line) for line in lines) <= 75  # folded at 75 octets (RFC 5545 3.1)
    assert any(line.startswith(b" ") for line in lines)  # … and the long summary was folded
    for line in lines:
        line.decode("utf-8")  # never folded inside a multi-byte character
    event = parse(ics).events[0]
    assert str(event["SUMMARY"]) == f"ГМО: {long_topic}"
    assert str(event["LOCATION"]) == "ул. Ленина, 1; каб. 5"
    assert "URL" not in event


def test_uid_is_stable_across_runs_and_files(tmp_path: Path) -> None:
    run(tmp_path / "a.ics", [make_spec("ГМО-1")])
    run(tmp_path / "b.ics", [make_spec("ГМО-1", topic="Другая")], now=LATER)
    run(tmp_path / "a.ics", [make_spec("ГМО-1", hour=16)], now=LATER)
    uids = {str(events(tmp_path / name)["ГМО-1"]["UID"]) for name in ("a.ics", "b.ics")}
    assert uids == {event_uid("ГМО-1")}


def test_uids_are_safe_and_follow_the_id_as_coordinators_see_it() -> None:
    uids = [
        event_uid(i) for i in ("ГМО-2026-12-16", "гмо-2026-12-16 ", "GMO-2026-12-16", "Съезд Ёлки, 1", "№!")
    ]
    assert uids[0] == uids[1] and uids[0] != uids[2]
    assert all(re.fullmatch(r"[a-z0-9-]+@gmo-sync", uid) for uid in uids)
    assert uids[3].startswith("sezd-elki-1-") and uids[4].startswith("meeting-")


def test_an_update_increments_sequence_and_restamps(ics: Path) -> None:
    run(ics, [make_spec("ГМО-1")])
    run(ics, [make_spec("ГМО-1", topic="Новая")], now=LATER)
    event = events(ics)["ГМО-1"]
    assert event["SEQUENCE"] == 1
    assert str(event["SUMMARY"]) == "ГМО: Новая"
    assert event["DTSTAMP"].dt == event["LAST-MODIFIED"].dt == LATER
    assert event["CREATED"].dt == NOW.replace(microsecond=0)  # kept from the first write
    run(ics, [make_spec("ГМО-1", topic="Новая", hour=17)], now=LATER)
    assert events(ics)["ГМО-1"]["SEQUENCE"] == 2


def test_a_cancelled_meeting_and_a_deleted_row_are_status_cancelled(ics: Path) -> None:
    run(ics, [make_spec("ГМО-1"), make_spec("ГМО-2", day=17, topic="Удалённая")])
    run(ics, [make_spec("ГМО-1", cancelled=True)], now=LATER)
    found = events(ics)
    assert [str(found[m]["STATUS"]) for m in ("ГМО-1", "ГМО-2")] == ["CANCELLED", "CANCELLED"]
    assert [found[m]["SEQUENCE"] for m in ("ГМО-1", "ГМО-2")] == [1, 1]
    # the deleted row's event keeps everything it said, so calendar apps show what was cancelled
    assert str(found["ГМО-2"]["SUMMARY"]) == "ГМО: Удалённая"
    assert found["ГМО-2"].start == dt.datetime(2026, 12, 17, 14, 0, tzinfo=ZONE)
    assert found["ГМО-2"]["DTSTAMP"].dt == LATER


def test_a_run_with_no_changes_leaves_the_file_untouched(ics: Path) -> None:
    specs = [make_spec("ГМО-1"), make_spec("ГМО-2", day=17, cancelled=True), make_spec("ГМО-3", day=18)]
    run(ics, specs[:1] + specs[2:])
    run(ics, specs)
    before, stat = ics.read_bytes(), ics.stat()
    run(ics, specs, now=LATER)
    assert ics.read_bytes() == before
    assert (
        ics.stat().st_mtime_ns == stat.st_mtime_ns and ics.stat().st_ino == stat.st_ino
    )  # not even rewritten
    assert sorted(os.listdir(ics.parent)) == ["calendar.ics"]  # no temp files left behind


def test_only_changed_events_are_rewritten(ics: Path) -> None:
    run(ics, [make_spec("ГМО-1"), make_spec("ГМО-2", day=17), make_spec("ГМО-3", day=18)])
    blocks = _event_blocks(ics.read_bytes())
    run(ics, [make_spec("ГМО-1"), make_spec("ГМО-2", day=17, hour=10), make_spec("ГМО-3", day=18)], now=LATER)
    after = _event_blocks(ics.read_bytes())
    assert after[0] == blocks[0] and after[2] == blocks[2]
    assert after[1] != blocks[1] and b"SEQUENCE:1" in after[1]


def _event_blocks(data: bytes) -> list[bytes]:
    return re.findall(rb"BEGIN:VEVENT\r\n.*?END:VEVENT\r\n", data, re.DOTALL)


def test_existing_file_mode_is_kept(ics: Path) -> None:
    run(ics, [make_spec("ГМО-1")])
    ics.chmod(0o640)
    run(ics, [make_spec("ГМО-1", hour=9)], now=LATER)
    assert ics.stat().st_mode & 0o777 == 0o640


def test_events_from_elsewhere_are_kept_and_ignored(ics: Path) -> None:
    run(ics, [make_spec("ГМО-1")])
    foreign = (
        "BEGIN:VEVENT\r\nUID:party@example.org\r\nDTSTAMP:20261101T000000Z\r\n"
        "DTSTART:20261231T150000Z\r\nSUMMARY:Новый год\r\nEND:VEVENT\r\n"
    )
    ics.write_bytes(ics.read_bytes().replace(b"END:VCALENDAR", foreign.encode() + b"END:VCALENDAR"))
    store = LocalCalendar(ics, ZONE, clock=fixed_clock(LATER))
    assert list(store.existing()) == ["ГМО-1"]
    run(ics, [make_spec("ГМО-1", hour=9)], now=LATER)
    assert [str(e["UID"]) for e in parse(ics).events] == [event_uid("ГМО-1"), "party@example.org"]


def test_a_damaged_file_is_reported_and_never_replaced(ics: Path) -> None:
    ics.write_bytes(b"this is not a calendar\r\n")
    store = LocalCalendar(ics, ZONE, clock=fixed_clock(NOW))
    with pytest.raises(BackendError, match="повреждён"):
        store.existing()
    plan = plan_events([make_spec("ГМО-1")], {}, set(), allow_mass_cancel=False)
    with pytest.raises(BackendError):
        store.apply(plan.actions)
    assert ics.read_bytes() == b"this is not a calendar\r\n"


def test_an_empty_file_is_an_empty_calendar(ics: Path) -> None:
    ics.write_bytes(b"")
    assert LocalCalendar(ics, ZONE).existing() == {}
    run(ics, [make_spec("ГМО-1")])
    assert list(events(ics)) == ["ГМО-1"]


def test_the_link_is_the_files_relative_url(tmp_path: Path) -> None:
    store = LocalCalendar(tmp_path / "календарь" / "ГМО 2026.ics", ZONE, link_base=tmp_path)
    assert (
        store.link == "%D0%BA%D0%B0%D0%BB%D0%B5%D0%BD%D0%B4%D0%B0%D1%80%D1%8C/%D0%93%D0%9C%D0%9E%202026.ics"
    )
    plan = plan_events([make_spec("ГМО-1")], {}, set(), allow_mass_cancel=False)
    [outcome] = store.apply(plan.actions)  # the folder is made on first write
    assert outcome.stored is not None
    assert (outcome.stored.link, outcome.stored.video_link) == (store.link, "")
    assert LocalCalendar(tmp_path / "calendar.ics", ZONE).link == "calendar.ics"


def test_meeting_ids_with_ical_special_characters_round_trip(ics: Path) -> None:
    awkward = "ГМО,1;\\x"
    run(ics, [make_spec(awkward)])
    store = LocalCalendar(ics, ZONE)
    assert list(store.existing()) == [awkward]
    plan = plan_events([make_spec(awkward)], store.existing(), {awkward}, allow_mass_cancel=False)
    assert [a.kind.name for a in plan.actions] == ["KEEP"]


def test_a_changed_time_zone_rewrites_events_and_their_vtimezone(ics: Path) -> None:
    run(ics, [make_spec("ГМО-1")])
    moscow = event_spec(make_meeting(id="ГМО-1"), [], replace(make_config(), timezone="Europe/Moscow"), "")
    assert moscow is not None
    store = LocalCalendar(ics, MOSCOW, clock=fixed_clock(LATER))
    store.apply(plan_events([moscow], store.existing(), {"ГМО-1"}, allow_mass_cancel=False).actions)
    calendar = parse(ics)
    assert [str(tz["TZID"]) for tz in calendar.timezones] == ["Europe/Moscow"]  # the unused one is dropped
    assert calendar.events[0]["DTSTART"].params["TZID"] == "Europe/Moscow"
    assert calendar.events[0].start == dt.datetime(2026, 12, 16, 14, 0, tzinfo=MOSCOW)


def test_a_cancelled_meeting_with_no_event_writes_no_file(ics: Path) -> None:
    spec = event_spec(make_meeting(status=MeetingStatus.CANCELLED), [], make_config(), "")
    assert spec is not None
    run(ics, [spec])
    assert not ics.exists()
