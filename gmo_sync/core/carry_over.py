"""Decisions carried over into a protocol: those of earlier meetings still open at its date.

The first agenda item of a meeting is often «О выполнении решений предыдущих заседаний».
For a meeting, ``CarryOver.before`` lists every decision of an earlier held meeting that is
not marked «выполнено» and has a dated deadline («постоянно» has nothing to report on), with
its status as of that meeting's date (a deadline before the
meeting means «просрочено» then, whatever the date today), so a protocol does not change
merely because days pass. A decision marked «выполнено» later leaves the list, and the
protocols that listed it are brought up to date by the next run like any other edit.
"""

from __future__ import annotations

from bisect import bisect_left

from gmo_sync.core.model import Decision, DecisionStatus, Meeting, MeetingStatus

VARIABLE = "невыполненные_решения"


def _deadline(decision: Decision) -> str:
    if decision.deadline is None:
        return ""
    return decision.deadline.date.strftime("%d.%m.%Y") if decision.deadline.date else decision.deadline.text


class CarryOver:
    """Open decisions by meeting date, indexed once per run (a protocol run plans every meeting)."""

    def __init__(self, meetings: list[Meeting]) -> None:
        held = sorted(
            (m for m in meetings if m.status == MeetingStatus.HELD),
            key=lambda m: (m.date, m.protocol_number or 0, m.row),
        )
        # Only decisions with a dated deadline: a standing one («постоянно») has nothing to report on.
        self._open = [
            (source, decision)
            for source in held
            for decision in sorted(source.decisions, key=lambda d: d.number)
            if decision.status != DecisionStatus.DONE
            and decision.deadline is not None
            and decision.deadline.date
        ]
        self._dates = [source.date for source, _ in self._open]

    def before(self, meeting: Meeting) -> list[dict[str, object]]:
        """Open decisions of meetings held before ``meeting``, with their status at its date."""
        items: list[dict[str, object]] = []
        for source, decision in self._open[: bisect_left(self._dates, meeting.date)]:
            due = decision.deadline.date  # type: ignore[union-attr]
            status = (
                DecisionStatus.OVERDUE
                if due is not None and due < meeting.date
                else DecisionStatus.IN_PROGRESS
            )
            number, source_date = source.protocol_number, source.date.strftime("%d.%m.%Y")
            items.append(
                {
                    "номер": decision.number,
                    "решение": decision.text,
                    "ответственный": decision.responsible,
                    "срок": _deadline(decision),
                    "статус": status.value,
                    "отметка": decision.done_note,
                    "протокол": f"№ {number} от {source.date:%d.%m.%Y}"
                    if number is not None
                    else source_date,
                    "номер_протокола": number if number is not None else "",
                    "дата_заседания": source.date.strftime("%d.%m.%Y"),
                    "тема": source.topic,
                }
            )
        return items
