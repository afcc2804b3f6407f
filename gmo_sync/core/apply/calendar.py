"""The calendar step of a run, applied: the plan's actions through the store, each done or failed."""

from __future__ import annotations

from gmo_sync.core.actions import Action, Status
from gmo_sync.core.model import id_key
from gmo_sync.core.plan.calendar import CALENDAR_PLACE, CalendarStep, event_action, report_plan_problems
from gmo_sync.core.ports import CalendarStore, EventActionKind, StoredEvent
from gmo_sync.core.report import RunReport
from gmo_sync.core.schema import MEETINGS


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
