"""An in-memory ``CalendarStore``: the reference the contract suite and the core's tests run against."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from gmo_sync.core.model import id_key
from gmo_sync.core.ports import EventAction, EventActionKind, EventLinks, EventOutcome, StoredEvent


@dataclass
class MemoryCalendarState:
    """What a memory calendar holds; share one between stores to 're-open' the same calendar."""

    events: dict[str, StoredEvent] = field(default_factory=dict)  # by id_key of the meeting
    writes: list[str] = field(default_factory=list)  # "create ID" / "update ID" / "cancel ID", in order


class MemoryCalendar:
    def __init__(self, state: MemoryCalendarState | None = None) -> None:
        self.state = state if state is not None else MemoryCalendarState()

    def describe(self) -> str:
        return "календарь в памяти"

    creates_ride_with_listing = False

    def existing(self, creating: Sequence[EventAction] = ()) -> dict[str, StoredEvent]:
        return {event.meeting_id: event for event in self.state.events.values()}

    def expected_links(self, action: EventAction) -> EventLinks:
        return EventLinks(f"memory:{id_key(action.meeting_id)}", "")

    def apply(self, actions: Sequence[EventAction]) -> list[EventOutcome]:
        return [EventOutcome(a.meeting_id, self._apply_one(a)) for a in actions]

    def _apply_one(self, action: EventAction) -> StoredEvent | None:
        key = id_key(action.meeting_id)
        current = self.state.events.get(key)
        if action.kind == EventActionKind.KEEP:
            return current if current is not None else action.existing
        if action.spec is None:
            if current is not None and not current.cancelled:
                current = replace(current, cancelled=True, sequence=current.sequence + 1)
                self._put(key, current, "cancel")
            return current
        spec = action.spec
        cancelled = spec.cancelled or action.kind == EventActionKind.CANCEL
        if (
            current is not None
            and current.content_hash == spec.content_hash
            and current.cancelled == cancelled
        ):
            return current  # a repeated plan finds the event as wanted
        previous = current or action.existing
        event = StoredEvent(
            meeting_id=spec.meeting_id,
            event_id=previous.event_id if previous else "mem" + hashlib.sha256(key.encode()).hexdigest()[:16],
            link=f"memory:{key}",
            video_link="",
            content_hash=spec.content_hash,
            cancelled=cancelled,
            sequence=previous.sequence + 1 if previous else 0,
            summary=spec.summary,
        )
        self._put(key, event, "cancel" if cancelled else "update" if current else "create")
        return event

    def _put(self, key: str, event: StoredEvent, verb: str) -> None:
        self.state.events[key] = event
        self.state.writes.append(f"{verb} {event.meeting_id}")
