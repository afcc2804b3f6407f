"""The local .ics read by independent parsers, as calendar apps read it: each trusts the file's VTIMEZONE.

Issue 13: icalendar's own VTIMEZONE made ical.js (Thunderbird, Nextcloud) and vobject put the
13.10.2021 14:00 Krasnoyarsk meeting at 06:00Z instead of 07:00Z. Every parser here must read every
meeting at its real instant, on both sides of each zone's last change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar, Timezone

from gmo_sync.backends.local.ics import ZONES_PROPERTY, LocalCalendar, event_uid
from gmo_sync.core.clock import fixed_clock
from gmo_sync.core.plan.calendar import plan_events
from gmo_sync.core.ports import EventActionKind, EventSpec
from tests.calendar_readers import PYTHON_READERS, READS_VTIMEZONE, Times, read_icaljs, read_libical
from tests.conftest import Invoke
from tests.contract.samples import make_spec

NOW = dt.datetime(2026, 11, 25, 5, 0, tzinfo=dt.UTC)
LATER = dt.datetime(2026, 11, 26, 8, 30, tzinfo=dt.UTC)
UTC = dt.UTC

# Wall-clock start → the instant it is, as the world kept time then (not computed by the code under test).
CASES: dict[str, list[tuple[dt.datetime, dt.datetime]]] = {
    "Asia/Krasnoyarsk": [  # +08 from 27.03.2011, +07 since 26.10.2014
        (dt.datetime(2013, 10, 16, 14, 0), dt.datetime(2013, 10, 16, 6, 0, tzinfo=UTC)),
        (dt.datetime(2021, 10, 13, 14, 0), dt.datetime(2021, 10, 13, 7, 0, tzinfo=UTC)),  # the demo's meeting
        (dt.datetime(2026, 12, 16, 14, 0), dt.datetime(2026, 12, 16, 7, 0, tzinfo=UTC)),
    ],
    "Europe/Moscow": [  # +04 from 27.03.2011, +03 since 26.10.2014
        (dt.datetime(2013, 10, 16, 14, 0), dt.datetime(2013, 10, 16, 10, 0, tzinfo=UTC)),
        (dt.datetime(2021, 10, 13, 14, 0), dt.datetime(2021, 10, 13, 11, 0, tzinfo=UTC)),
    ],
    "Europe/Berlin": [  # CET/CEST, last Sundays of March and October
        (dt.datetime(2021, 1, 13, 14, 0), dt.datetime(2021, 1, 13, 13, 0, tzinfo=UTC)),
        (dt.datetime(2021, 7, 14, 14, 0), dt.datetime(2021, 7, 14, 12, 0, tzinfo=UTC)),
        (dt.datetime(2021, 3, 28, 1, 30), dt.datetime(2021, 3, 28, 0, 30, tzinfo=UTC)),
        (dt.datetime(2021, 3, 28, 3, 30), dt.datetime(2021, 3, 28, 1, 30, tzinfo=UTC)),
        (dt.datetime(2021, 10, 31, 1, 30), dt.datetime(2021, 10, 30, 23, 30, tzinfo=UTC)),
        (dt.datetime(2021, 10, 31, 3, 30), dt.datetime(2021, 10, 31, 2, 30, tzinfo=UTC)),
        (dt.datetime(2030, 12, 18, 14, 0), dt.datetime(2030, 12, 18, 13, 0, tzinfo=UTC)),
        (dt.datetime(2030, 6, 19, 14, 0), dt.datetime(2030, 6, 19, 12, 0, tzinfo=UTC)),
    ],
}


def spec_at(zone: str, start: dt.datetime, number: int) -> EventSpec:
    aware = start.replace(tzinfo=ZoneInfo(zone))
    return replace(make_spec(f"ГМО-{number}"), start=aware, end=aware + dt.timedelta(minutes=90))


def write(path: Path, specs: list[EventSpec], *, now: dt.datetime = NOW) -> list[EventActionKind]:
    store = LocalCalendar(path, ZoneInfo("Asia/Krasnoyarsk"), clock=fixed_clock(now))
    plan = plan_events(specs, store.existing(), {s.meeting_id for s in specs}, allow_mass_cancel=False)
    assert all(o.problem == "" for o in store.apply(plan.actions))
    return [a.kind for a in plan.actions]


def every_reader() -> list[tuple[str, Callable[[bytes, Path], Times]]]:
    readers: list[tuple[str, Callable[[bytes, Path], Times]]] = [
        (name, lambda data, _tmp, read=read: read(data)) for name, read in PYTHON_READERS.items()
    ]
    return [*readers, ("ical.js", lambda data, _tmp: read_icaljs(data)), ("libical", read_libical)]


READERS = every_reader()


@pytest.mark.parametrize("zone", sorted(CASES))
@pytest.mark.parametrize(("reader_name", "reader"), READERS, ids=[name for name, _ in READERS])
def test_every_parser_reads_every_meeting_at_its_real_instant(
    tmp_path: Path, zone: str, reader_name: str, reader: Callable[[bytes, Path], Times]
) -> None:
    specs = [spec_at(zone, start, n) for n, (start, _) in enumerate(CASES[zone])]
    ics = tmp_path / "calendar.ics"
    write(ics, specs)
    found = reader(ics.read_bytes(), tmp_path)
    for spec, (_, instant) in zip(specs, CASES[zone], strict=True):
        assert spec.start.astimezone(UTC) == instant  # the table agrees with zoneinfo
        start, end = found[event_uid(spec.meeting_id)]
        assert (start, end) == (instant, spec.end.astimezone(UTC)), f"{reader_name}: {spec.start}"


VTIMEZONE_READERS = [(name, read) for name, read in READERS if name in READS_VTIMEZONE]


@pytest.mark.parametrize(("reader_name", "reader"), VTIMEZONE_READERS, ids=[n for n, _ in VTIMEZONE_READERS])
def test_these_readers_really_take_the_time_from_the_files_vtimezone(
    tmp_path: Path, reader_name: str, reader: Callable[[bytes, Path], Times]
) -> None:
    """Else the tests above would pass whatever the VTIMEZONE said."""
    spec = spec_at("Asia/Krasnoyarsk", dt.datetime(2021, 10, 13, 14, 0), 1)
    ics = tmp_path / "calendar.ics"
    write(ics, [spec])
    tampered = ics.read_bytes().replace(b"TZOFFSETTO:+0700", b"TZOFFSETTO:+0500")
    start, _ = reader(tampered, tmp_path)[event_uid(spec.meeting_id)]
    assert start == dt.datetime(2021, 10, 13, 9, 0, tzinfo=UTC), reader_name


MANY_ZONES = [
    "Asia/Krasnoyarsk", "Europe/Moscow", "Europe/Berlin", "Europe/Volgograd", "America/New_York",
    "America/Sao_Paulo", "America/Santiago", "America/Nuuk", "Asia/Jerusalem", "Asia/Gaza",
    "Africa/Cairo", "Africa/Casablanca", "Europe/Dublin", "Australia/Lord_Howe", "Pacific/Chatham",
    "Asia/Tehran", "Asia/Kolkata", "UTC",
]  # fmt: skip
# ics-py parses a file this size for most of a minute; it reads zones with dateutil's tzical, as
# vobject does, and is checked on every zone of CASES above.
MANY_ZONE_READERS = [(name, read) for name, read in READERS if name != "ics-py"]


@pytest.fixture(scope="module")
def many_zones(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, list[EventSpec]]:
    """One file with zones of every shape: rules with odd days and hours, negative DST, none, changes."""
    # ical.js 1.x expands no zone rule past 2035 (ICAL.Timezone.MAX_YEAR), whatever the VTIMEZONE
    # says; test_vtimezone.py checks the rules up to 2045 with the other parsers.
    years, months = (2010, 2012, 2015, 2019, 2026, 2034), (1, 4, 7, 10)
    starts = [dt.datetime(year, month, 10, 12, 0) for year in years for month in months]
    pairs = [(zone, start) for zone in MANY_ZONES for start in starts]
    specs = [spec_at(zone, start, n) for n, (zone, start) in enumerate(pairs)]
    ics = tmp_path_factory.mktemp("many") / "calendar.ics"
    write(ics, specs)
    return ics.read_bytes(), specs


@pytest.mark.parametrize(("reader_name", "reader"), MANY_ZONE_READERS, ids=[n for n, _ in MANY_ZONE_READERS])
def test_one_file_with_many_zones_reads_right_everywhere(
    tmp_path: Path,
    many_zones: tuple[bytes, list[EventSpec]],
    reader_name: str,
    reader: Callable[[bytes, Path], Times],
) -> None:
    data, specs = many_zones
    found = reader(data, tmp_path)
    wrong = [
        f"{spec.start} {spec.start.tzinfo}: {found[event_uid(spec.meeting_id)][0]}"
        for spec in specs
        if found[event_uid(spec.meeting_id)] != (spec.start.astimezone(UTC), spec.end.astimezone(UTC))
    ]
    assert not wrong, f"{reader_name} reads {len(wrong)} meetings wrong, e.g. {wrong[:5]}"
    assert len(Calendar.from_ical(data).timezones) == len(MANY_ZONES) - 1  # UTC times need none


@pytest.mark.parametrize(("reader_name", "reader"), READERS, ids=[name for name, _ in READERS])
def test_the_demo_meeting_is_at_07_00z_in_every_parser(
    gmo: Invoke, workspace: Path, tmp_path: Path, reader_name: str, reader: Callable[[bytes, Path], Times]
) -> None:
    """Issue 13's «done when»: `init --local` + `run`, the 13.10.2021 14:00 meeting in Krasnoyarsk."""
    assert gmo("run").exit_code == 0
    data = (workspace / "calendar.ics").read_bytes()
    events = Calendar.from_ical(data).events
    [uid] = [str(e["UID"]) for e in events if e.start.date() == dt.date(2021, 10, 13)]
    start, _ = reader(data, tmp_path)[uid]
    assert start == dt.datetime(2021, 10, 13, 7, 0, tzinfo=UTC), reader_name


def legacy_vtimezone(data: bytes) -> bytes:
    """The file as gmo-sync wrote it before issue 13: icalendar's own VTIMEZONE, RDATEs and all."""
    calendar = Calendar.from_ical(data)
    [ours] = calendar.timezones
    old = Timezone.from_tzinfo(ZoneInfo("Asia/Krasnoyarsk"), "Asia/Krasnoyarsk", dt.date(2000, 1, 1),
                               dt.date(2038, 1, 1))  # fmt: skip
    calendar.subcomponents[calendar.subcomponents.index(ours)] = old
    calendar.pop(ZONES_PROPERTY)
    written = calendar.to_ical()
    assert b"RDATE" in written and ZONES_PROPERTY.encode() not in written
    return written


def test_a_file_from_before_is_corrected_once_then_left_alone(tmp_path: Path) -> None:
    ics = tmp_path / "calendar.ics"
    specs = [spec_at("Asia/Krasnoyarsk", start, n) for n, (start, _) in enumerate(CASES["Asia/Krasnoyarsk"])]
    cancelled = replace(make_spec("ГМО-отменено", day=20), cancelled=True)
    write(ics, [*specs, replace(cancelled, cancelled=False)])
    write(ics, [*specs, cancelled])
    ics.write_bytes(legacy_vtimezone(ics.read_bytes()))
    before = {str(e["UID"]): e for e in Calendar.from_ical(ics.read_bytes()).events}

    # the plan shows the correction (so --dry-run does too): every live event is rewritten
    assert write(ics, [*specs, cancelled], now=LATER) == [EventActionKind.UPDATE] * 3 + [EventActionKind.KEEP]
    after = {str(e["UID"]): e for e in Calendar.from_ical(ics.read_bytes()).events}
    assert after.keys() == before.keys()  # same UIDs: calendar apps update, never duplicate
    for spec in specs:
        uid = event_uid(spec.meeting_id)
        assert after[uid]["SEQUENCE"] == before[uid]["SEQUENCE"] + 1
        assert after[uid]["DTSTAMP"].dt == LATER
        assert after[uid]["CREATED"].dt == before[uid]["CREATED"].dt
    calendar = Calendar.from_ical(ics.read_bytes())
    [zone] = calendar.timezones
    assert str(calendar[ZONES_PROPERTY]) == "1" and "RDATE" not in zone.to_ical().decode()
    found = PYTHON_READERS["vobject"](ics.read_bytes())
    assert found[event_uid(specs[1].meeting_id)][0] == dt.datetime(2021, 10, 13, 7, 0, tzinfo=UTC)

    # … once: the next runs find nothing to do and leave the file byte for byte, not even rewritten
    data, stat = ics.read_bytes(), ics.stat()
    for now in (LATER + dt.timedelta(days=1), LATER + dt.timedelta(days=400)):
        assert set(write(ics, [*specs, cancelled], now=now)) == {EventActionKind.KEEP}
        assert ics.read_bytes() == data
        assert ics.stat().st_mtime_ns == stat.st_mtime_ns


def test_an_earlier_meeting_widens_the_zone_and_bumps_nothing_else(tmp_path: Path) -> None:
    ics = tmp_path / "calendar.ics"
    later = spec_at("Asia/Krasnoyarsk", dt.datetime(2021, 10, 13, 14, 0), 1)
    write(ics, [later])
    [zone] = Calendar.from_ical(ics.read_bytes()).timezones
    assert len(zone.subcomponents) == 1  # +07 since 26.10.2014, nothing older needed
    earlier = spec_at("Asia/Krasnoyarsk", dt.datetime(2013, 10, 16, 14, 0), 2)
    assert write(ics, [later, earlier], now=LATER) == [EventActionKind.KEEP, EventActionKind.CREATE]
    events = {str(e["UID"]): e for e in Calendar.from_ical(ics.read_bytes()).events}
    assert events[event_uid(later.meeting_id)]["SEQUENCE"] == 0
    [zone] = Calendar.from_ical(ics.read_bytes()).timezones
    assert [c.DTSTART.year for c in zone.subcomponents] == [2011, 2014]
    assert PYTHON_READERS["vobject"](ics.read_bytes())[event_uid(earlier.meeting_id)][0] == CASES[
        "Asia/Krasnoyarsk"
    ][0][1]


def test_an_event_from_elsewhere_in_another_zone_gets_a_vtimezone_that_reads_right(tmp_path: Path) -> None:
    ics = tmp_path / "calendar.ics"
    write(ics, [make_spec("ГМО-1")])
    foreign = (
        "BEGIN:VEVENT\r\nUID:party@example.org\r\nDTSTAMP:20261101T000000Z\r\n"
        "DTSTART;TZID=Europe/Moscow:20211013T140000\r\nDTEND;TZID=Europe/Moscow:20211013T150000\r\n"
        "SUMMARY:Чужое\r\nEND:VEVENT\r\n"
    )
    ics.write_bytes(ics.read_bytes().replace(b"END:VCALENDAR", foreign.encode() + b"END:VCALENDAR"))
    write(ics, [make_spec("ГМО-1", hour=9)], now=LATER)
    calendar = Calendar.from_ical(ics.read_bytes())
    assert sorted(str(z["TZID"]) for z in calendar.timezones) == ["Asia/Krasnoyarsk", "Europe/Moscow"]
    found = PYTHON_READERS["vobject"](ics.read_bytes())
    assert found["party@example.org"][0] == dt.datetime(2021, 10, 13, 11, 0, tzinfo=UTC)
