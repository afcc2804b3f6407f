"""The VTIMEZONE generator: its shape, its RRULEs, and its offsets against zoneinfo for tzdata's zones."""

from __future__ import annotations

import datetime as dt
import io
import zoneinfo
from functools import cache
from zoneinfo import ZoneInfo

import pytest
from dateutil import rrule
from dateutil import tz as dateutil_tz
from icalendar import Timezone, vRecur

from gmo_sync.backends.local.vtimezone import (
    LocalTimeType,
    _tzif_bytes,
    parse_posix_tz,
    parse_tzif,
    vtimezone,
    zone_history,
)

TRICKY = [
    "Asia/Krasnoyarsk", "Europe/Moscow", "Europe/Berlin", "Europe/Volgograd", "Europe/Tallinn",
    "America/Nuuk", "America/Santiago", "America/Port-au-Prince", "Asia/Jerusalem", "Asia/Gaza",
    "Africa/Cairo", "Africa/Casablanca", "Europe/Dublin", "Australia/Lord_Howe", "Pacific/Norfolk",
    "Antarctica/Macquarie", "Asia/Tehran", "UTC", "Etc/GMT-5",
]  # fmt: skip


def components(zone: Timezone) -> list[tuple[str, str, str, str, str]]:
    """(kind, DTSTART, RRULE, from, to) of each component, as written."""
    def text(value: object) -> str:
        written = value.to_ical()  # type: ignore[attr-defined]
        return written.decode() if isinstance(written, bytes) else str(written)

    return [
        (
            c.name,
            text(c["DTSTART"]),
            text(c["RRULE"]) if "RRULE" in c else "",
            text(c["TZOFFSETFROM"]),
            text(c["TZOFFSETTO"]),
        )
        for c in zone.subcomponents
    ]


def test_krasnoyarsk_since_2014_is_one_component_with_the_offset_in_force() -> None:
    zone = vtimezone(ZoneInfo("Asia/Krasnoyarsk"), dt.date(2021, 10, 13), dt.date(2026, 12, 23))
    assert components(zone) == [("STANDARD", "20141026T020000", "", "+0800", "+0700")]
    text = zone.to_ical().decode()
    assert "RDATE" not in text and "COMMENT" not in text and "TZID:Asia/Krasnoyarsk" in text


def test_krasnoyarsk_and_moscow_list_each_change_with_its_own_dtstart() -> None:
    krasnoyarsk = vtimezone(ZoneInfo("Asia/Krasnoyarsk"), dt.date(2013, 10, 16), dt.date(2021, 10, 13))
    assert components(krasnoyarsk) == [
        ("STANDARD", "20110327T020000", "", "+0700", "+0800"),  # «permanent summer time», as standard
        ("STANDARD", "20141026T020000", "", "+0800", "+0700"),
    ]
    moscow = vtimezone(ZoneInfo("Europe/Moscow"), dt.date(2010, 5, 1), dt.date(2021, 10, 13))
    assert components(moscow) == [
        ("STANDARD", "20081026T030000", "", "+0400", "+0300"),  # in force on 01.01.2009, a year before
        ("DAYLIGHT", "20090329T020000", "", "+0300", "+0400"),
        ("STANDARD", "20091025T030000", "", "+0400", "+0300"),
        ("DAYLIGHT", "20100328T020000", "", "+0300", "+0400"),
        ("STANDARD", "20101031T030000", "", "+0400", "+0300"),
        ("STANDARD", "20110327T020000", "", "+0300", "+0400"),
        ("STANDARD", "20141026T020000", "", "+0400", "+0300"),
    ]


def test_berlin_is_two_rrules_from_when_the_eu_rule_began() -> None:
    zone = vtimezone(ZoneInfo("Europe/Berlin"), dt.date(2021, 1, 13), dt.date(2021, 7, 14))
    assert components(zone) == [
        ("DAYLIGHT", "19960331T020000", "FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3", "+0100", "+0200"),
        ("STANDARD", "19961027T030000", "FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10", "+0200", "+0100"),
    ]
    older = vtimezone(ZoneInfo("Europe/Berlin"), dt.date(1996, 1, 10), dt.date(2021, 7, 14))
    # before 1996 summer time ended in September: those years are listed, the rule follows
    assert [c[1] for c in components(older)] == [
        "19940925T030000", "19950326T020000", "19950924T030000", "19960331T020000", "19961027T030000",
    ]  # fmt: skip


def test_a_zone_without_changes_is_one_component_since_always() -> None:
    for key, offset in (("UTC", "+0000"), ("Etc/GMT-5", "+0500")):
        zone = vtimezone(ZoneInfo(key), dt.date(2021, 1, 1), dt.date(2021, 1, 1))
        assert components(zone) == [("STANDARD", "16010101T000000", "", offset, offset)]


def test_a_rule_no_rrule_can_say_is_listed_a_year_past_the_last_event() -> None:
    # Africa/Cairo: summer time ends «the day after the last Thursday of October», maybe in November
    zone = vtimezone(ZoneInfo("Africa/Cairo"), dt.date(2040, 1, 1), dt.date(2045, 6, 1))
    found = components(zone)
    assert all(rule == "" for _, _, rule, _, _ in found)
    assert found[-2][:2] == ("DAYLIGHT", "20460427T000000") and found[-1][0] == "STANDARD"
    assert _offsets_agree(zone, "Africa/Cairo", range(2040, 2047))


@cache
def _footers() -> dict[str, str]:
    """Every distinct TZ rule of the installed tzdata, with one zone that uses it."""
    found: dict[str, str] = {}
    for key in sorted(zoneinfo.available_timezones()):
        footer = _tzif_bytes(key).rstrip(b"\n").rsplit(b"\n", 1)[-1].decode()
        found.setdefault(footer, key)
    return found


def test_every_rrule_hits_the_rules_own_dates_for_a_century() -> None:
    checked = 0
    for text in _footers():
        footer = parse_posix_tz(text)
        for rule_date in (footer.dst_start, footer.dst_end):
            rule = rule_date.rrule() if rule_date is not None else None
            if rule_date is None or rule is None:
                continue
            start = rule_date.onset(2000)
            hits = rrule.rrulestr(vRecur(rule).to_ical().decode(), dtstart=start)
            assert list(hits.between(start, dt.datetime(2100, 1, 1), inc=True)) == [
                rule_date.onset(year) for year in range(2000, 2100)
            ], text
            checked += 1
    assert checked >= 50  # tzdata has some 30 distinct DST rules


def test_posix_rules_are_read_as_tzdata_writes_them() -> None:
    berlin = parse_posix_tz("CET-1CEST,M3.5.0,M10.5.0/3")
    assert berlin.standard == LocalTimeType(3600, False, "CET")
    assert berlin.daylight == LocalTimeType(7200, True, "CEST")
    assert berlin.dst_end is not None and berlin.dst_end.seconds == 3 * 3600
    assert parse_posix_tz("<+07>-7").standard == LocalTimeType(7 * 3600, False, "+07")
    assert parse_posix_tz("<+0545>-5:45").standard.offset == 5 * 3600 + 45 * 60
    jerusalem = parse_posix_tz("IST-2IDT,M3.4.4/26,M10.5.0")
    assert jerusalem.dst_start is not None and jerusalem.dst_start.seconds == 26 * 3600
    nuuk = parse_posix_tz("<-02>2<-01>,M3.5.0/-1,M10.5.0/0")
    assert nuuk.dst_start is not None and nuuk.dst_start.onset(2025) == dt.datetime(2025, 3, 29, 23, 0)
    with pytest.raises(ValueError, match="unreadable"):
        parse_posix_tz("not a rule")


def test_a_damaged_tzif_file_is_refused() -> None:
    with pytest.raises(ValueError, match="TZif"):
        parse_tzif(b"garbage")
    with pytest.raises(ValueError, match="TZif"):
        parse_tzif(_tzif_bytes("Europe/Berlin")[:100])
    history = zone_history("Europe/Berlin")
    assert history.footer is not None and history.footer.repeats


def _offsets_agree(zone: Timezone, key: str, years: range) -> bool:
    """dateutil's tzical (under vobject and ics-py) reads the VTIMEZONE as zoneinfo has the zone."""
    read = dateutil_tz.tzical(io.StringIO(zone.to_ical().decode())).get()
    truth = ZoneInfo(key)
    days = [(month, day) for month in range(1, 13) for day in (3, 20)]
    moments = [dt.datetime(year, month, day, 12, 0) for year in years for month, day in days]
    wrong = [m for m in moments if read.utcoffset(m) != truth.utcoffset(m)]
    assert not wrong, f"{key}: {wrong[:3]}"
    return True


def _zones(sample: bool) -> list[str]:
    """Zones with distinct TZif files; a fixed eighth of them plus the tricky ones, or all with --run-slow."""
    distinct: dict[bytes, str] = {}
    for key in sorted(zoneinfo.available_timezones()):
        distinct.setdefault(_tzif_bytes(key), key)
    keys = sorted(distinct.values())
    return sorted(set(keys[::8]) | set(TRICKY)) if sample else keys


@pytest.mark.parametrize("key", _zones(sample=True))
def test_offsets_match_zoneinfo_from_2001_to_2045(key: str) -> None:
    zone = vtimezone(ZoneInfo(key), dt.date(2002, 1, 1), dt.date(2045, 1, 1))
    assert "RDATE" not in zone.to_ical().decode()
    assert _offsets_agree(zone, key, range(2001, 2046))


@pytest.mark.slow
@pytest.mark.parametrize("key", _zones(sample=False))
def test_offsets_match_zoneinfo_for_every_zone(key: str) -> None:
    zone = vtimezone(ZoneInfo(key), dt.date(1991, 1, 1), dt.date(2045, 1, 1))
    assert _offsets_agree(zone, key, range(1990, 2046))
