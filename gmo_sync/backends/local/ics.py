"""The calendar as one .ics file (RFC 5545), written with icalendar.

The file is its own state: each event gmo-sync made carries the meeting's ID
(``X-GMO-SYNC-MEETING``) and the content hash it was written from
(``X-GMO-SYNC-HASH``), so the file can be moved or shared without a side file.
Events from elsewhere (pasted in by hand) are kept as they are.

Calendar apps decide whether an imported event is new or a revision by UID and
SEQUENCE, so the UID is a pure function of the meeting ID and SEQUENCE grows
with every change. Only events that change are rebuilt and stamped with the
injected clock; when nothing changes the file is not written at all, so its
bytes (and mtime) stay as they were.

The VTIMEZONE comes from ``vtimezone.py`` (one component per transition, so every parser reads it
alike) and the calendar says so in ``X-GMO-SYNC-VTIMEZONE``. A file without it was written before
(issue 13: Thunderbird showed meetings an hour late): its events are reported as needing an update,
so the plan rewrites each once with a higher SEQUENCE and calendar apps take the corrected time on
re-import.

Over 400 lines, and one module on purpose: the file is read, indexed, changed and written as one unit
by ``LocalCalendar``, and the helpers below (the quick scan, the event index, the VTIMEZONE upkeep)
each serve one of its steps on the same parsed calendar; the zones themselves are made in
``vtimezone.py``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from icalendar import Calendar, Component, Event, Timezone, vText
from icalendar.parser.content_line import Contentlines

from gmo_sync.backends.local.files import write_atomically
from gmo_sync.backends.local.vtimezone import GENERATOR_VERSION, first_onset, vtimezone
from gmo_sync.core.clock import Clock, system_clock
from gmo_sync.core.model import id_key
from gmo_sync.core.os_errors import describe_os_error
from gmo_sync.core.ports import EventAction, EventActionKind, EventLinks, EventOutcome, EventSpec, StoredEvent
from gmo_sync.core.problems import BackendError

PRODID = "-//gmo-sync//gmo-sync//RU"
MEETING_PROPERTY = "X-GMO-SYNC-MEETING"
HASH_PROPERTY = "X-GMO-SYNC-HASH"
ZONES_PROPERTY = "X-GMO-SYNC-VTIMEZONE"  # the version of vtimezone.py that wrote the file's zones
UID_DOMAIN = "gmo-sync"

_TRANSLIT = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        ("a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "i", "k", "l", "m", "n", "o", "p", "r", "s",
         "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "iu", "ia"),
        strict=True,
    )
)  # fmt: skip
_UNSAFE = re.compile(r"[^a-z0-9]+")


def event_uid(meeting_id: str) -> str:
    """``gmo-2026-12-16-1a2b3c4d@gmo-sync``: readable, safe in any client, and a function of the ID alone.

    Built from ``id_key`` so «гмо-…» and «ГМО-…» are one meeting; the hash keeps two IDs that
    transliterate alike («ГМО-1», «GMO-1») apart.
    """
    key = id_key(meeting_id)
    slug = _UNSAFE.sub("-", "".join(_TRANSLIT.get(ch, ch) for ch in key)).strip("-")[:60] or "meeting"
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:8]
    return f"{slug}-{digest}@{UID_DOMAIN}"


class LocalCalendar:
    """A ``CalendarStore`` over one .ics file."""

    def __init__(
        self,
        path: Path,
        zone: ZoneInfo,
        *,
        clock: Clock = system_clock,
        link_base: Path | None = None,
        name: str = "ГМО",
    ) -> None:
        self.path = path
        self.zone = zone
        self.clock = clock
        self.name = name  # X-WR-CALNAME of a new file: what calendar apps call the imported calendar
        base = link_base if link_base is not None else path.parent
        self.link = quote(Path(os.path.relpath(path, base)).as_posix())

    def describe(self) -> str:
        return str(self.path)

    creates_ride_with_listing = False  # the file is written once a run in ``apply`` anyway

    def existing(self, creating: Sequence[EventAction] = ()) -> dict[str, StoredEvent]:
        data = self._read()
        if data is None:
            return {}
        scanned = _scan(data)
        if scanned is None:  # not plainly a calendar: the full parse says what is wrong
            loaded = self._load()
            if loaded is None:
                return {}
            calendar = loaded[0]
            untrusted = _untrusted_zones(calendar)
            events: list[Event] | list[dict[str, str]] = list(_our_events(calendar).values())
        else:
            events, untrusted = scanned
        found: dict[str, StoredEvent] = {}
        for event in events:
            meeting_id = _text(event, MEETING_PROPERTY)
            if meeting_id:  # a pasted copy of one of ours: the first one wins
                found.setdefault(id_key(meeting_id), self._stored(event, untrusted))
        return {stored.meeting_id: stored for stored in found.values()}

    def apply(self, actions: Sequence[EventAction]) -> list[EventOutcome]:
        if all(action.kind == EventActionKind.KEEP for action in actions):
            # Nothing to change: the events are as ``existing`` read them, and the file keeps its bytes.
            return [EventOutcome(action.meeting_id, action.existing) for action in actions]
        loaded = self._load()
        calendar, original = loaded if loaded is not None else (self._new_calendar(), b"")
        now = self.clock().astimezone(dt.UTC).replace(microsecond=0)
        untrusted = _untrusted_zones(calendar)
        rewritten: set[str] = set()  # TZIDs of events written now: their VTIMEZONE is made afresh
        index = _EventIndex(calendar)
        outcomes = [self._apply_one(calendar, index, action, now, untrusted, rewritten) for action in actions]
        _complete_timezones(calendar, rewritten, now.date())
        data = calendar.to_ical()
        if data != original and (original or calendar.events):  # no file for a calendar with no events
            self._write(data)
        return outcomes

    def expected_links(self, action: EventAction) -> EventLinks:
        """Every event links to the file itself; no video meetings without Google."""
        return EventLinks(self.link, "")

    # -- one action -------------------------------------------------------------------------------

    def _apply_one(
        self,
        calendar: Calendar,
        index: _EventIndex,
        action: EventAction,
        now: dt.datetime,
        untrusted: set[str],
        rewritten: set[str],
    ) -> EventOutcome:
        current = index.find(action)
        if action.kind == EventActionKind.KEEP:
            stored = self._stored(current) if current is not None else action.existing
            return EventOutcome(action.meeting_id, stored)
        if action.spec is None:  # the row was deleted: cancel what is there, keep its contents
            if current is None:
                return EventOutcome(action.meeting_id, None)
            if str(current.get("STATUS", "")).upper() != "CANCELLED":
                _cancel_in_place(current, now)
            return EventOutcome(action.meeting_id, self._stored(current))
        spec = action.spec
        cancelled = spec.cancelled or action.kind == EventActionKind.CANCEL
        if current is not None:
            stored = self._stored(current, untrusted)
            if stored.content_hash == spec.content_hash and stored.cancelled == cancelled:
                return EventOutcome(action.meeting_id, stored)  # already as wanted: a repeated plan
            rewritten.add(_tzid(current))
            sequence = stored.sequence + 1
            uid, created = str(current["UID"]), current.get("CREATED")
        else:
            # Recreating an event someone deleted from the file: its SEQUENCE must still grow, or apps
            # that imported the old one would ignore the new one.
            sequence = action.existing.sequence + 1 if action.existing is not None else 0
            uid = action.existing.event_id if action.existing is not None else event_uid(spec.meeting_id)
            created = None
        event = _build_event(spec, uid, sequence, cancelled, now, created.dt if created else now)
        rewritten.add(_tzid(event))
        if current is not None:
            calendar.subcomponents[calendar.subcomponents.index(current)] = event
        else:
            calendar.add_component(event)
        index.put(event, replacing=current)
        return EventOutcome(action.meeting_id, self._stored(event))

    def _stored(self, event: Event | dict[str, str], untrusted: set[str] | None = None) -> StoredEvent:
        """The event as the planner sees it; an event in an ``untrusted`` zone has no valid hash.

        Its VTIMEZONE may have made calendar apps read another time than the one hashed, so the
        planner must see it as changed and rewrite it, once, with a higher SEQUENCE.
        """
        trusted = untrusted is None or _tzid(event) not in untrusted
        return StoredEvent(
            meeting_id=_text(event, MEETING_PROPERTY),
            event_id=str(event.get("UID", "")),
            link=self.link,
            video_link="",  # no video meetings without Google
            content_hash=_text(event, HASH_PROPERTY) if trusted else "",
            cancelled=str(event.get("STATUS", "")).upper() == "CANCELLED",
            sequence=int(event.get("SEQUENCE", 0)),
            summary=str(event.get("SUMMARY", "")),
        )

    # -- the file ---------------------------------------------------------------------------------

    def _read(self) -> bytes | None:
        """The file's bytes; None for no file, or an empty one (made by hand, or by `touch`)."""
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as error:
            raise BackendError(describe_os_error(error, self.path, "Календарь")) from None
        return data if data.strip() else None

    def _load(self) -> tuple[Calendar, bytes] | None:
        data = self._read()
        if data is None:
            return None  # a calendar with no events yet
        try:
            calendar = Calendar.from_ical(data)
        except ValueError as error:
            # Never replace a file we cannot read: it may hold events someone else put there.
            raise BackendError(
                f"Файл календаря {self.path} повреждён или это не .ics ({error}); "
                f"исправьте или переименуйте его, и запустите снова"
            ) from None
        if not isinstance(calendar, Calendar):
            raise BackendError(f"Файл {self.path} не является календарём .ics (нет VCALENDAR)")
        return calendar, data

    def _new_calendar(self) -> Calendar:
        calendar = Calendar()
        calendar.add("PRODID", PRODID)
        calendar.add("VERSION", "2.0")
        calendar.add("CALSCALE", "GREGORIAN")
        calendar.add("X-WR-CALNAME", self.name)
        calendar.add("X-WR-TIMEZONE", self.zone.key)  # Apple and Google use it for floating times
        return calendar

    def _write(self, data: bytes) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(self.path, data)
        except OSError as error:
            raise BackendError(describe_os_error(error, self.path, "Календарь")) from None


def _complete_timezones(calendar: Calendar, rewritten: set[str], today: dt.date) -> None:
    """Every TZID in use has its VTIMEZONE (placed first, as some importers expect), and no other.

    The zones of gmo-sync's events are made afresh when the file's were not made by ``vtimezone``
    yet, when an event in them was written now (tzdata may have changed since), or when an event
    falls before the first onset they describe; otherwise they are kept byte for byte, so a run
    with nothing to do writes nothing. A zone used only by events from elsewhere is kept as it came.
    """
    used = calendar.get_used_tzids()
    calendar.subcomponents[:] = [
        c for c in calendar.subcomponents if not isinstance(c, Timezone) or str(c.get("TZID")) in used
    ]
    present = {str(zone["TZID"]): zone for zone in calendar.timezones}
    ours = {_tzid(event) for event in _our_events(calendar).values()}
    trusted = _zones_trusted(calendar)
    dates = _dates_by_zone(calendar)
    added = 0
    for tzid in sorted(used):
        current = present.get(tzid)
        first, last = min(dates.get(tzid, [today])), max(dates.get(tzid, [today]))
        if current is not None and (
            tzid not in ours or (trusted and tzid not in rewritten and _covers(current, first))
        ):
            continue
        fresh = _made_for(tzid, first, last)
        if fresh is None:
            continue  # not an IANA zone: nothing to describe it from
        if current is not None:
            calendar.subcomponents[calendar.subcomponents.index(current)] = fresh
        else:
            calendar.subcomponents.insert(added, fresh)
            added += 1
    if not trusted:
        calendar.pop(ZONES_PROPERTY, None)
        calendar.add(ZONES_PROPERTY, GENERATOR_VERSION)


def _zones_trusted(calendar: Calendar) -> bool:
    return str(calendar.get(ZONES_PROPERTY, "")) == GENERATOR_VERSION


def _covers(zone: Timezone, first: dt.date) -> bool:
    onset = first_onset(zone)
    return onset is not None and onset.date() <= first


def _made_for(tzid: str, first: dt.date, last: dt.date) -> Timezone | None:
    try:
        zone = ZoneInfo(tzid)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return vtimezone(zone, first, last)


def _untrusted_zones(calendar: Calendar) -> set[str]:
    """TZIDs of gmo-sync's events whose VTIMEZONE ``vtimezone`` did not write (or that have none)."""
    present = {str(zone["TZID"]) for zone in calendar.timezones} if _zones_trusted(calendar) else set()
    used = {_tzid(event) for event in _our_events(calendar).values()}
    return {tzid for tzid in used if tzid and tzid not in present}


def _tzid(event: Event | dict[str, str]) -> str:
    if not isinstance(event, Component):  # (a Component is a dict too)
        return event.get(START_ZONE, "")  # as ``_scan`` read it
    start = event.get("DTSTART")
    return str(start.params.get("TZID", "")) if start is not None else ""


def _dates_by_zone(calendar: Calendar) -> dict[str, list[dt.date]]:
    """The wall-clock dates each TZID is used for, in every component (events from elsewhere too)."""
    found: dict[str, list[dt.date]] = {}
    for component in calendar.walk():
        for value in component.values():
            for item in value if isinstance(value, list) else [value]:
                tzid = getattr(item, "params", {}).get("TZID")
                moments = [item.dt] if hasattr(item, "dt") else [d.dt for d in getattr(item, "dts", [])]
                for moment in moments:
                    if tzid and isinstance(moment, dt.datetime):
                        found.setdefault(str(tzid), []).append(moment.date())
    return found


class _EventIndex:
    """gmo-sync's events of the file by UID and by meeting, built once for all of a run's actions."""

    def __init__(self, calendar: Calendar) -> None:
        self.by_meeting = _our_events(calendar)
        self.by_uid = {str(e.get("UID", "")): e for e in reversed(self.by_meeting.values())}

    def find(self, action: EventAction) -> Event | None:
        """The action's event in the file now: by UID first, else by meeting ID (a CREATE retried)."""
        if action.existing is not None and action.existing.event_id in self.by_uid:
            return self.by_uid[action.existing.event_id]
        return self.by_meeting.get(id_key(action.meeting_id))

    def put(self, event: Event, *, replacing: Event | None) -> None:
        if replacing is not None:
            old_key = id_key(_text(replacing, MEETING_PROPERTY))
            if self.by_meeting.get(old_key) is replacing:
                self.by_meeting[old_key] = event
            if self.by_uid.get(str(replacing.get("UID", ""))) is replacing:
                del self.by_uid[str(replacing.get("UID", ""))]
        self.by_meeting.setdefault(id_key(_text(event, MEETING_PROPERTY)), event)
        self.by_uid.setdefault(str(event.get("UID", "")), event)


START_ZONE = "DTSTART;TZID"  # where ``_scan`` keeps the TZID of an event's start
_SCANNED = ("UID", "SUMMARY", "STATUS", "SEQUENCE", MEETING_PROPERTY, HASH_PROPERTY)


def _scan(data: bytes) -> tuple[list[dict[str, str]], set[str]] | None:
    """Each VEVENT's few properties ``existing`` needs, as icalendar decodes them, and the untrusted zones.

    A full parse builds every property of every event (dates with zones, descriptions, attendees):
    for a year of meetings it costs more than the rest of a no-change run. Here only the lines
    ``existing`` needs are parsed, with icalendar's own content-line and value-type code, so the values
    are the ones ``Calendar.from_ical`` gives; the zones are judged as ``_untrusted_zones`` judges them.
    ``apply`` still parses the whole file before it changes anything. None: not plainly a calendar.
    """
    try:
        lines = Contentlines.from_ical(data.decode("utf-8", "replace"))
    except ValueError:
        return None
    wanted = ("BEGIN", "END", "TZID", "DTSTART", ZONES_PROPERTY, *_SCANNED)
    prefixes = tuple(f"{name}{sep}" for name in wanted for sep in (":", ";"))
    stack: list[str] = []
    events: list[dict[str, str]] = []
    zones: set[str] = set()
    generator = ""
    for line in lines:
        if not line or not line[:30].upper().startswith(prefixes):
            continue
        try:
            name, params, value = line.parts()
        except ValueError:
            continue  # the full parse reports a broken line when the file is to be changed
        name = name.upper()
        if name == "BEGIN":
            stack.append(value.upper())
            if stack[-1] == "VEVENT":
                events.append({})
        elif name == "END":
            if stack:
                stack.pop()
        elif stack == ["VCALENDAR"] and name == ZONES_PROPERTY:
            generator = value
        elif stack[-1:] == ["VTIMEZONE"] and name == "TZID":
            zones.add(value)
        elif stack[-1:] == ["VEVENT"] and name == "DTSTART":
            events[-1].setdefault(START_ZONE, str(params.get("TZID", "")))
        elif stack[-1:] == ["VEVENT"] and name in _SCANNED and name not in events[-1]:
            factory = Component.types_factory.for_property(name, params.value)
            own_value = getattr(factory, "get_value_from_content_line", None)
            try:
                events[-1][name] = str(factory(factory.from_ical(own_value(line) if own_value else value)))
            except (ValueError, TypeError):
                events[-1][name] = value
    if not lines or not any(str(line).upper() == "BEGIN:VCALENDAR" for line in lines[:1]):
        return None
    present = zones if generator == GENERATOR_VERSION else set()
    ours: dict[str, dict[str, str]] = {}
    for event in events:
        if event.get(MEETING_PROPERTY):
            ours.setdefault(id_key(event[MEETING_PROPERTY]), event)  # as ``_our_events``: the first wins
    untrusted = {_tzid(e) for e in ours.values() if _tzid(e) and _tzid(e) not in present}
    return events, untrusted


def _our_events(calendar: Calendar) -> dict[str, Event]:
    """gmo-sync's events by ``id_key`` of their meeting; the first one wins if a copy was pasted in."""
    found: dict[str, Event] = {}
    for event in calendar.walk("VEVENT"):
        meeting_id = _text(event, MEETING_PROPERTY)
        if meeting_id:
            found.setdefault(id_key(meeting_id), event)
    return found


def _text(event: Event | dict[str, str], name: str) -> str:
    value = event.get(name)
    return "" if value is None else str(value)


def _build_event(
    spec: EventSpec, uid: str, sequence: int, cancelled: bool, now: dt.datetime, created: dt.datetime
) -> Event:
    event = Event()
    event.add("UID", uid)
    event.add("DTSTAMP", now)
    event.add("CREATED", created)
    event.add("LAST-MODIFIED", now)
    event.add("SEQUENCE", sequence)
    event.add("DTSTART", spec.start)
    event.add("DTEND", spec.end)
    event.add("SUMMARY", spec.summary)
    if spec.description:
        event.add("DESCRIPTION", spec.description)
    if spec.location:
        event.add("LOCATION", spec.location)
    if spec.url:
        event.add("URL", spec.url)
    for email in spec.attendees:
        # RSVP=FALSE: the file informs, it sends no invitations and expects no replies.
        event.add("ATTENDEE", f"mailto:{email}", parameters={"RSVP": "FALSE"})
    event.add("STATUS", "CANCELLED" if cancelled else "CONFIRMED")
    # VALUE=TEXT: without it icalendar reads an X- property back still escaped («ГМО\\,1»).
    event.add(MEETING_PROPERTY, vText(spec.meeting_id), parameters={"VALUE": "TEXT"})
    event.add(HASH_PROPERTY, spec.content_hash)
    return event


def _cancel_in_place(event: Event, now: dt.datetime) -> None:
    event["STATUS"] = vText("CANCELLED")
    sequence = int(event.get("SEQUENCE", 0)) + 1
    for name in ("SEQUENCE", "DTSTAMP", "LAST-MODIFIED"):
        event.pop(name, None)
    event.add("SEQUENCE", sequence)
    event.add("DTSTAMP", now)
    event.add("LAST-MODIFIED", now)
