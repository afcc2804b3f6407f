"""The calendar step of a run: plan events from the meetings, apply them, collect what to write back."""

from __future__ import annotations

from dataclasses import dataclass, field

from gmo_sync.core.actions import NEW_DOCUMENT, Action, Kind, Status
from gmo_sync.core.config import Config
from gmo_sync.core.model import Meeting, MeetingStatus, id_key
from gmo_sync.core.plan.calendar import EventPlan, event_spec, invitees, plan_events
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
from gmo_sync.core.schema import AGENDA, MEETINGS

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
    plan = plan_events(specs, existing, known, allow_mass_cancel=allow_mass_cancel, cancelled_ids=cancelled)
    plan.cell_problems.extend(_cut_agendas(parsed, specs, limit))
    links = {id_key(a.meeting_id): store.expected_links(a) for a in plan.actions}
    return CalendarStep(plan, existing, links)


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


def apply_calendar(step: CalendarStep, store: CalendarStore, report: RunReport,
                   rows: dict[str, int]) -> tuple[dict[str, StoredEvent], list[Action]]:  # fmt: skip
    """Apply the plan; returns the events as they now are (by meeting ID key) and the actions' outcomes."""
    events: dict[str, StoredEvent] = {}
    actions: list[Action] = []
    for action, outcome in zip(step.plan.actions, store.apply(step.plan.actions), strict=True):
        key = id_key(action.meeting_id)
        place = f"{MEETINGS.name}!{rows[key]}" if key in rows else CALENDAR_PLACE
        if outcome.problem:
            report.problem(place, outcome.problem)
        if outcome.stored is not None:
            events[key] = outcome.stored
        if action.kind != EventActionKind.KEEP:
            failed = outcome.stored is None and bool(outcome.problem)
            actions.append(event_action(action).with_status(Status.FAILED if failed else Status.DONE))
    report_plan_problems(step, report)
    return events, actions
