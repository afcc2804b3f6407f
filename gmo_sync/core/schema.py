"""The master sheet's layout, declared once (SPEC «The master sheet»).

Columns are found by header text, never by position. Matching ignores case,
surrounding and repeated spaces, NBSP and ё/е, so «Ё» typed as «Е» or a header with
a trailing space still matches. Columns a coordinator adds stay theirs.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from gmo_sync.core.model import DecisionStatus, Format, Mark, MeetingStatus
from gmo_sync.core.parsing import YES_NO_CHOICES, normalize_text
from gmo_sync.core.problems import Problem, cell_ref


def _values(choices: type[StrEnum]) -> tuple[str, ...]:
    return tuple(member.value for member in choices)


@dataclass(frozen=True)
class Column:
    header: str
    key: str
    required: bool = True  # a missing column is a structural error
    tool: bool = False  # the tool writes it (SPEC: owner = tool)
    choices: tuple[str, ...] = ()  # the values its dropdown offers (both backends' init lay it out)


@dataclass(frozen=True)
class Tab:
    name: str
    columns: tuple[Column, ...]
    # An optional tab may be absent (a sheet made before it existed): it reads as empty, with its
    # declared headers. ``init`` still creates it, so coordinators see where such data goes; the tool
    # creates «Рассылки» itself when it first records a letter.
    optional: bool = False

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


MEETINGS = Tab(
    "Заседания",
    (
        Column("ID", "id", tool=True),
        Column("№ протокола", "number", tool=True),
        Column("Дата", "date"),
        Column("Начало", "start"),
        Column("Окончание", "end", required=False),
        Column("Формат", "format", choices=_values(Format)),
        Column("Место или ссылка", "place", required=False),
        Column("Тема", "topic"),
        Column("Ведущие", "hosts", required=False),
        Column("Председатель", "chair", required=False),
        Column("Секретарь", "secretary", required=False),
        Column("Участники", "participants", required=False),
        Column("Присутствовало", "attendance", required=False),
        Column("Статус", "status", choices=_values(MeetingStatus)),
        Column("Протокол", "protocol", tool=True),
        Column("Событие", "event", required=False, tool=True),
        Column("Видеовстреча", "video", required=False, tool=True),
        Column("Синхронизировано", "synced", required=False, tool=True),
    ),
)
AGENDA = Tab(
    "Повестка",
    (
        Column("ID заседания", "meeting_id"),
        Column("№", "number"),
        Column("Вопрос", "question"),
        Column("Докладчик", "speaker", required=False),
    ),
)
SPEECHES = Tab(
    "Выступления",
    (
        Column("ID заседания", "meeting_id"),
        Column("№", "number"),
        Column("Докладчик", "speaker"),
        Column("Содержание", "content"),
        Column("Вопрос повестки", "agenda_number", required=False),
    ),
)
DECISIONS = Tab(
    "Решения",
    (
        Column("ID заседания", "meeting_id"),
        Column("№", "number"),
        Column("Решение", "text"),
        Column("Ответственный", "responsible", required=False),
        Column("Срок", "deadline", required=False),
        Column("Статус", "status", required=False, tool=True, choices=_values(DecisionStatus)),
        Column("Отметка о выполнении", "done_note", required=False),
        Column("Вопрос повестки", "agenda_number", required=False),
    ),
)
PARTICIPANTS = Tab(
    "Участники",
    (
        Column("ФИО", "name"),
        Column("Должность", "position", required=False),
        Column("Организация", "organisation", required=False),
        Column("E-mail", "email", required=False),
        Column("Приглашать", "invite", required=False, choices=YES_NO_CHOICES),
        Column("Группы", "groups", required=False),
    ),
)
ATTENDANCE = Tab(
    "Присутствие",
    (
        Column("ID заседания", "meeting_id"),
        Column("ФИО", "name"),
        Column("Отметка", "mark", choices=_values(Mark)),
    ),
    optional=True,
)
YEAR = Tab(
    "Год",
    (
        Column("Учебный год", "year"),
        Column("Тема", "theme", required=False),
        Column("Цель", "aim", required=False),
        Column("Задачи", "tasks", required=False),
    ),
    optional=True,
)
JOURNAL = Tab(
    "Журнал",
    (
        Column("Время", "time", tool=True),
        Column("Команда", "command", tool=True),
        Column("Изменения", "changes", tool=True),
        Column("Проблемы", "problems", tool=True),
    ),
)

MAILINGS = Tab(
    "Рассылки",
    (
        Column("Время", "time", tool=True),
        Column("Кому", "to", tool=True),
        Column("Заседание", "meeting", tool=True),
        Column("Решение", "decision", tool=True),
        Column("Повод", "reason", tool=True),
        Column("Статус", "status", tool=True),
    ),
    optional=True,
)

TABS: tuple[Tab, ...] = (
    MEETINGS, AGENDA, SPEECHES, DECISIONS, PARTICIPANTS, ATTENDANCE, YEAR, JOURNAL, MAILINGS
)

FORMAT_SYNONYMS = {
    "онлайн": "онлайн", "online": "онлайн", "дистанционно": "онлайн", "дистанционный": "онлайн",
    "очно": "очно", "очный": "очно", "очная": "очно", "offline": "очно",
    "смешанный": "смешанный", "смешанная": "смешанный", "смешанно": "смешанный", "гибрид": "смешанный",
}  # fmt: skip


def header_key(text: object) -> str:
    return normalize_text(str(text)) if text is not None else ""


@dataclass(frozen=True)
class ColumnMap:
    """Where each declared column of a tab is (1-based), plus every header by its column."""

    tab: Tab
    sheet_name: str  # the tab's name as spelled in the sheet
    positions: dict[str, int]  # key → column
    headers: dict[int, str]  # column → header text as typed (own columns included)

    def has(self, key: str) -> bool:
        return key in self.positions

    def ref(self, key: str, row: int) -> str:
        return cell_ref(self.sheet_name, row, self.positions.get(key))


def map_columns(tab: Tab, sheet_name: str, header_row: list[object]) -> tuple[ColumnMap, list[Problem]]:
    """Find the tab's columns in its header row; missing required headers and duplicates are problems."""
    problems: list[Problem] = []
    headers: dict[int, str] = {}
    seen: dict[str, int] = {}
    for index, text in enumerate(header_row, start=1):
        if text is None or not str(text).strip():
            continue
        headers[index] = str(text).strip()
        key = header_key(text)
        if key in seen:
            problems.append(
                Problem(
                    cell_ref(sheet_name, 1, index),
                    f"заголовок «{headers[index]}» повторяется (уже есть в столбце "
                    f"{cell_ref(sheet_name, 1, seen[key]).split('!')[1]}); используется первый",
                )
            )
            continue
        seen[key] = index
    positions = {c.key: seen[header_key(c.header)] for c in tab.columns if header_key(c.header) in seen}
    for column in tab.columns:
        if column.required and column.key not in positions:
            problems.append(Problem(sheet_name, f"нет обязательного столбца «{column.header}»"))
    return ColumnMap(tab, sheet_name, positions, headers), problems


def find_tab(names: list[str], tab: Tab) -> str | None:
    """The sheet's own spelling of a tab's name (case, spaces and ё ignored)."""
    wanted = header_key(tab.name)
    return next((n for n in names if header_key(n) == wanted), None)
