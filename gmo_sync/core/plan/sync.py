"""Plan the tool-owned cells: blank IDs, blank protocol numbers, decision statuses.

Everything here is pure: (parsed sheet, today) → planned cell changes. IDs and
numbers are deterministic functions of the sheet, so a run that dies after
creating a protocol but before writing the sheet assigns the same ID again and
finds that protocol instead of making a second one.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, replace

from gmo_sync.core.model import DecisionStatus, Meeting, MeetingStatus, id_key
from gmo_sync.core.parsing import display_text
from gmo_sync.core.problems import Problem
from gmo_sync.core.reading import MeetingRow, ParsedSheet
from gmo_sync.core.schema import DECISIONS, MEETINGS
from gmo_sync.core.sheet import Formula

ID_PREFIX = "ГМО-"


@dataclass(frozen=True)
class CellChange:
    """A planned change of one tool-owned cell, able to describe itself."""

    tab: str  # Tab.name
    row: int
    key: str  # column key in the tab's schema
    value: str
    old: str
    anchor: tuple[tuple[str, str], ...]  # (column key, expected text) that must still hold

    def describe(self, sheet: ParsedSheet) -> str:
        columns = sheet.columns[self.tab]
        header = columns.tab.column(self.key).header
        was = f" (было «{self.old}»)" if self.old else ""
        return f"{columns.ref(self.key, self.row)}: {header} ← «{self.value}»{was}"


def numbering_year(date: dt.date, numbering: str) -> int:
    """The year a protocol number belongs to: academic (1 Sep – 31 Aug) or calendar."""
    if numbering == "calendar":
        return date.year
    return date.year if date.month >= 9 else date.year - 1


def plan_sync(sheet: ParsedSheet, today: dt.date, numbering: str) -> tuple[list[CellChange], list[Meeting]]:
    """Cell changes for IDs, numbers and decision statuses, and the meetings as they will be after them."""
    changes: list[CellChange] = []
    new_ids = _assign_ids(sheet)
    new_numbers = _assign_numbers(sheet, numbering)
    sheet.problems.extend(_duplicate_numbers(sheet, numbering))
    columns = sheet.columns[MEETINGS.name]
    statuses = _decision_statuses(sheet, today)
    new_status = {c.row: DecisionStatus(c.value) for c in statuses}
    meetings: list[Meeting] = []
    for row in sheet.meeting_rows:
        anchor = row_anchor(sheet, row)
        if row.row in new_ids:
            changes.append(CellChange(MEETINGS.name, row.row, "id", new_ids[row.row], "", anchor))
        if row.row in new_numbers:
            changes.append(
                CellChange(MEETINGS.name, row.row, "number", str(new_numbers[row.row]), "", anchor)
            )
        if row.meeting is not None:
            meeting_id = new_ids.get(row.row, row.meeting.id)
            number = new_numbers.get(row.row, row.meeting.protocol_number)
            # Templates (and the content hash) see the values as they will be after this run,
            # so the next run, reading them back from the sheet, finds nothing changed.
            extra = dict(row.meeting.extra)
            for key, value in (("id", meeting_id), ("number", "" if number is None else str(number))):
                if key in columns.positions:
                    extra[columns.headers[columns.positions[key]]] = value
            meetings.append(
                replace(
                    row.meeting,
                    id=meeting_id,
                    protocol_number=number,
                    extra=extra,
                    decisions=tuple(
                        replace(d, status=new_status.get(d.row, d.status)) for d in row.meeting.decisions
                    ),
                )
            )
    changes.extend(statuses)
    return changes, meetings


def row_anchor(sheet: ParsedSheet, row: MeetingRow) -> tuple[tuple[str, str], ...]:
    """What must still be in a Заседания row for the tool to write into it.

    The ID, and for a row that has none yet also its topic: «ID is blank» alone would
    match any new row a coordinator inserted meanwhile.
    """
    if row.id:
        return (("id", row.id),)
    topic_column = sheet.columns[MEETINGS.name].positions.get("topic")
    cell = sheet.tabs[MEETINGS.name].cell(row.row, topic_column) if topic_column else None
    topic = cell.text if isinstance(cell, Formula) else display_text(cell)
    return (("id", ""), ("topic", topic))


def _assign_ids(sheet: ParsedSheet) -> dict[int, str]:
    taken = {id_key(r.id) for r in sheet.meeting_rows if r.id}
    assigned: dict[int, str] = {}
    for row in sheet.meeting_rows:
        if row.id or row.date is None:
            continue
        base = f"{ID_PREFIX}{row.date:%Y-%m-%d}"
        candidate, n = base, 1
        while id_key(candidate) in taken:
            n += 1
            candidate = f"{base}-{n}"
        taken.add(id_key(candidate))
        assigned[row.row] = candidate
    return assigned


def _assign_numbers(sheet: ParsedSheet, numbering: str) -> dict[int, int]:
    """Next free number in the year, in date order, for held meetings with a blank №. Never renumbers."""
    highest: dict[int, int] = defaultdict(int)
    for row in sheet.meeting_rows:
        if row.number is not None and row.date is not None:
            year = numbering_year(row.date, numbering)
            highest[year] = max(highest[year], row.number)
    blank = [
        r
        for r in sheet.meeting_rows
        if not r.number_text and r.date is not None and r.status == MeetingStatus.HELD
    ]
    assigned: dict[int, int] = {}
    for row in sorted(blank, key=lambda r: (r.date, r.row)):
        year = numbering_year(row.date, numbering)  # type: ignore[arg-type]
        highest[year] += 1
        assigned[row.row] = highest[year]
    return assigned


def _duplicate_numbers(sheet: ParsedSheet, numbering: str) -> list[Problem]:
    first: dict[tuple[int, int], MeetingRow] = {}
    problems = []
    columns = sheet.columns[MEETINGS.name]
    for row in sheet.meeting_rows:
        if row.number is None or row.date is None:
            continue
        key = (numbering_year(row.date, numbering), row.number)
        if key in first:
            problems.append(
                Problem(
                    columns.ref("number", row.row),
                    f"протокол № {row.number} за этот год уже есть в строке {first[key].row}; "
                    f"исправьте номер вручную (инструмент номера не меняет)",
                )
            )
        else:
            first[key] = row
    return problems


def _decision_statuses(sheet: ParsedSheet, today: dt.date) -> list[CellChange]:
    """Blank → «в работе»; past the deadline → «просрочено»; a moved deadline undoes «просрочено».

    «выполнено» is the coordinators' word and is never touched.
    """
    changes = []
    for row in sheet.decision_rows:
        if not row.ok or row.status == DecisionStatus.DONE:
            continue
        overdue = row.deadline is not None and row.deadline < today
        wanted = DecisionStatus.OVERDUE if overdue else DecisionStatus.IN_PROGRESS
        if row.status != wanted:
            # meeting ID and № identify a decision; the old status guards a coordinator's edit
            anchor = (
                ("meeting_id", row.meeting_id),
                ("number", row.number_text),
                ("status", row.status_text),
            )
            changes.append(
                CellChange(DECISIONS.name, row.row, "status", wanted.value, row.status_text, anchor)
            )
    return changes
