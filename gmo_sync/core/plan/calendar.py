"""Plan the calendar: one event per online or mixed meeting, kept up to date, cancelled when due.

Pure: (meetings, the events that exist) → a list of actions, each able to
describe itself; a ``CalendarStore`` carries them out. An event is rewritten
only when the content hash of its fields changes, so cosmetic sheet edits and
the links the tool writes back cause no writes. Only events gmo-sync made are
ever cancelled, and a cancellation of many at once waits for
``--allow-mass-cancel``: an emptied or mis-read sheet must not wipe a calendar.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from gmo_sync.core.actions import NEW_DOCUMENT, Action, Kind
from gmo_sync.core.config import Config
from gmo_sync.core.model import AgendaItem, Meeting, MeetingStatus, Participant, id_key
from gmo_sync.core.ports import (
    CalendarStore,
    EventAction,
    EventActionKind,
    EventLinks,
    EventSpec,
    ProtocolLink,
    StoredEvent,
)
from gmo_sync.core.problems import Problem
from gmo_sync.core.reading import ParsedSheet
from gmo_sync.core.report import RunReport
from gmo_sync.core.schema import AGENDA
from gmo_sync.rendering.words import plural

MASS_CANCEL_COUNT = 5  # more cancellations than this at once need --allow-mass-cancel …
MASS_CANCEL_SHARE = 0.5  # … and so do more than this share of the live events (two or more)

_CALENDAR_STATUSES = (MeetingStatus.PLANNED, MeetingStatus.HELD, MeetingStatus.CANCELLED)
_URL = re.compile(r"^https?://\S+$", re.IGNORECASE)
# Only these placeholders are substituted; any other brace stays as typed. str.format_map
# would raise on a lone «{» and would let «{тема.__class__}» reach into objects.
_PLACEHOLDER = re.compile(r"\{\s*(тема|дата|номер)\s*\}")


def event_summary(pattern: str, meeting: Meeting) -> str:
    values = {
        "тема": meeting.topic,
        "дата": f"{meeting.date:%d.%m.%Y}",
        "номер": "" if meeting.protocol_number is None else str(meeting.protocol_number),
    }
    summary = _PLACEHOLDER.sub(lambda m: values[m.group(1)], pattern).strip()
    return summary or meeting.topic


def event_description(meeting: Meeting, protocol_link: str, limit: int | None = None) -> str:
    return fit_description(meeting, protocol_link, limit)[0]


def fit_description(meeting: Meeting, protocol_link: str, limit: int | None) -> tuple[str, AgendaItem | None]:
    """The agenda and the protocol link, within ``limit`` characters when the calendar has one.

    What does not fit is cut at an agenda line, marked «…», and the first item cut is returned so
    the run can name its cell; the protocol link is always kept (the full agenda is in the protocol).
    """
    agenda: list[tuple[AgendaItem, str]] = []
    for item in meeting.agenda:
        speaker = f" — {item.speaker}" if item.speaker else ""
        agenda.append((item, f"{item.number}. {item.question}{speaker}"))
    tail = [f"Протокол: {protocol_link}"] if protocol_link else []
    if tail and agenda:
        tail.insert(0, "")
    head = ["Повестка:"] if agenda else []
    full = "\n".join(head + [line for _, line in agenda] + tail)
    if limit is None or len(full) <= limit:
        return full, None
    ending = ["…", *tail]
    lines = list(head)
    for item, line in agenda:
        room = limit - len("\n".join([*lines, line, *ending]))
        if room < 0:
            part = line[: max(0, len(line) + room)]
            return "\n".join([*lines, part, *ending] if part else [*lines, *ending])[:limit], item
        lines.append(line)
    return full[:limit], None  # only the link itself is too long: nothing of the agenda was cut


def invitees(participants: Iterable[Participant]) -> tuple[str, ...]:
    """The e-mails of everyone with Приглашать = да, once each (case ignored), sorted."""
    emails = {p.email.strip().casefold(): p.email.strip() for p in participants if p.invite and p.email}
    return tuple(sorted(emails.values(), key=str.casefold))


def event_spec(
    meeting: Meeting,
    participants: Iterable[Participant],
    config: Config,
    protocol_link: str,
    *,
    description_limit: int | None = None,
    guests: tuple[str, ...] | None = None,
) -> EventSpec | None:
    """The event ``meeting`` should have, or None when it gets no event (offline, no start time).

    ``guests``: ``invitees(participants)`` worked out once for a whole plan (it is the same for every
    meeting), instead of per meeting.
    """
    if not meeting.is_online or meeting.start is None or meeting.status not in _CALENDAR_STATUSES:
        return None
    zone = config.zone
    start = dt.datetime.combine(meeting.date, meeting.start, tzinfo=zone)
    if meeting.end is not None:
        end = dt.datetime.combine(meeting.date, meeting.end, tzinfo=zone)
    else:
        # RFC 5545 wants DTEND after DTSTART; a zero or negative duration in the config would break imports.
        end = start + dt.timedelta(minutes=max(config.calendar.duration_minutes, 1))
    place = meeting.place.strip()
    url = place if _URL.match(place) else ""
    attendees: tuple[str, ...] = ()
    if config.calendar.invite:
        attendees = invitees(participants) if guests is None else guests
    description, cut_at = fit_description(meeting, protocol_link, description_limit)
    return EventSpec(
        meeting_id=meeting.id,
        summary=event_summary(config.calendar.summary, meeting),
        start=start,
        end=end,
        description=description,
        location=place,
        url=url,
        cancelled=meeting.status == MeetingStatus.CANCELLED,
        attendees=attendees,
        want_video=config.calendar.meet_links and not url,
        cut_at=cut_at,
    )


@dataclass(frozen=True)
class EventPlan:
    actions: list[EventAction]
    problems: list[str] = field(default_factory=list)  # Russian, e.g. the mass-cancel guard
    cell_problems: list[Problem] = field(default_factory=list)  # with their own place, e.g. a cut agenda

    def changes(self) -> list[EventAction]:
        return [a for a in self.actions if a.kind != EventActionKind.KEEP]


CANCELLED_MEETING = "заседание отменено"
DELETED_ROW = "строки заседания больше нет в таблице"


def plan_events(
    specs: list[EventSpec],
    existing: dict[str, StoredEvent],
    known_meeting_ids: set[str],
    *,
    allow_mass_cancel: bool,
    cancelled_ids: Iterable[str] = (),
) -> EventPlan:
    """Actions that make the calendar match ``specs``.

    ``known_meeting_ids`` are the IDs of every meeting row, invalid rows included:
    an event is cancelled as deleted only when no row carries its meeting's ID, so
    a row with a typo in its date never loses its event.
    """
    stored = {id_key(k): v for k, v in existing.items()}
    actions: list[EventAction] = []
    planned: set[str] = set()
    for spec in specs:
        key = id_key(spec.meeting_id)
        if key in planned:
            continue  # reading already reports duplicate IDs; the first row wins
        planned.add(key)
        action = _decide(spec, stored.get(key))
        if action is not None:
            actions.append(action)
    known = {id_key(i) for i in known_meeting_ids} | planned
    # A cancelled meeting gets no spec when its start time was cleared or its format changed,
    # yet its event must still be cancelled.
    cancelled = {id_key(i) for i in cancelled_ids} - planned
    for key, event in sorted(stored.items()):
        if event.cancelled:
            continue
        if key in cancelled:
            actions.append(
                EventAction(EventActionKind.CANCEL, event.meeting_id, None, event, CANCELLED_MEETING)
            )
        elif key not in known:
            actions.append(EventAction(EventActionKind.CANCEL, event.meeting_id, None, event, DELETED_ROW))
    return _guard_mass_cancel(actions, stored.values(), allow_mass_cancel)


def _decide(spec: EventSpec, event: StoredEvent | None) -> EventAction | None:
    if spec.cancelled:
        if event is None:
            return None  # nothing to cancel; a cancelled meeting gets no new event
        if event.cancelled:
            return EventAction(EventActionKind.KEEP, spec.meeting_id, spec, event)
        return EventAction(EventActionKind.CANCEL, spec.meeting_id, spec, event, CANCELLED_MEETING)
    if event is None:
        return EventAction(EventActionKind.CREATE, spec.meeting_id, spec, None)
    if event.cancelled or event.content_hash != spec.content_hash:
        return EventAction(EventActionKind.UPDATE, spec.meeting_id, spec, event)
    return EventAction(EventActionKind.KEEP, spec.meeting_id, spec, event)


def is_mass_cancel(cancelling: int, live: int) -> bool:
    """More than 5 at once, or more than half of the live events (one alone never counts)."""
    return cancelling > MASS_CANCEL_COUNT or (cancelling > 1 and cancelling > live * MASS_CANCEL_SHARE)


def _guard_mass_cancel(actions: list[EventAction], stored: Iterable[StoredEvent], allow: bool) -> EventPlan:
    cancels = [a for a in actions if a.kind == EventActionKind.CANCEL]
    # Live events as the plan leaves them, cancellations aside: counting the ones it creates or
    # restores keeps the verdict the same on the next run, when they already exist.
    live = sum(1 for e in stored if not e.cancelled) + sum(
        1
        for a in actions
        if a.kind == EventActionKind.CREATE
        or (a.kind == EventActionKind.UPDATE and a.existing and a.existing.cancelled)
    )
    if allow or not is_mass_cancel(len(cancels), live):
        return EventPlan(actions)
    n = len(cancels)
    message = (
        f"Отмена {n} {plural(n, 'события', 'событий', 'событий')} из {live} за один запуск "
        f"похожа на ошибку в таблице (удалены или отменены сразу многие заседания); события не отменены. "
        f"Если всё верно, запустите с --allow-mass-cancel."
    )
    kept = [a for a in actions if a.kind != EventActionKind.CANCEL]
    return EventPlan(kept, [message])


# -- the calendar step: the plan of a run, with the links it leaves to write back ----------------------

CALENDAR_PLACE = "Календарь"
ACTION_KINDS = {EventActionKind.CREATE: (Kind.EVENT_CREATE, "создано"),
                EventActionKind.UPDATE: (Kind.EVENT_UPDATE, "обновлено"),
                EventActionKind.CANCEL: (Kind.EVENT_CANCEL, "отменено")}  # fmt: skip


@dataclass
class CalendarStep:
    """Everything the calendar step will do: the event actions and the links they leave to write back."""

    plan: EventPlan
    existing: dict[str, StoredEvent]  # as read once for the plan; a re-plan in the run reuses it
    links: dict[str, EventLinks] = field(default_factory=dict)  # by id_key, for every action (KEEP too)

    def actions(self) -> list[Action]:
        return [event_action(a) for a in self.plan.changes()]


def event_action(action: EventAction) -> Action:
    kind, done = ACTION_KINDS[action.kind]
    label = f"«{action.summary}» (заседание {action.meeting_id})" if action.summary else (
        f"заседания {action.meeting_id}")  # fmt: skip
    return Action(kind, action.meeting_id, action.summary, planned=action.describe(),
                  done_text=f"{done} событие {label}")  # fmt: skip


def _protocol_url(meeting: Meeting, links: dict[str, ProtocolLink | None]) -> str:
    """A link a calendar app can open: the document's URL, never a relative file path.

    A new Google Doc has no URL before the run makes it: a plan describes the event with a stand-in,
    so it says «update» exactly where the run, knowing the URL, will update.
    """
    key = id_key(meeting.id)
    if key in links:
        link = links[key]
        if link is None:
            return NEW_DOCUMENT
        url = link.url
    else:
        url = meeting.protocol_link
    return url if url.startswith(("http://", "https://")) else ""


def plan_calendar(
    parsed: ParsedSheet,
    meetings: list[Meeting],
    new_ids: dict[int, str],
    store: CalendarStore,
    existing: dict[str, StoredEvent],
    config: Config,
    protocol_links: dict[str, ProtocolLink | None],
    *,
    allow_mass_cancel: bool,
) -> CalendarStep:
    limit = getattr(store, "description_limit", None)
    specs = [spec for _, spec in _specs(parsed, meetings, limit, config, protocol_links)]
    rows = parsed.meeting_rows
    known = {new_ids.get(r.row, r.id) for r in rows if new_ids.get(r.row, r.id)}
    cancelled = {r.id for r in rows if r.id and r.status == MeetingStatus.CANCELLED}
    plan = plan_events(specs, existing, known, allow_mass_cancel=allow_mass_cancel, cancelled_ids=cancelled)
    plan.cell_problems.extend(_cut_agendas(parsed, specs, limit))
    links = {id_key(a.meeting_id): store.expected_links(a) for a in plan.actions}
    return CalendarStep(plan, existing, links)


def _specs(parsed: ParsedSheet, meetings: list[Meeting], limit: int | None, config: Config,
           protocol_links: dict[str, ProtocolLink | None]) -> list[tuple[Meeting, EventSpec]]:  # fmt: skip
    """Each meeting's event as it should be. A calendar may cap the description (Google's is about
    8 KB): the agenda is cut there, and said so."""
    guests = invitees(parsed.participants)  # the same for every meeting: worked out once
    specs = []
    for meeting in meetings:
        link = _protocol_url(meeting, protocol_links)
        spec = event_spec(meeting, parsed.participants, config, link, description_limit=limit, guests=guests)
        if spec is not None:
            specs.append((meeting, spec))
    return specs


def creates_from_sheet(parsed: ParsedSheet, meetings: list[Meeting], store: CalendarStore, config: Config,
                       protocol_links: dict[str, ProtocolLink | None]) -> list[EventAction]:  # fmt: skip
    """The creates the plan makes for meetings whose Событие cell is empty, should the calendar have
    none of their events — decided by the same planner (the first row of an ID wins, a cancelled
    meeting gets none). The listing then tells which the plan really makes (``CalendarStore.existing``).
    """
    pairs = _specs(parsed, meetings, getattr(store, "description_limit", None), config, protocol_links)
    first: dict[str, Meeting] = {}
    for meeting, spec in pairs:
        first.setdefault(id_key(spec.meeting_id), meeting)
    plan = plan_events([spec for _, spec in pairs], {}, set(), allow_mass_cancel=True)
    return [a for a in plan.actions
            if a.kind == EventActionKind.CREATE and not first[id_key(a.meeting_id)].event_link]  # fmt: skip


def _cut_agendas(parsed: ParsedSheet, specs: list[EventSpec], limit: int | None) -> list[Problem]:
    problems = []
    for spec in specs:
        if spec.cut_at is not None and not spec.cancelled:
            place = parsed.columns[AGENDA.name].ref("question", spec.cut_at.row)
            problems.append(Problem(place, (
                f"повестка заседания {spec.meeting_id} не помещается в описание события календаря "
                f"(не больше {limit} символов): в событие записано начало повестки до этого вопроса, "
                f"полностью она — в протоколе. Чтобы она вошла целиком, сократите формулировки вопросов"
            )))  # fmt: skip
    return problems


def report_plan_problems(step: CalendarStep, report: RunReport) -> None:
    for message in step.plan.problems:
        report.problem(CALENDAR_PLACE, message)
    report.problems.extend(step.plan.cell_problems)
