"""The calendar step of a run: plan events from the meetings, apply them, collect what to write back."""

from __future__ import annotations

from gmo_sync.core.calendar import EventActionKind, EventPlan, EventSpec, event_spec, invitees, plan_events
from gmo_sync.core.config import Config
from gmo_sync.core.model import Meeting, MeetingStatus
from gmo_sync.core.ports import CalendarStore, ProtocolLink, StoredEvent
from gmo_sync.core.problems import Problem
from gmo_sync.core.reading import ParsedSheet, id_key
from gmo_sync.core.report import RunReport
from gmo_sync.core.schema import AGENDA, MEETINGS

CALENDAR_PLACE = "Календарь"
KIND_COUNTS = {EventActionKind.CREATE: "events_created", EventActionKind.UPDATE: "events_updated",
               EventActionKind.CANCEL: "events_cancelled"}  # fmt: skip


def _protocol_url(meeting: Meeting, links: dict[str, ProtocolLink]) -> str:
    """A link a calendar app can open: the document's URL, never a relative file path."""
    link = links.get(id_key(meeting.id))
    url = link.url if link else meeting.protocol_link
    return url if url.startswith(("http://", "https://")) else ""


def plan_calendar(
    parsed: ParsedSheet,
    meetings: list[Meeting],
    new_ids: dict[int, str],
    store: CalendarStore,
    config: Config,
    protocol_links: dict[str, ProtocolLink],
    *,
    allow_mass_cancel: bool,
) -> EventPlan:
    # A calendar may cap the description (Google's is about 8 KB): the agenda is cut there, and said so.
    limit = getattr(store, "description_limit", None)
    guests = invitees(parsed.participants)  # the same for every meeting: worked out once
    specs = []
    for meeting in meetings:
        link = _protocol_url(meeting, protocol_links)
        spec = event_spec(meeting, parsed.participants, config, link, description_limit=limit, guests=guests)
        if spec is not None:
            specs.append(spec)
    rows = parsed.meeting_rows
    known = {new_ids.get(r.row, r.id) for r in rows if new_ids.get(r.row, r.id)}
    cancelled = {r.id for r in rows if r.id and r.status == MeetingStatus.CANCELLED}
    plan = plan_events(specs, store.existing(), known, allow_mass_cancel=allow_mass_cancel,
                       cancelled_ids=cancelled)  # fmt: skip
    plan.cell_problems.extend(_cut_agendas(parsed, specs, limit))
    return plan


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


def describe_calendar_plan(plan: EventPlan, report: RunReport) -> None:
    for action in plan.changes():
        report.lines.append(action.describe())
        report.count(KIND_COUNTS[action.kind])
    for message in plan.problems:
        report.problem(CALENDAR_PLACE, message)
    report.problems.extend(plan.cell_problems)


def apply_calendar(plan: EventPlan, store: CalendarStore, report: RunReport,
                   rows: dict[str, int]) -> dict[str, StoredEvent]:  # fmt: skip
    """Apply the plan; returns the events as they now are, by meeting ID key."""
    events: dict[str, StoredEvent] = {}
    for action, outcome in zip(plan.actions, store.apply(plan.actions), strict=True):
        key = id_key(action.meeting_id)
        place = f"{MEETINGS.name}!{rows[key]}" if key in rows else CALENDAR_PLACE
        if outcome.problem:
            report.problem(place, outcome.problem)
        if outcome.stored is not None:
            events[key] = outcome.stored
            if action.kind != EventActionKind.KEEP:
                report.lines.append(_done(action.kind, action.summary, action.meeting_id))
                report.count(KIND_COUNTS[action.kind])
    for message in plan.problems:
        report.problem(CALENDAR_PLACE, message)
    report.problems.extend(plan.cell_problems)
    return events


def _done(kind: EventActionKind, summary: str, meeting_id: str) -> str:
    verb = {EventActionKind.CREATE: "создано", EventActionKind.UPDATE: "обновлено",
            EventActionKind.CANCEL: "отменено"}[kind]  # fmt: skip
    return f"{verb} событие «{summary}» (заседание {meeting_id})"
