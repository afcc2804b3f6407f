"""The domain: meetings of the association and what hangs off them.

These objects are what the sheet *means* after validation. They hold parsed
values (dates, times, ints), never raw cell text, and know the sheet row they
came from so that problems and write-backs can name their place.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from gmo_sync.core.parsing import normalize_text


def id_key(value: str) -> str:
    """A meeting ID as coordinators see it: case, spaces and ё ignored. IDs are compared by it everywhere."""
    return normalize_text(value)


class Format(StrEnum):
    ONLINE = "онлайн"
    OFFLINE = "очно"
    MIXED = "смешанный"


class MeetingStatus(StrEnum):
    PLANNED = "запланировано"
    HELD = "проведено"
    CANCELLED = "отменено"


class DecisionStatus(StrEnum):
    IN_PROGRESS = "в работе"
    DONE = "выполнено"
    OVERDUE = "просрочено"


class Mark(StrEnum):
    """«Отметка» on the «Присутствие» tab."""

    PRESENT = "присутствовал"
    ABSENT = "отсутствовал"
    EXCUSED = "по уважительной причине"


@dataclass(frozen=True)
class Deadline:
    """A decision's «Срок»: a date, or an open-ended wording («постоянно»)."""

    date: dt.date | None
    text: str  # what the coordinator typed, normalised for display


@dataclass(frozen=True)
class AgendaItem:
    meeting_id: str
    number: int
    question: str
    speaker: str
    row: int


@dataclass(frozen=True)
class Speech:
    meeting_id: str
    number: int
    speaker: str
    content: str
    agenda_number: int | None
    row: int


@dataclass(frozen=True)
class Decision:
    meeting_id: str
    number: int
    text: str
    responsible: str
    deadline: Deadline | None
    status: DecisionStatus | None
    done_note: str
    agenda_number: int | None
    row: int


@dataclass(frozen=True)
class Participant:
    name: str
    position: str
    organisation: str
    email: str
    invite: bool
    row: int
    groups: tuple[str, ...] = ()  # «Группы»: names by which a decision's «Ответственный» reaches them


@dataclass(frozen=True)
class AttendanceMark:
    """One row of «Присутствие»: a person's mark for a meeting.

    ``participant`` is the «Участники» row the name was matched to. A name that
    matches nobody is reported but still counted, as typed: a guest was there all
    the same, and dropping the mark would make the count wrong.
    """

    meeting_id: str
    name: str
    mark: Mark
    row: int
    participant: Participant | None = None


@dataclass(frozen=True)
class AcademicYear:
    """One row of the optional «Год» tab: the year's theme, aim and tasks for the work plan."""

    start: int  # 2026 for «2026/27»
    theme: str
    aim: str
    tasks: str
    row: int

    @property
    def label(self) -> str:
        return academic_year_label(self.start)


def academic_year_label(start: int) -> str:
    """«2026/27»: how Russian schools write an academic year."""
    return f"{start}/{(start + 1) % 100:02d}"


def academic_year_of(date: dt.date) -> int:
    """The academic year (1 September – 31 August) a date falls in, by its first calendar year."""
    return date.year if date.month >= 9 else date.year - 1


@dataclass(frozen=True)
class Meeting:
    """One row of «Заседания», parsed.

    ``extra`` keeps every column of the row by its header as display text, the
    coordinators' own columns included, so templates can use any of them.
    """

    id: str
    protocol_number: int | None
    date: dt.date
    start: dt.time | None
    end: dt.time | None
    format: Format | None
    place: str
    topic: str
    hosts: str
    chair: str
    secretary: str
    participants: str
    attendance: int | None
    status: MeetingStatus
    protocol_link: str
    event_link: str
    video_link: str
    row: int
    extra: dict[str, str] = field(default_factory=dict)
    agenda: tuple[AgendaItem, ...] = ()
    speeches: tuple[Speech, ...] = ()
    decisions: tuple[Decision, ...] = ()
    marks: tuple[AttendanceMark, ...] = ()  # from «Присутствие», in sheet order

    @property
    def present(self) -> tuple[AttendanceMark, ...]:
        return tuple(m for m in self.marks if m.mark == Mark.PRESENT)

    @property
    def present_count(self) -> int | None:
        """«Присутствовало» as typed; when blank, the number of «присутствовал» marks (None: neither).

        The tool never writes the cell (it is the coordinators'): a blank cell simply means
        «count the marks», so marks added later keep the count right without a write.
        """
        if self.attendance is not None:
            return self.attendance
        return len(self.present) if self.present else None

    @property
    def is_online(self) -> bool:
        return self.format in (Format.ONLINE, Format.MIXED)
