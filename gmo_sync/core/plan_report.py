"""«План работы ГМО на учебный год»: the year's meetings with their agenda, from the sheet.

Each meeting of the academic year that is not cancelled is one row: month, date and
time, topic with the agenda questions, those responsible (the agenda's speakers, or
the meeting's «Ведущие» when no item names one) and the format. The year's theme,
aim and tasks come from the optional «Год» tab; without a row for the year those
parts are left out (the tab is optional).
"""

from __future__ import annotations

import re

from gmo_sync.core.documents import DocumentSpec, base_context
from gmo_sync.core.model import AcademicYear, Meeting, MeetingStatus, academic_year_label
from gmo_sync.core.parsing import normalize_text
from gmo_sync.core.problems import Problem
from gmo_sync.core.reports import DocumentRequest
from gmo_sync.core.schema import MEETINGS
from gmo_sync.core.years import meetings_of_year
from gmo_sync.rendering import month_name

KIND = "plan"
_BULLET = re.compile(r"^\s*(?:\d+[.)]|[-–—•·*])\s*")


def file_label(start: int) -> str:
    """«2026-27»: a year in a file name («/» cannot be in one)."""
    return academic_year_label(start).replace("/", "-")


def year_row(request: DocumentRequest, start: int) -> AcademicYear | None:
    return next((y for y in request.parsed.years if y.start == start), None)


def year_context(row: AcademicYear | None, start: int) -> dict[str, object]:
    """The «Год» row as template variables; ``задачи`` is a list, one task a line, numbering removed."""
    tasks = [_BULLET.sub("", line).strip() for line in (row.tasks if row else "").splitlines()]
    return {
        "учебный_год": academic_year_label(start),
        "тема_года": row.theme if row else "",
        "цель": row.aim if row else "",
        "задачи": [t for t in tasks if t],
        "есть_лист_год": row is not None,
    }


def responsible(meeting: Meeting) -> list[str]:
    """The agenda's speakers as typed, each once; the hosts when no item names a speaker."""
    named = [item.speaker for item in meeting.agenda if item.speaker.strip()]
    if not named:
        named = [part for part in re.split(r";|\n", meeting.hosts) if part.strip()]
    seen: dict[str, str] = {}
    for text in named:
        seen.setdefault(normalize_text(text), text.strip())
    return list(seen.values())


def plan_row(number: int, meeting: Meeting) -> dict[str, object]:
    start = meeting.start.strftime("%H:%M") if meeting.start else ""
    return {
        "номер": number,
        "месяц": month_name(meeting.date).capitalize(),
        "дата": meeting.date.strftime("%d.%m.%Y"),
        "время": start,
        "тема": meeting.topic,
        "вопросы": [item.question for item in meeting.agenda],
        "ответственные": responsible(meeting),
        "формат": meeting.format.value if meeting.format else "",
        "место_или_ссылка": meeting.place,
        "статус": meeting.status.value,
        "проведено": meeting.status == MeetingStatus.HELD,
    }


def build_plan(request: DocumentRequest, start: int) -> list[DocumentSpec]:
    label = academic_year_label(start)
    meetings = [m for m in meetings_of_year(request.meetings, start) if m.status != MeetingStatus.CANCELLED]
    if not meetings:
        message = f"на {label} учебный год заседаний нет: план не составлен"
        request.problems.append(Problem(MEETINGS.name, message))
        return []
    context = base_context(request.config, request.today)
    context.update(year_context(year_row(request, start), start))
    context["заседания"] = [plan_row(n, m) for n, m in enumerate(meetings, 1)]
    name = f"План работы ГМО на {file_label(start)} учебный год"
    return [DocumentSpec(f"{KIND}:{label}", KIND, name, context)]
