"""«Контроль исполнения решений»: the register of decisions across meetings.

Rows are grouped by status (просрочено, в работе, выполнено — what needs a look first)
and, within a status, by the person responsible: a cell that names one participant
(«Замятина Е.Д., методист КИМЦ», «Е.Д. Замятина») is grouped under that participant's
«ФИО», anything else under the text as typed. Every decision appears once, so the
totals add up. Only held meetings have decisions to control.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from gmo_sync.core.documents import DocumentSpec, base_context
from gmo_sync.core.model import Decision, DecisionStatus, Meeting, MeetingStatus
from gmo_sync.core.people import PeopleDirectory
from gmo_sync.core.problems import Problem
from gmo_sync.core.reports import DocumentRequest, Period
from gmo_sync.rendering import date_in_words

KIND = "decisions"
TITLE = "Контроль исполнения решений"
STATUS_ORDER = (DecisionStatus.OVERDUE, DecisionStatus.IN_PROGRESS, DecisionStatus.DONE)
NO_ONE = "Ответственный не указан"


@dataclass(frozen=True)
class DecisionsQuery:
    period: Period | None = None  # None: every held meeting
    open_only: bool = False


def deadline_text(decision: Decision) -> str:
    if decision.deadline is None:
        return ""
    return decision.deadline.date.strftime("%d.%m.%Y") if decision.deadline.date else decision.deadline.text


def effective_status(decision: Decision) -> DecisionStatus:
    return decision.status or DecisionStatus.IN_PROGRESS


def person_label(decision: Decision, people: PeopleDirectory) -> str:
    if not decision.responsible.strip():
        return NO_ONE
    # one person named directly («Замятина Е.Д., методист») is grouped under their «ФИО»; a cell that
    # names a group or several people stays as typed, so each decision is counted once
    resolution = people.resolve(decision.responsible)
    if len(resolution.people) == 1 and not resolution.groups:
        return resolution.people[0].name
    return decision.responsible.strip()


def decision_row(meeting: Meeting, decision: Decision) -> dict[str, object]:
    number = meeting.protocol_number
    return {
        "номер": decision.number,
        "протокол": f"№ {number} от {meeting.date:%d.%m.%Y}"
        if number is not None
        else f"{meeting.date:%d.%m.%Y}",
        "номер_протокола": number if number is not None else "",
        "дата_заседания": meeting.date.strftime("%d.%m.%Y"),
        "тема": meeting.topic,
        "id_заседания": meeting.id,
        "решение": decision.text,
        "ответственный": decision.responsible,
        "срок": deadline_text(decision),
        "статус": effective_status(decision).value,
        "отметка": decision.done_note,
    }


def build_decisions(request: DocumentRequest, query: DecisionsQuery) -> list[DocumentSpec]:
    held = [m for m in request.meetings if m.status == MeetingStatus.HELD]
    if query.period is not None:
        held = [m for m in held if m.date in query.period]
        if not held:
            request.problems.append(
                Problem("Заседания", f"за {query.period.label} нет проведённых заседаний")
            )
    items = [
        (m, d) for m in sorted(held, key=lambda m: (m.date, m.protocol_number or 0)) for d in m.decisions
    ]
    if query.open_only:
        items = [(m, d) for m, d in items if effective_status(d) != DecisionStatus.DONE]
    totals = {s: sum(1 for _, d in items if effective_status(d) == s) for s in STATUS_ORDER}
    groups = []
    counter = 0
    for status in STATUS_ORDER:
        by_person: dict[str, list[dict[str, object]]] = defaultdict(list)
        for meeting, decision in items:
            if effective_status(decision) == status:
                by_person[person_label(decision, request.people)].append(decision_row(meeting, decision))
        if not by_person:
            continue
        persons = []
        for person in sorted(by_person, key=lambda p: (p == NO_ONE, p.casefold().replace("ё", "е"))):
            rows = by_person[person]
            for row in rows:
                counter += 1
                row["п"] = counter
            persons.append({"ответственный": person, "всего": len(rows), "решения": rows})
        groups.append({"статус": status.value, "всего": totals[status], "ответственные": persons})
    context = base_context(request.config, request.today)
    context.update(
        {
            "заголовок": TITLE,
            "период": query.period.label if query.period else "все заседания",
            "только_невыполненные": query.open_only,
            "группы": groups,
            "решения": [row for g in groups for p in g["ответственные"] for row in p["решения"]],
            "итого": {
                "всего": len(items),
                "выполнено": totals[DecisionStatus.DONE],
                "в_работе": totals[DecisionStatus.IN_PROGRESS],
                "просрочено": totals[DecisionStatus.OVERDUE],
            },
            "на_дату": date_in_words(request.today),
        }
    )
    name = (
        TITLE
        + (f" {query.period.slug}" if query.period else "")
        + (" (невыполненные)" if query.open_only else "")
    )
    key = ":".join([KIND, query.period.slug if query.period else "все", "open" if query.open_only else "all"])
    return [DocumentSpec(key, KIND, name, context)]
