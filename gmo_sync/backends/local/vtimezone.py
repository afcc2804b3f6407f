"""VTIMEZONE components that every common calendar parser reads the same way, for any IANA zone.

icalendar's own ``Timezone.from_tzinfo`` lists a zone's history as RDATEs inside a few components
whose DTSTART is long before the transitions they describe (Asia/Krasnoyarsk's return to +07 on
26.10.2014 was an RDATE of a component starting in 2000). RFC 5545 allows that, but ical.js
(Thunderbird, Nextcloud) and vobject pick the component with the latest DTSTART and put meetings an
hour off. So the components written here are the plainest form there is:

- one STANDARD/DAYLIGHT component per transition, with the transition as its own DTSTART;
- an RRULE only for the rule the zone follows now, read from the footer of its TZif file
  (e.g. Europe/Berlin: last Sunday of March and of October), starting at its first occurrence;
- a zone without DST today (Asia/Krasnoyarsk, Europe/Moscow since 26.10.2014) ends on the component
  of its last transition, which stays in force for ever.

Transitions come from the zone's TZif file (RFC 8536), the same file ``zoneinfo`` reads, because
``ZoneInfo`` has no public list of transitions and guessing them by sampling offsets would miss
the rule behind them.
"""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
import importlib.resources
import os
import re
import struct
import zoneinfo
from dataclasses import dataclass
from functools import lru_cache

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

# Which version of this generator wrote a file's VTIMEZONEs; the calendar carries it, since
# dateutil's tzical (under vobject and ics-py) rejects any X- property inside a VTIMEZONE. Raise it
# only when a change here changes how clients read a file: events are then rewritten once.
GENERATOR_VERSION = "1"

# Before a zone's first transition (or for a zone with none, like UTC) one component needs an
# onset earlier than any meeting; 1601-01-01 is the conventional "since always" of Outlook et al.
SINCE_ALWAYS = dt.datetime(1601, 1, 1)
_WEEKDAYS = ("SU", "MO", "TU", "WE", "TH", "FR", "SA")  # POSIX TZ numbers days from Sunday = 0
_EPOCH = dt.datetime(1970, 1, 1)


@dataclass(frozen=True)
class LocalTimeType:
    offset: int  # seconds east of UTC
    dst: bool
    name: str


@dataclass(frozen=True)
class Transition:
    utc: int  # seconds since the epoch
    before: LocalTimeType
    after: LocalTimeType

    @property
    def onset(self) -> dt.datetime:
        """The wall-clock time of the change in the offset before it, as VTIMEZONE's DTSTART wants."""
        return _EPOCH + dt.timedelta(seconds=self.utc + self.before.offset)


@dataclass(frozen=True)
class RuleDate:
    """POSIX ``Mm.w.d/time``: weekday ``d`` of week ``w`` (5 = last) of month ``m``, local time."""

    month: int
    week: int
    weekday: int
    seconds: int  # may be negative or over 24 h (RFC 8536 extension), e.g. Asia/Jerusalem «/26»

    def onset(self, year: int) -> dt.datetime:
        first_weekday = (dt.date(year, self.month, 1).weekday() + 1) % 7  # Sunday = 0
        day = 1 + (self.weekday - first_weekday) % 7 + 7 * (self.week - 1)
        while day > _calendar.monthrange(year, self.month)[1]:
            day -= 7
        return dt.datetime(year, self.month, day) + dt.timedelta(seconds=self.seconds)

    def rrule(self) -> dict[str, object] | None:
        """The yearly RRULE that hits ``onset(year)`` every year, or None if RFC 5545 cannot say it."""
        shift, _ = divmod(self.seconds, 86400)
        nth = self.week if self.week < 5 else -1
        if shift == 0:
            return {"FREQ": "YEARLY", "BYMONTH": self.month, "BYDAY": f"{nth}{_WEEKDAYS[self.weekday]}"}
        # «Friday after the fourth Thursday» is the Friday among days 23..29 of the month. Days are
        # counted from the start of the month: ical.js never ends a YEARLY rule that combines BYDAY
        # with a negative BYMONTHDAY (America/Nuuk's «Saturday before the last Sunday»).
        length = _calendar.monthrange(2001, self.month)[1]  # the same every year but in February
        if self.week < 5:
            days = [d + shift for d in range(7 * self.week - 6, 7 * self.week + 1)]
        elif self.month != 2:
            days = [length + 1 + d + shift for d in range(-7, 0)]
        else:
            return None
        if not all(1 <= d <= length for d in days):
            return None  # the shift crosses into another month (Africa/Cairo's «last Thursday + 24h»)
        weekday = _WEEKDAYS[(self.weekday + shift) % 7]
        return {"FREQ": "YEARLY", "BYMONTH": self.month, "BYDAY": weekday, "BYMONTHDAY": days}


@dataclass(frozen=True)
class Footer:
    """The TZif footer: the rule after the last listed transition (a POSIX TZ string)."""

    standard: LocalTimeType
    daylight: LocalTimeType | None = None
    dst_start: RuleDate | None = None
    dst_end: RuleDate | None = None

    @property
    def repeats(self) -> bool:
        return self.daylight is not None and self.dst_start is not None and self.dst_end is not None

    def transitions(self, year: int) -> list[Transition]:
        if not self.repeats:
            return []
        assert self.daylight is not None and self.dst_start is not None and self.dst_end is not None
        on = _at(self.dst_start.onset(year), self.standard, self.daylight)
        off = _at(self.dst_end.onset(year), self.daylight, self.standard)
        return sorted((on, off), key=lambda t: t.utc)


@dataclass(frozen=True)
class ZoneHistory:
    first: LocalTimeType  # in force before the first transition
    transitions: list[Transition]
    footer: Footer | None


def vtimezone(zone: zoneinfo.ZoneInfo, first: dt.date, last: dt.date) -> Timezone:
    """The VTIMEZONE of ``zone`` for a file whose times fall between ``first`` and ``last``.

    It is exact from a year before ``first`` on, for ever when the zone's current rule fits an RRULE
    (in tzdata 2025b every zone but Africa/Cairo), else until a year after ``last``.
    """
    if zone.key is None:
        raise ValueError("a zone without an IANA key has no TZif file to describe")
    history = zone_history(zone.key)
    since = _timestamp(dt.datetime(first.year - 1, 1, 1))
    listed, rules = _split_at_rule(history, horizon=last.year + 1)
    if rules and rules[0].utc <= since:
        listed = []  # the rule alone describes everything from the span on
    else:
        in_force = [i for i, t in enumerate(listed) if t.utc <= since]
        listed = listed[in_force[-1] :] if in_force else listed
    timezone = Timezone()
    timezone.add("TZID", zone.key)
    changes = listed + rules
    if not changes or changes[0].utc > since:  # what was in force before the first change listed
        base = changes[0].before if changes else history.footer.standard if history.footer else history.first
        timezone.add_component(_observance(SINCE_ALWAYS, base, base))
    for transition in listed:
        timezone.add_component(_observance(transition.onset, transition.before, transition.after))
    for transition in rules:
        rule_date = _rule_date(history.footer, transition)
        timezone.add_component(
            _observance(transition.onset, transition.before, transition.after, rule_date.rrule())
        )
    return timezone


def first_onset(timezone: Timezone) -> dt.datetime | None:
    """The earliest DTSTART of the VTIMEZONE's components: it says nothing about times before."""
    onsets = [c.DTSTART for c in timezone.subcomponents if c.get("DTSTART") is not None]
    return min((o.replace(tzinfo=None) for o in onsets if isinstance(o, dt.datetime)), default=None)


# -- the TZif file ---------------------------------------------------------------------------------


@lru_cache(maxsize=32)
def zone_history(key: str) -> ZoneHistory:
    return parse_tzif(_tzif_bytes(key))


def _tzif_bytes(key: str) -> bytes:
    """The file ``ZoneInfo(key)`` reads: the first match on ``zoneinfo.TZPATH``, else the tzdata package."""
    if os.path.normpath(key).startswith(("..", "/")):
        raise ValueError(f"not a zone key: {key!r}")
    for folder in zoneinfo.TZPATH:
        path = os.path.join(folder, key)
        if os.path.isfile(path):
            with open(path, "rb") as file:
                return file.read()
    resource = importlib.resources.files("tzdata.zoneinfo").joinpath(*key.split("/"))
    return resource.read_bytes()


def parse_tzif(data: bytes) -> ZoneHistory:
    """RFC 8536: the 64-bit block of a version 2+ file (all of tzdata), or the 32-bit one of version 1."""
    if data[:4] != b"TZif":
        raise ValueError("not a TZif file")
    modern = data[4:5] >= b"2"
    counts, start = _header(data, 0), 44
    if modern:  # skip the 32-bit block and read the second header
        start += _block_size(counts, time_size=4)
        counts, start = _header(data, start), start + 44
    time_size = 8 if modern else 4
    _isutcnt, _isstdcnt, _leapcnt, timecnt, typecnt, charcnt = counts
    position = start
    times = struct.unpack(f">{timecnt}{'q' if modern else 'l'}", _take(data, position, timecnt * time_size))
    position += timecnt * time_size
    indices = _take(data, position, timecnt)
    position += timecnt
    raw_types = [struct.unpack(">lBB", _take(data, position + 6 * i, 6)) for i in range(typecnt)]
    names = _take(data, position + 6 * typecnt, charcnt)
    types = [
        LocalTimeType(offset, bool(dst), names[index : names.index(b"\0", index)].decode("ascii"))
        for offset, dst, index in raw_types
    ]
    footer = None
    if modern:
        text = data[start + _block_size(counts, time_size=8) :].strip(b"\n").decode("ascii")
        footer = parse_posix_tz(text) if text else None
    transitions: list[Transition] = []
    current = types[0]
    for utc, index in zip(times, indices, strict=True):
        if types[index] != current:  # a listed "transition" that changes nothing is no transition
            transitions.append(Transition(utc, current, types[index]))
            current = types[index]
    return ZoneHistory(types[0], transitions, footer)


def _header(data: bytes, position: int) -> tuple[int, ...]:
    if _take(data, position, 4) != b"TZif":
        raise ValueError("damaged TZif file")
    return struct.unpack(">6l", _take(data, position + 20, 24))


def _block_size(counts: tuple[int, ...], *, time_size: int) -> int:
    isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt = counts
    return timecnt * (time_size + 1) + typecnt * 6 + charcnt + leapcnt * (time_size + 4) + isstdcnt + isutcnt


def _take(data: bytes, position: int, size: int) -> bytes:
    chunk = data[position : position + size]
    if len(chunk) != size:
        raise ValueError("truncated TZif file")
    return chunk


# -- the footer: a POSIX TZ string such as «CET-1CEST,M3.5.0,M10.5.0/3» or «<+07>-7» -----------------

_NAME = r"(<[^>]+>|[A-Za-z]+)"
_OFFSET = r"([+-]?\d{1,3}(?::\d{1,2}){0,2})"
_RULE = r"(M\d{1,2}\.\d\.\d(?:/[+-]?\d{1,3}(?::\d{1,2}){0,2})?|J?\d{1,3}(?:/[^,]*)?)"
_POSIX = re.compile(rf"{_NAME}{_OFFSET}(?:{_NAME}{_OFFSET}?(?:,{_RULE},{_RULE})?)?")


def parse_posix_tz(text: str) -> Footer:
    match = _POSIX.fullmatch(text)
    if match is None:
        raise ValueError(f"unreadable TZ rule {text!r}")
    std_name, std_offset, dst_name, dst_offset, start, end = match.groups()
    standard = LocalTimeType(-_seconds(std_offset), False, std_name.strip("<>"))
    if dst_name is None:
        return Footer(standard)
    dst_seconds = -_seconds(dst_offset) if dst_offset else standard.offset + 3600
    daylight = LocalTimeType(dst_seconds, True, dst_name.strip("<>"))
    if start is None or not start.startswith("M") or not end.startswith("M"):
        # Julian-day rules appear in no tzdata zone; their transitions stay as the file lists them.
        return Footer(standard, daylight)
    return Footer(standard, daylight, _rule(start), _rule(end))


def _rule(text: str) -> RuleDate:
    date, _, time = text[1:].partition("/")
    month, week, weekday = (int(part) for part in date.split("."))
    return RuleDate(month, week, weekday, _seconds(time) if time else 7200)


def _seconds(text: str) -> int:
    sign = -1 if text.startswith("-") else 1
    parts = [int(p) for p in text.lstrip("+-").split(":")] + [0, 0]
    return sign * (parts[0] * 3600 + parts[1] * 60 + parts[2])


# -- from history to components --------------------------------------------------------------------


def _split_at_rule(history: ZoneHistory, *, horizon: int) -> tuple[list[Transition], list[Transition]]:
    """The transitions to list one by one, and the first DST start and end of the repeating rule.

    tzdata's "fat" files list rule-made transitions up to 2037 too; those are folded back into the
    rule so the file gets two RRULE components instead of dozens.
    """
    listed = list(history.transitions)  # a copy: the history is cached
    footer = history.footer
    if footer is None or not footer.repeats:
        return listed, []
    assert footer.dst_start is not None and footer.dst_end is not None
    if footer.dst_start.rrule() is None or footer.dst_end.rrule() is None:
        # No RRULE can say it: list the rule's transitions too, up to the horizon.
        after = listed[-1].utc if listed else _timestamp(dt.datetime(1970, 1, 1))
        year = _year_of(after)
        while year <= horizon:
            listed.extend(t for t in footer.transitions(year) if t.utc > after)
            year += 1
        return listed, []
    # Fold back only an unbroken run of the rule's transitions: Europe/Tallinn kept EU rules in 1999
    # and again from 2002, but had no summer time in between.
    folded: list[Transition] = []
    while listed:
        near = _rule_transitions_near(footer, listed[-1])
        if listed[-1] not in near:
            break
        following = near[near.index(listed[-1]) + 1]
        if folded and following != folded[0]:
            break
        folded.insert(0, listed.pop())
    if folded:
        after = folded[0].utc - 1
        state = folded[0].before
    else:  # a "slim" file: the rule takes over at its first change after the last listed one
        after = listed[-1].utc if listed else _timestamp(dt.datetime(1970, 1, 1))
        state = listed[-1].after if listed else history.first
    year = _year_of(after)
    upcoming = [t for y in range(year, year + 3) for t in footer.transitions(y) if t.utc > after]
    start = next(i for i, t in enumerate(upcoming) if t.before == state)
    return listed, upcoming[start : start + 2]


def _rule_transitions_near(footer: Footer, transition: Transition) -> list[Transition]:
    year = _year_of(transition.utc)
    return [t for y in range(year - 1, year + 3) for t in footer.transitions(y)]


def _rule_date(footer: Footer | None, transition: Transition) -> RuleDate:
    assert footer is not None and footer.dst_start is not None and footer.dst_end is not None
    return footer.dst_start if transition.after.dst else footer.dst_end


def _at(onset: dt.datetime, before: LocalTimeType, after: LocalTimeType) -> Transition:
    return Transition(_timestamp(onset) - before.offset, before, after)


def _observance(
    onset: dt.datetime, before: LocalTimeType, after: LocalTimeType, rrule: dict[str, object] | None = None
) -> TimezoneStandard | TimezoneDaylight:
    component = TimezoneDaylight() if after.dst else TimezoneStandard()
    component.add("DTSTART", onset)
    if rrule is not None:
        component.add("RRULE", rrule)
    component.add("TZNAME", after.name)
    component.add("TZOFFSETFROM", dt.timedelta(seconds=before.offset))
    component.add("TZOFFSETTO", dt.timedelta(seconds=after.offset))
    return component


def _timestamp(moment: dt.datetime) -> int:
    return int((moment - _EPOCH).total_seconds())


def _year_of(utc: int) -> int:
    return (_EPOCH + dt.timedelta(seconds=utc)).year
