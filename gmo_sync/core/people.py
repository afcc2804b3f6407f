"""People named in the sheet, resolved to rows of «Участники».

Coordinators write «Ответственный» the way protocols do: «Замятина Е.Д.», «Попыхова Т.Ю.,
руководители РМО», «Замятина Е. Д., методист КИМЦ». A cell is split into parts at commas,
semicolons, line breaks and « и »; each part is, in this order:

1. the full «ФИО» of a participant, as typed there (ё/е, case and spaces ignored);
2. a group from the optional «Группы» column («руководители РМО»): every member;
3. a person's name — «Фамилия И.О.», «И.О. Фамилия» or «Фамилия Имя Отчество» —
   matched by surname and initials (a part with one initial matches «Е.Д.» too);
   a name that matches nobody, or several people, is a problem with its cell;
4. one word that is the surname of exactly one participant;
5. anything else is a description («методист КИМЦ» after a name) and reaches nobody.

Groups are split the same way, so a «Группы» cell «руководители РМО, ОМО» and an
«Ответственный» «руководители РМО, ОМО» agree part by part.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from gmo_sync.core.model import Decision, DecisionStatus, Participant
from gmo_sync.core.parsing import normalize_text
from gmo_sync.core.problems import Problem

__all__ = ["PeopleDirectory", "PersonName", "Resolution", "responsible_problems", "split_names"]

_SEPARATORS = re.compile(r"[,;\n]|\s+и\s+")
_LETTER = r"[^\W\d_]"
_INITIALS = rf"(?P<initials>{_LETTER}\.\s*(?:{_LETTER}\.?)?)"
_SURNAME = rf"(?P<surname>{_LETTER}[\w-]*)"
_SURNAME_FIRST = re.compile(rf"^{_SURNAME}\s+{_INITIALS}$")
_INITIALS_FIRST = re.compile(rf"^{_INITIALS}\s*{_SURNAME}$")
# a patronymic ending is required: two or three bare words («руководители РМО») are not a name
_FULL = re.compile(
    rf"^{_SURNAME}\s+(?P<name>{_LETTER}[\w-]*)\s+(?P<patronymic>{_LETTER}\w*(?:ич|вна|чна|оглы|кызы))$",
    re.IGNORECASE,
)


def split_names(text: str) -> list[str]:
    """The parts of a cell naming people: «Попыхова Т.Ю., руководители РМО» → two parts."""
    return [part.strip() for part in _SEPARATORS.split(text) if part.strip()]


@dataclass(frozen=True)
class PersonName:
    """A person's name as far as it can be read: surname and initials, and the full name when given."""

    surname: str  # normalised (lower case, ё → е)
    initials: str  # normalised letters without dots: «ед»
    name: str = ""  # as typed, when the full name is known: «Елена»
    patronymic: str = ""  # «Дмитриевна»

    @classmethod
    def parse(cls, text: str) -> PersonName | None:
        text = " ".join(text.split())
        if m := _FULL.match(text):
            initials = normalize_text(m["name"][0] + m["patronymic"][0])
            return cls(normalize_text(m["surname"]), initials, m["name"], m["patronymic"])
        for pattern in (_SURNAME_FIRST, _INITIALS_FIRST):
            if m := pattern.match(text):
                initials = normalize_text(re.sub(r"[\s.]", "", m["initials"]))
                return cls(normalize_text(m["surname"]), initials)
        return None

    def matches(self, other: PersonName) -> bool:
        """Same surname, and initials that agree as far as both go («Е.» agrees with «Е.Д.»)."""
        shorter = min(len(self.initials), len(other.initials))
        return self.surname == other.surname and self.initials[:shorter] == other.initials[:shorter]

    @property
    def address(self) -> str:
        """How a letter addresses the person: «Елена Дмитриевна», or "" when only initials are known."""
        return f"{self.name} {self.patronymic}" if self.name and self.patronymic else ""


@dataclass(frozen=True)
class Resolution:
    """What one cell naming people resolves to."""

    people: tuple[Participant, ...] = ()  # each once, in the order the cell names them
    unknown: tuple[str, ...] = ()  # name-like parts that match nobody
    ambiguous: tuple[tuple[str, tuple[Participant, ...]], ...] = ()  # parts that match several people
    groups: tuple[str, ...] = ()  # parts that are groups of «Группы»

    def problems(self, place: str, participants_tab: str = "Участники") -> list[Problem]:
        found = [
            Problem(
                place,
                f"«{part}» нет на листе «{participants_tab}»: проверьте фамилию и инициалы "
                f"или добавьте этого человека туда (ФИО и E-mail)",
            )
            for part in self.unknown
        ]
        for part, people in self.ambiguous:
            rows = " и ".join(str(p.row) for p in people)
            found.append(
                Problem(
                    place,
                    f"«{part}» подходит нескольким участникам (лист «{participants_tab}», "
                    f"строки {rows}): уточните инициалы",
                )
            )
        return found


@dataclass
class PeopleDirectory:
    """The participants, indexed for resolving names and groups."""

    participants: list[Participant]
    _by_full: dict[str, list[Participant]] = field(init=False, default_factory=dict)
    _groups: dict[str, list[Participant]] = field(init=False, default_factory=dict)
    # by surname: a name is looked up among its namesakes, never by a scan of everyone (once per decision)
    _by_surname: dict[str, list[tuple[PersonName, Participant]]] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        for person in self.participants:
            self._by_full.setdefault(normalize_text(person.name), []).append(person)
            for group in person.groups:
                self._groups.setdefault(normalize_text(group), []).append(person)
            if (parsed := PersonName.parse(person.name)) is not None:
                self._by_surname.setdefault(parsed.surname, []).append((parsed, person))

    def name_of(self, person: Participant) -> PersonName | None:
        return PersonName.parse(person.name)

    def find(self, part: str) -> list[Participant]:
        """The participants one part (a name, a group, a surname) means; [] when it means nobody."""
        key = normalize_text(part)
        if key in self._by_full:
            return list(self._by_full[key])
        if key in self._groups:
            return list(self._groups[key])
        if (name := PersonName.parse(part)) is not None:
            namesakes = self._by_surname.get(name.surname, [])
            return [person for parsed, person in namesakes if parsed.matches(name)]
        if " " not in key:
            return [person for _, person in self._by_surname.get(key, [])]
        return []

    def resolve(self, text: str) -> Resolution:
        people: list[Participant] = []
        unknown: list[str] = []
        ambiguous: list[tuple[str, tuple[Participant, ...]]] = []
        groups: list[str] = []
        for part in split_names(text):
            found = self.find(part)
            key = normalize_text(part)
            if key in self._groups and key not in self._by_full:
                groups.append(part)
            is_name = PersonName.parse(part) is not None or (" " not in key and bool(found))
            if is_name and key not in self._by_full and key not in self._groups:
                if not found:
                    unknown.append(part)
                    continue
                if len(found) > 1:
                    ambiguous.append((part, tuple(found)))
                    continue
            people.extend(p for p in found if p not in people)
        return Resolution(tuple(people), tuple(unknown), tuple(ambiguous), tuple(groups))


def is_open(decision: Decision) -> bool:
    return decision.status != DecisionStatus.DONE


def responsible_problems(
    decisions: Iterable[Decision], directory: PeopleDirectory, place_of: dict[int, str]
) -> list[Problem]:
    """Unknown or ambiguous names in «Ответственный» of open decisions.

    Only open decisions: a done one needs nobody reached, and someone who has left the
    association can be removed from «Участники» without old decisions turning red.
    ``place_of`` maps a decision's row to its «Ответственный» cell reference.
    """
    problems: list[Problem] = []
    for decision in decisions:
        if decision.responsible and is_open(decision) and decision.row in place_of:
            problems.extend(directory.resolve(decision.responsible).problems(place_of[decision.row]))
    return problems
