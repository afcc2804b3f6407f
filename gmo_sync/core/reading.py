"""Turn a sheet snapshot into meetings, collecting every problem with its place.

Nothing here raises for a bad row: a row that cannot be understood becomes
problems and is left out; the other rows go on. Only a missing tab or a missing
required header stops the run (``SheetStructureError``), because then no row can
be read correctly.

Over 400 lines, and one module on purpose: every tab is read in one pass by the same ``RowReader``
into one ``ParsedSheet``, and the checks across tabs (the «ID заседания» of agenda, speech and decision
rows, agenda references, responsible people) need all of it; split per tab, each part would import
the others.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from gmo_sync.core import attendance, parsing
from gmo_sync.core.model import (
    AcademicYear,
    AgendaItem,
    AttendanceMark,
    Deadline,
    Decision,
    DecisionStatus,
    Format,
    Meeting,
    MeetingStatus,
    Participant,
    Speech,
    academic_year_label,
    id_key,
)
from gmo_sync.core.parsing import CellValue, ParseError, is_blank
from gmo_sync.core.people import PeopleDirectory, responsible_problems, split_names
from gmo_sync.core.problems import Problem, SheetStructureError
from gmo_sync.core.schema import (
    AGENDA,
    ATTENDANCE,
    DECISIONS,
    FORMAT_SYNONYMS,
    JOURNAL,
    MEETINGS,
    PARTICIPANTS,
    SPEECHES,
    TABS,
    YEAR,
    ColumnMap,
    Tab,
    find_tab,
    map_columns,
)
from gmo_sync.core.sheet import Formula, SheetSnapshot, TabData

MAX_TEXT = 20_000  # longer cells are cut in protocols and reported


@dataclass
class MeetingRow:
    """A non-empty Заседания row, valid or not: numbering and ID filling need them all."""

    row: int
    id: str
    number: int | None
    number_text: str
    date: dt.date | None
    status: MeetingStatus | None
    meeting: Meeting | None  # None when the row has problems that stop it
    duplicate: bool = False  # its ID repeats an earlier row's: left out, never rewritten


@dataclass
class DecisionRow:
    row: int
    meeting_id: str
    deadline: dt.date | None
    status_text: str
    status: DecisionStatus | None
    ok: bool  # the row parsed cleanly; only then does the tool touch its Статус
    number_text: str = ""  # the № as typed: with the meeting ID, it finds the row again if rows move


@dataclass
class ParsedSheet:
    columns: dict[str, ColumnMap]  # by Tab.name
    tabs: dict[str, TabData]  # by Tab.name
    meeting_rows: list[MeetingRow] = field(default_factory=list)
    decision_rows: list[DecisionRow] = field(default_factory=list)
    participants: list[Participant] = field(default_factory=list)
    years: list[AcademicYear] = field(default_factory=list)  # the optional «Год» tab
    problems: list[Problem] = field(default_factory=list)
    journal_problems: set[str] = field(default_factory=set)  # problem lines already logged
    by_id: dict[str, MeetingRow] = field(default_factory=dict)  # id_key → its row (the first, if repeated)

    @property
    def meetings(self) -> list[Meeting]:
        return [r.meeting for r in self.meeting_rows if r.meeting is not None]


class RowReader:
    """Reads one row's cells by column key, recording problems instead of raising."""

    def __init__(self, columns: ColumnMap, data: TabData, row: int, problems: list[Problem]) -> None:
        self.columns, self.data, self.row, self.problems = columns, data, row, problems
        self.failed = False
        self.failed_keys: set[str] = set()

    def raw(self, key: str) -> CellValue:
        column = self.columns.positions.get(key)
        if column is None:
            return None
        value = self.data.cell(self.row, column)
        if isinstance(value, Formula):
            self.fail(key, f"в ячейке формула «{value.text[:60]}»; введите значение, а не формулу")
            return None
        return value

    def fail(self, key: str, message: str) -> None:
        self.failed = True
        # One problem per cell: a formula cell reads as blank, and «не заполнено» would contradict it.
        if key in self.failed_keys:
            return
        self.failed_keys.add(key)
        self.problems.append(Problem(self.columns.ref(key, self.row), message))

    def text(self, key: str) -> str:
        value = parsing.display_text(self.raw(key))
        if len(value) > MAX_TEXT:
            self.problems.append(
                Problem(
                    self.columns.ref(key, self.row),
                    f"слишком длинный текст ({len(value)} символов); в протокол попадут первые {MAX_TEXT}",
                )
            )
            value = value[:MAX_TEXT]
        return value

    def parsed(self, key: str, parser: Callable[[CellValue], Any], *, required: bool = False) -> Any:
        value = self.raw(key)
        if is_blank(value):
            if required:
                header = self.columns.tab.column(key).header
                self.fail(key, f"не заполнено «{header}»")
            return None
        try:
            return parser(value)
        except ParseError as error:
            self.fail(key, str(error))
            return None

    def is_empty(self) -> bool:
        cells = self.data.rows[self.row - 1] if self.row - 1 < len(self.data.rows) else []
        return all(isinstance(c, str | type(None)) and is_blank(c) for c in cells)


def data_rows(sheet: ParsedSheet, tab: Tab) -> Iterator[RowReader]:
    """A reader for every non-empty row below the headers; empty rows between data are skipped."""
    columns, data = sheet.columns[tab.name], sheet.tabs[tab.name]
    for row in range(2, len(data.rows) + 1):
        reader = RowReader(columns, data, row, sheet.problems)
        if not reader.is_empty():
            yield reader


def parse_sheet(snapshot: SheetSnapshot, today: dt.date) -> ParsedSheet:
    columns, tabs, header_problems = _locate_tabs(snapshot)
    sheet = ParsedSheet(columns=columns, tabs=tabs)
    sheet.problems.extend(header_problems)
    sheet.problems.extend(_merged_problems(tabs))
    _read_meetings(sheet, today)
    # One index, built once: every child row finds its meeting by key, never by a scan of the meetings.
    sheet.by_id = {id_key(r.id): r for r in sheet.meeting_rows if r.id and not r.duplicate}
    agenda = read_children(sheet, AGENDA, _agenda_item)
    speeches = read_children(sheet, SPEECHES, _speech)
    decisions = read_children(sheet, DECISIONS, lambda r, mid: _decision(r, mid, sheet, today))
    _check_numbers(sheet, AGENDA, agenda)
    _check_numbers(sheet, SPEECHES, speeches)
    _check_numbers(sheet, DECISIONS, decisions)
    agenda_numbers = _agenda_numbers(sheet)
    _check_agenda_refs(sheet, SPEECHES, speeches, agenda_numbers)
    _check_agenda_refs(sheet, DECISIONS, decisions, agenda_numbers)
    for meeting_row in sheet.meeting_rows:
        if meeting_row.meeting is None:
            continue
        key = id_key(meeting_row.id)
        meeting_row.meeting = replace(
            meeting_row.meeting,
            agenda=tuple(sorted(agenda.get(key, []), key=lambda a: a.number)),
            speeches=tuple(sorted(speeches.get(key, []), key=lambda s: s.number)),
            decisions=tuple(sorted(decisions.get(key, []), key=lambda d: d.number)),
        )
    _read_participants(sheet)
    _read_marks(sheet)
    _read_years(sheet)
    _check_responsible(sheet)
    _read_journal(sheet)
    return sheet


def _locate_tabs(
    snapshot: SheetSnapshot,
) -> tuple[dict[str, ColumnMap], dict[str, TabData], list[Problem]]:
    names = list(snapshot.tabs)
    structural: list[Problem] = []
    warnings: list[Problem] = []
    columns: dict[str, ColumnMap] = {}
    tabs: dict[str, TabData] = {}
    for tab in TABS:
        name = find_tab(names, tab)
        if name is None and tab.optional:
            # A sheet made before the tab existed: read it as an empty tab with the declared headers
            # (the tool creates «Рассылки» in the sheet when it first records a letter).
            name = tab.name
            empty = TabData(name, [[c.header for c in tab.columns]])
            snapshot = SheetSnapshot({**snapshot.tabs, name: empty})
        if name is None:
            structural.append(Problem(tab.name, f"нет листа «{tab.name}»"))
            continue
        data = snapshot.tabs[name]
        header_row = [c if not isinstance(c, Formula) else None for c in (data.rows[0] if data.rows else [])]
        column_map, problems = map_columns(tab, name, header_row)
        for problem in problems:
            # A missing required header makes every row unreadable; a duplicate one does not.
            (structural if problem.place == name else warnings).append(problem)
        columns[tab.name], tabs[tab.name] = column_map, data
    if structural:
        raise SheetStructureError(structural)
    return columns, tabs, warnings


def _merged_problems(tabs: dict[str, TabData]) -> list[Problem]:
    return [
        Problem(f"{data.name}!{area}", "объединённые ячейки: разъедините их, у каждой строки свои значения")
        for data in tabs.values()
        for area in data.merged
    ]


EARLIEST_YEAR = 2000  # two-digit years mean 20xx; an earlier year is a typo (1921 for 2021)
YEARS_AHEAD = 10


def _meeting_date(value: CellValue, today: dt.date) -> dt.date:
    """A meeting's date, refused when its year is implausible: the ID made from it never changes."""
    date = parsing.parse_date(value)
    latest = today.year + YEARS_AHEAD
    if not EARLIEST_YEAR <= date.year <= latest:
        raise ParseError(
            f"найдено {parsing.shown(value)}: проверьте год, ожидается дата заседания "
            f"с {EARLIEST_YEAR} по {latest} год"
        )
    return date


def _read_meetings(sheet: ParsedSheet, today: dt.date) -> None:
    seen_ids: dict[str, int] = {}
    for reader in data_rows(sheet, MEETINGS):
        row = reader.row
        meeting_id = reader.text("id")
        number_text = reader.text("number")
        number = reader.parsed("number", lambda v: parsing.parse_int(v, "номер протокола"))
        date = reader.parsed("date", lambda v: _meeting_date(v, today), required=True)
        status_value = reader.parsed("status", lambda v: parsing.parse_choice(v, MeetingStatus))
        status = MeetingStatus(status_value) if status_value else MeetingStatus.PLANNED
        if meeting_id:
            key = id_key(meeting_id)
            if key in seen_ids:
                reader.fail(
                    "id",
                    f"ID «{meeting_id}» уже есть в строке {seen_ids[key]}; у каждого заседания свой ID "
                    f"(эта строка пропущена)",
                )
                sheet.meeting_rows.append(
                    MeetingRow(row, meeting_id, number, number_text, date, status, None, duplicate=True)
                )
                continue
            seen_ids[key] = row
        meeting = _meeting(reader, meeting_id, number, date, status)
        sheet.meeting_rows.append(MeetingRow(row, meeting_id, number, number_text, date, status, meeting))


def _meeting(
    reader: RowReader, meeting_id: str, number: int | None, date: dt.date | None, status: MeetingStatus
) -> Meeting | None:
    start = reader.parsed("start", parsing.parse_time)
    end = reader.parsed("end", parsing.parse_time)
    format_value = reader.parsed("format", lambda v: parsing.parse_choice(v, Format, FORMAT_SYNONYMS))
    topic = reader.text("topic")
    if not topic:
        reader.fail("topic", "не заполнено «Тема»")
    attendance = reader.parsed("attendance", parsing.parse_count)
    if start and end and end <= start:
        reader.fail("end", f"окончание {end:%H:%M} не позже начала {start:%H:%M}")
    meeting_format = Format(format_value) if format_value else None
    online = meeting_format in (Format.ONLINE, Format.MIXED)
    if online and start is None and status != MeetingStatus.CANCELLED and not reader.failed:
        reader.problems.append(
            Problem(
                reader.columns.ref("start", reader.row),
                "не указано время начала онлайн-заседания: событие в календаре не будет создано",
            )
        )
    if reader.failed or date is None:
        return None
    extra = {
        header: parsing.display_text(_plain(reader.data.cell(reader.row, column)))
        for column, header in reader.columns.headers.items()
    }
    # Declared columns show their parsed value, so «14-00» and a 14:00 time cell are the
    # same text to templates and to the content hash (a cosmetic edit changes nothing).
    parsed_text = {
        "date": parsing.display_text(date), "start": parsing.display_text(start),
        "end": parsing.display_text(end), "format": format_value or "", "status": status.value,
        "attendance": "" if attendance is None else str(attendance),
        "number": "" if number is None else str(number),
    }  # fmt: skip
    for key, text in parsed_text.items():
        if key in reader.columns.positions:
            extra[reader.columns.headers[reader.columns.positions[key]]] = text
    return Meeting(
        id=meeting_id,
        protocol_number=number,
        date=date,
        start=start,
        end=end,
        format=meeting_format,
        place=reader.text("place"),
        topic=topic,
        hosts=reader.text("hosts"),
        chair=reader.text("chair"),
        secretary=reader.text("secretary"),
        participants=reader.text("participants"),
        attendance=attendance,
        status=status,
        protocol_link=reader.text("protocol"),
        event_link=reader.text("event"),
        video_link=reader.text("video"),
        row=reader.row,
        extra=extra,
    )


def _plain(value: CellValue | Formula) -> CellValue:
    return None if isinstance(value, Formula) else value


def read_children(
    sheet: ParsedSheet, tab: Tab, build: Callable[[RowReader, str], Any]
) -> dict[str, list[Any]]:
    result: dict[str, list[Any]] = {}
    for reader in data_rows(sheet, tab):
        meeting_id = reader.text("meeting_id")
        if not meeting_id:
            reader.fail("meeting_id", "не указан ID заседания (скопируйте его из листа «Заседания»)")
        elif id_key(meeting_id) not in sheet.by_id:
            reader.fail("meeting_id", f"заседание с ID «{meeting_id}» не найдено на листе «Заседания»")
        item = build(reader, meeting_id)
        if not reader.failed and item is not None:
            result.setdefault(id_key(meeting_id), []).append(item)
    return result


def _positive(v: CellValue) -> int:
    return parsing.parse_int(v, "номер")


def _agenda_item(reader: RowReader, meeting_id: str) -> AgendaItem | None:
    number = reader.parsed("number", _positive, required=True)
    question = reader.text("question")
    if not question:
        reader.fail("question", "не заполнено «Вопрос»")
    if reader.failed:
        return None
    return AgendaItem(meeting_id, number, question, reader.text("speaker"), reader.row)


def _speech(reader: RowReader, meeting_id: str) -> Speech | None:
    number = reader.parsed("number", _positive, required=True)
    speaker = reader.text("speaker")
    if not speaker:
        reader.fail("speaker", "не заполнено «Докладчик»")
    agenda_number = reader.parsed("agenda_number", _positive)
    if reader.failed:
        return None
    return Speech(meeting_id, number, speaker, reader.text("content"), agenda_number, reader.row)


def _decision(reader: RowReader, meeting_id: str, sheet: ParsedSheet, today: dt.date) -> Decision | None:
    number = reader.parsed("number", _positive, required=True)
    text = reader.text("text")
    if not text:
        reader.fail("text", "не заполнено «Решение»")
    parsed_deadline = reader.parsed("deadline", parsing.parse_deadline)
    deadline = Deadline(*parsed_deadline) if parsed_deadline else None
    status_text = reader.text("status")
    status_value = reader.parsed("status", lambda v: parsing.parse_choice(v, DecisionStatus))
    status = DecisionStatus(status_value) if status_value else None
    agenda_number = reader.parsed("agenda_number", _positive)
    meeting = sheet_meeting(sheet, meeting_id)
    if deadline and deadline.date and meeting and meeting.date and deadline.date < meeting.date:
        reader.fail(
            "deadline",
            f"срок {deadline.date:%d.%m.%Y} раньше даты заседания {meeting.date:%d.%m.%Y}",
        )
    sheet.decision_rows.append(
        DecisionRow(
            reader.row,
            meeting_id,
            deadline.date if deadline else None,
            status_text,
            status,
            not reader.failed,
            reader.text("number"),
        )
    )
    if reader.failed:
        return None
    return Decision(
        meeting_id,
        number,
        text,
        reader.text("responsible"),
        deadline,
        status,
        reader.text("done_note"),
        agenda_number,
        reader.row,
    )


def sheet_meeting(sheet: ParsedSheet, meeting_id: str) -> MeetingRow | None:
    return sheet.by_id.get(id_key(meeting_id))


def _check_numbers(sheet: ParsedSheet, tab: Tab, items: dict[str, list[Any]]) -> None:
    """Two agenda items (speeches, decisions) of one meeting with the same № are ambiguous."""
    columns = sheet.columns[tab.name]
    for group in items.values():
        by_number: dict[int, Any] = {}
        for item in group:
            if item.number in by_number:
                sheet.problems.append(
                    Problem(
                        columns.ref("number", item.row),
                        f"№ {item.number} у этого заседания уже есть в строке {by_number[item.number].row}",
                    )
                )
            else:
                by_number[item.number] = item


def _agenda_numbers(sheet: ParsedSheet) -> set[tuple[str, int]]:
    """(meeting, №) of every agenda row as typed, valid or not: its own problems are reported apart."""
    columns, data = sheet.columns[AGENDA.name], sheet.tabs[AGENDA.name]
    found = set()
    for row in range(2, len(data.rows) + 1):
        meeting_id = data.cell(row, columns.positions["meeting_id"])
        number = data.cell(row, columns.positions["number"])
        try:
            found.add((id_key(parsing.display_text(_plain(meeting_id))), _positive(_plain(number))))
        except ParseError:
            continue
    return found


def _check_agenda_refs(
    sheet: ParsedSheet, tab: Tab, items: dict[str, list[Any]], agenda: set[tuple[str, int]]
) -> None:
    """A speech or decision tied to an agenda item the meeting does not have is kept, but reported."""
    columns = sheet.columns[tab.name]
    for key, group in items.items():
        for item in group:
            if item.agenda_number is not None and (key, item.agenda_number) not in agenda:
                sheet.problems.append(
                    Problem(
                        columns.ref("agenda_number", item.row),
                        f"вопроса № {item.agenda_number} в повестке этого заседания нет "
                        f"(проверьте «Вопрос повестки» или лист «Повестка»)",
                    )
                )


def _read_participants(sheet: ParsedSheet) -> None:
    for reader in data_rows(sheet, PARTICIPANTS):
        name = reader.text("name")
        if not name:
            reader.fail("name", "не заполнено «ФИО»")
        invite = reader.parsed("invite", parsing.parse_yes_no) or False
        email = reader.text("email")
        if invite and "@" not in email:
            found = f"найдено «{email}»" if email else "e-mail не указан"
            reader.fail("email", f"{found}, а для приглашения нужен адрес e-mail")
        if not reader.failed:
            sheet.participants.append(
                Participant(
                    name, reader.text("position"), reader.text("organisation"), email, invite, reader.row,
                    tuple(split_names(reader.text("groups"))),
                )
            )


def _read_marks(sheet: ParsedSheet) -> None:
    """«Присутствие»: each meeting gets its marks; what does not add up is reported (``core.attendance``)."""
    directory = PeopleDirectory(sheet.participants)
    columns = sheet.columns[ATTENDANCE.name]

    def mark(reader: RowReader, meeting_id: str) -> AttendanceMark | None:
        name = reader.text("name")
        if not name:
            reader.fail("name", "не заполнено «ФИО»")
        value = reader.parsed("mark", attendance.parse_mark, required=True)
        if reader.failed:
            return None
        counts, person, problems = attendance.match_person(name, columns.ref("name", reader.row), directory)
        reader.problems.extend(problems)
        return AttendanceMark(meeting_id, name, value, reader.row, person) if counts else None

    marks = read_children(sheet, ATTENDANCE, mark)
    for meeting_row in sheet.meeting_rows:
        if meeting_row.meeting is not None:
            kept, repeats = attendance.without_repeats(
                marks.get(id_key(meeting_row.id), []), lambda row: columns.ref("name", row)
            )
            sheet.problems.extend(repeats)
            meeting_row.meeting = replace(meeting_row.meeting, marks=tuple(kept))
            place = sheet.columns[MEETINGS.name].ref("attendance", meeting_row.row)
            sheet.problems.extend(attendance.count_problems(meeting_row.meeting, place))


def _read_years(sheet: ParsedSheet) -> None:
    """The optional «Год» tab; a year given twice: the first row counts, the repeat is reported."""
    seen: dict[int, int] = {}
    for reader in data_rows(sheet, YEAR):
        start = reader.parsed("year", parsing.parse_academic_year, required=True)
        if start is None:
            continue
        if start in seen:
            label, first = academic_year_label(start), seen[start]
            message = f"{YEAR.name}: {label} уже есть в строке {first}; используется та строка"
            reader.problems.append(Problem(reader.columns.ref("year", reader.row), message))
            continue
        seen[start] = reader.row
        sheet.years.append(
            AcademicYear(start, reader.text("theme"), reader.text("aim"), reader.text("tasks"), reader.row)
        )


def _check_responsible(sheet: ParsedSheet) -> None:
    columns = sheet.columns[DECISIONS.name]
    decisions = [d for m in sheet.meetings for d in m.decisions]
    places = {d.row: columns.ref("responsible", d.row) for d in decisions}
    sheet.problems.extend(responsible_problems(decisions, PeopleDirectory(sheet.participants), places))


def _read_journal(sheet: ParsedSheet) -> None:
    columns, data = sheet.columns[JOURNAL.name], sheet.tabs[JOURNAL.name]
    column = columns.positions["problems"]
    for row in range(2, len(data.rows) + 1):
        value = data.cell(row, column)
        if isinstance(value, str):
            sheet.journal_problems.update(line.strip() for line in value.splitlines() if line.strip())
