"""The figures of an academic year, for «Анализ работы ГМО за учебный год»: pure, from meetings.

What counts:
- meetings of the year are those dated 1 September – 31 August; held / cancelled /
  still planned by «Статус», online (and mixed) by «Формат» of the held ones;
- attendance of a held meeting is ``Meeting.present_count`` («Присутствовало», or the
  marks when it is blank); the average is over the held meetings whose attendance is
  known; per person, over the held meetings that have marks on «Присутствие»;
- a speaker is whoever «Докладчик» of an agenda item or a speech names, once per
  meeting, resolved to «Участники» where the name is there;
- decisions are those taken at the year's held meetings, by their status as of today.
  A done decision is «в срок» when «Отметка о выполнении» holds a date no later than
  the deadline, «с опозданием» when the date is later; without a date in the note
  (or a deadline without a date: «постоянно») it cannot be told and counts apart.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field

from gmo_sync.core import parsing
from gmo_sync.core.model import Decision, DecisionStatus, Format, Mark, Meeting, MeetingStatus, Participant
from gmo_sync.core.parsing import ParseError, normalize_text
from gmo_sync.core.people import PeopleDirectory, split_names
from gmo_sync.core.years import meetings_of_year

_DATE = re.compile(r"\b\d{1,2}\.\d{1,2}\.\s?\d{2,4}\b")


class DecisionOutcome:
    """How a decision of the year stands; the order is the order of the chart and the tables."""

    ON_TIME = "выполнено в срок"
    LATE = "выполнено с опозданием"
    DONE_UNDATED = "выполнено, дата не указана"
    IN_PROGRESS = "в работе"
    OVERDUE = "просрочено"
    ORDER = (ON_TIME, LATE, DONE_UNDATED, IN_PROGRESS, OVERDUE)
    DONE = (ON_TIME, LATE, DONE_UNDATED)


@dataclass
class PersonAttendance:
    name: str  # «ФИО» from «Участники», or the name as marked when it is not there
    participant: Participant | None
    present: int = 0
    marked: int = 0  # held meetings of the year with marks, where this person had one or could have

    @property
    def percent(self) -> int:
        return round(100 * self.present / self.marked) if self.marked else 0


@dataclass
class Speaker:
    name: str
    participant: Participant | None
    meetings: int = 0  # held meetings at which they spoke


@dataclass
class YearFigures:
    start: int
    meetings: list[Meeting]  # every meeting of the year, in date order
    held: list[Meeting] = field(default_factory=list)
    cancelled: list[Meeting] = field(default_factory=list)
    planned: list[Meeting] = field(default_factory=list)
    online: int = 0  # held online or mixed
    offline: int = 0
    attendance: list[tuple[Meeting, int | None]] = field(default_factory=list)  # held meetings
    average_attendance: float | None = None
    people: list[PersonAttendance] = field(default_factory=list)
    speakers: list[Speaker] = field(default_factory=list)
    organisations: list[tuple[str, int]] = field(default_factory=list)  # (organisation, people present)
    decisions: list[tuple[Meeting, Decision, str]] = field(default_factory=list)  # (…, outcome)

    def outcome_counts(self) -> dict[str, int]:
        counts = Counter(outcome for _, _, outcome in self.decisions)
        return {outcome: counts.get(outcome, 0) for outcome in DecisionOutcome.ORDER}


def year_figures(meetings: list[Meeting], people: PeopleDirectory, start: int, today: dt.date) -> YearFigures:
    """Everything the year report shows, for the academic year that begins in September of ``start``."""
    figures = YearFigures(start, meetings_of_year(meetings, start))
    for meeting in figures.meetings:
        {MeetingStatus.HELD: figures.held, MeetingStatus.CANCELLED: figures.cancelled,
         MeetingStatus.PLANNED: figures.planned}[meeting.status].append(meeting)  # fmt: skip
    figures.online = sum(1 for m in figures.held if m.format in (Format.ONLINE, Format.MIXED))
    figures.offline = sum(1 for m in figures.held if m.format == Format.OFFLINE)
    figures.attendance = [(m, m.present_count) for m in figures.held]
    known = [n for _, n in figures.attendance if n is not None]
    figures.average_attendance = sum(known) / len(known) if known else None
    figures.people = _people(figures.held, people)
    figures.speakers = _speakers(figures.held, people)
    figures.organisations = _organisations(figures.held)
    figures.decisions = [(m, d, decision_outcome(d, today)) for m in figures.held for d in m.decisions]
    return figures


def _people(held: list[Meeting], directory: PeopleDirectory) -> list[PersonAttendance]:
    """Everyone in «Участники», plus anyone marked who is not there, over the meetings with marks."""
    marked_meetings = [m for m in held if m.marks]
    rows: dict[str, PersonAttendance] = {}
    for person in directory.participants:
        rows.setdefault(f"row:{person.row}", PersonAttendance(person.name, person))
    for meeting in marked_meetings:
        for mark in meeting.marks:
            key = f"row:{mark.participant.row}" if mark.participant else normalize_text(mark.name)
            entry = rows.setdefault(key, PersonAttendance(mark.name, mark.participant))
            if mark.mark == Mark.PRESENT:
                entry.present += 1
    for entry in rows.values():
        entry.marked = len(marked_meetings)
    if not marked_meetings:
        return []
    return sorted(rows.values(), key=lambda p: (-p.present, normalize_text(p.name)))


def _speakers(held: list[Meeting], directory: PeopleDirectory) -> list[Speaker]:
    found: dict[str, Speaker] = {}
    for meeting in held:
        named = [a.speaker for a in meeting.agenda] + [s.speaker for s in meeting.speeches]
        this_meeting: set[str] = set()
        for text in named:
            for key, speaker in _speakers_in(text, directory):
                if key not in this_meeting:
                    this_meeting.add(key)
                    found.setdefault(key, speaker).meetings += 1
    return sorted(found.values(), key=lambda s: (-s.meetings, normalize_text(s.name)))


def _speakers_in(text: str, directory: PeopleDirectory) -> list[tuple[str, Speaker]]:
    """«Замятина Е.Д., методист КИМЦ» → Замятина Елена Дмитриевна; «руководители РМО» stays a group.

    A part that names one participant is that person; a group or an unknown name is kept as
    typed (what the protocol says); a description after a name («методист КИМЦ») is no speaker.
    """
    speakers: list[tuple[str, Speaker]] = []
    parts = split_names(text)
    for index, part in enumerate(parts):
        found = directory.find(part)
        if len(found) == 1:
            person = found[0]
            speakers.append((f"row:{person.row}", Speaker(person.name, person)))
        elif found or index == 0:  # a group, or the first part: the speaker as the protocol names them
            speakers.append((normalize_text(part), Speaker(part, None)))
    return speakers


def _organisations(held: list[Meeting]) -> list[tuple[str, int]]:
    """Organisations of those present (by «Участники»), with how many different people came from each."""
    people: dict[str, set[int]] = {}
    for meeting in held:
        for mark in meeting.present:
            if mark.participant and mark.participant.organisation:
                people.setdefault(mark.participant.organisation, set()).add(mark.participant.row)
    return sorted(((o, len(rows)) for o, rows in people.items()), key=lambda x: (-x[1], normalize_text(x[0])))


def decision_outcome(decision: Decision, today: dt.date) -> str:
    status = decision.status or DecisionStatus.IN_PROGRESS
    deadline = decision.deadline.date if decision.deadline else None
    if status == DecisionStatus.DONE:
        done = done_date(decision.done_note)
        if done is None or deadline is None:
            return DecisionOutcome.DONE_UNDATED
        return DecisionOutcome.ON_TIME if done <= deadline else DecisionOutcome.LATE
    if status == DecisionStatus.OVERDUE or (deadline is not None and deadline < today):
        return DecisionOutcome.OVERDUE
    return DecisionOutcome.IN_PROGRESS


def done_date(note: str) -> dt.date | None:
    """The last date written in «Отметка о выполнении» («размещены на сайте 02.12.2021»), if any."""
    for text in reversed(_DATE.findall(note)):
        try:
            return parsing.parse_date(text)
        except ParseError:
            continue
    return None
