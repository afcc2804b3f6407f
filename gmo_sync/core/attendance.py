"""The «Присутствие» tab: who was at each meeting, matched to «Участники».

One row per person and meeting: «ID заседания», «ФИО», «Отметка» (присутствовал /
отсутствовал / по уважительной причине). Names are matched to «Участники» the way
«Ответственный» is (``core.people``: surname and initials, ё/е and spaces ignored).

«Присутствовало» on «Заседания» stays the coordinators' cell: the tool never writes
it. Blank, it means «count the marks» (``Meeting.present_count``); filled while the
meeting has «присутствовал» marks, it must agree with them, or the cell is reported.

The rows themselves are read by ``core.reading`` with its ``RowReader`` (one pass over every
tab); this module holds what is decided about a mark, so it needs no part of the reader.
"""

from __future__ import annotations

from collections.abc import Callable

from gmo_sync.core import parsing
from gmo_sync.core.model import AttendanceMark, Mark, Meeting, Participant
from gmo_sync.core.parsing import CellValue, normalize_text
from gmo_sync.core.people import PeopleDirectory
from gmo_sync.core.problems import Problem
from gmo_sync.core.schema import ATTENDANCE, PARTICIPANTS
from gmo_sync.rendering.words import people_count

MARK_SYNONYMS = {
    "присутствовала": "присутствовал", "присутствовали": "присутствовал", "присутствует": "присутствовал",
    "был": "присутствовал", "была": "присутствовал", "да": "присутствовал", "+": "присутствовал",
    "отсутствовала": "отсутствовал", "отсутствовали": "отсутствовал", "отсутствует": "отсутствовал",
    "не был": "отсутствовал", "не была": "отсутствовал", "нет": "отсутствовал", "-": "отсутствовал",
    "уважительная": "по уважительной причине", "уважительная причина": "по уважительной причине",
    "по уважительной": "по уважительной причине", "ув.": "по уважительной причине",
    "отсутствовал по уважительной причине": "по уважительной причине",
    "отсутствовала по уважительной причине": "по уважительной причине",
}  # fmt: skip


def parse_mark(value: CellValue) -> Mark:
    return Mark(parsing.parse_choice(value, Mark, MARK_SYNONYMS))


def match_person(
    name: str, place: str, directory: PeopleDirectory
) -> tuple[bool, Participant | None, list[Problem]]:
    """Whether the mark counts, the «Участники» row its name is, and what is wrong with it.

    A name that matches nobody still counts (a guest was there all the same); a group
    name («руководители РМО») does not: a group is nobody in particular, and counting
    it as one person would make the count wrong.
    """
    resolution = directory.resolve(name)
    problems = resolution.problems(place, PARTICIPANTS.name)
    if not problems and len(resolution.people) > 1:
        count = people_count(len(resolution.people))
        message = f"«{name}» — это {count}; на листе «{ATTENDANCE.name}» по одному в строке"
        return False, None, [Problem(place, message)]
    if not problems and not resolution.people:
        message = f"«{name}» нет на листе «{PARTICIPANTS.name}»: проверьте ФИО или добавьте человека туда"
        problems.append(Problem(place, message))
    person = resolution.people[0] if len(resolution.people) == 1 and not problems else None
    return True, person, problems


def _person_key(mark: AttendanceMark) -> str:
    return f"row:{mark.participant.row}" if mark.participant else normalize_text(mark.name)


def without_repeats(
    group: list[AttendanceMark], ref: Callable[[int], str]
) -> tuple[list[AttendanceMark], list[Problem]]:
    """The same person twice for one meeting: the first row counts, the repeat is reported and dropped."""
    first: dict[str, AttendanceMark] = {}
    kept: list[AttendanceMark] = []
    problems: list[Problem] = []
    for mark in group:
        earlier = first.setdefault(_person_key(mark), mark)
        if earlier is mark:
            kept.append(mark)
            continue
        problems.append(Problem(
            ref(mark.row),
            f"«{mark.name}» уже отмечен(а) для этого заседания в строке {earlier.row}; "
            f"оставьте одну строку (учтена строка {earlier.row})",
        ))  # fmt: skip
    return kept, problems


def count_problems(meeting: Meeting, place: str) -> list[Problem]:
    """A typed «Присутствовало» (at ``place``) that disagrees with the «присутствовал» marks."""
    present = len(meeting.present)
    if meeting.attendance is None or not present or meeting.attendance == present:
        return []
    return [Problem(
        place,
        f"указано {meeting.attendance}, а на листе «{ATTENDANCE.name}» отмечено «присутствовал»: "
        f"{people_count(present)}; исправьте число или отметки "
        f"(если очистить ячейку, число будет считаться по отметкам)",
    )]  # fmt: skip
