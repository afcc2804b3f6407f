"""The remind step's plan: which letters are due (reminders before and after deadlines, the weekly
overdue digest) and the «Рассылки» rows they are recorded in.

Pure planning over the parsed sheet and the «Рассылки» tab (what was sent before):

* a reminder for each open decision of a held meeting whose deadline is at most
  ``remind_before_days`` away — one per threshold: with ``[7, 1]`` a letter a week
  before and one the day before (or on the day), whichever thresholds the runs meet;
* one on the first day overdue (a run up to ``OVERDUE_GRACE`` days late still sends
  it; a decision overdue longer goes into the digest only, so configuring mail on an
  old sheet does not flood anyone);
* one digest of every overdue decision a week, to ``digest_to``.

A letter is keyed by (person, decision, reason); the reason names the deadline
(«за 1 день до срока 26.11.2026»), so a moved deadline is reminded afresh. A key
recorded as sent is never planned again; one whose sending was interrupted is
reported and planned again only with ``--resend``; one that certainly failed is
retried by the next run.

``RemindStep`` turns the letters into actions: the «Рассылки» tab created (when the sheet has
none yet), each letter's rows, each letter sent — the same list for ``--dry-run`` and the run.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from gmo_sync.core.actions import Action, Kind
from gmo_sync.core.config import MailSettings
from gmo_sync.core.model import Decision, DecisionStatus, Meeting, MeetingStatus, Participant, id_key
from gmo_sync.core.parsing import normalize_text
from gmo_sync.core.people import PeopleDirectory, PersonName
from gmo_sync.core.problems import Problem, cell_ref
from gmo_sync.core.reading import ParsedSheet
from gmo_sync.core.repair import SheetRepair
from gmo_sync.core.schema import DECISIONS, MAILINGS, PARTICIPANTS
from gmo_sync.rendering import plural

OVERDUE_GRACE = 7  # days after the deadline within which the one «срок истёк» letter still goes
SENDING, SENT = "отправляется", "отправлено"
FAILED, UNKNOWN = "не отправлено", "неизвестно"  # status prefixes: «не отправлено: причина»
DIGEST = "digest"
_EMAIL = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")
_NUMBER = re.compile(r"№\s*(\d+)")


def valid_email(address: str) -> bool:
    return bool(_EMAIL.match(address.strip()))


def email_of(cell: str) -> str:
    """«Имя <адрес>» → адрес; a bare address as is; several (a digest) as typed."""
    m = re.search(r"<([^>]+)>", cell)
    return (m[1] if m else cell).strip()


def record_key(to: str, meeting_id: str, decision: str, reason: str) -> tuple[str, str, str, str]:
    number = _NUMBER.search(decision)
    return (
        normalize_text(email_of(to)),
        id_key(meeting_id),
        number[1] if number else "",
        normalize_text(reason),
    )


@dataclass(frozen=True)
class MailRecord:
    """One row of «Рассылки»: one decision in one letter (or a digest)."""

    row: int
    time: str
    to: str
    meeting: str
    decision: str
    reason: str
    status: str

    @property
    def key(self) -> tuple[str, str, str, str]:
        return record_key(self.to, self.meeting, self.decision, self.reason)

    @property
    def interrupted(self) -> bool:
        return self.status == SENDING or self.status.startswith(UNKNOWN)

    @property
    def sent(self) -> bool:
        return self.status.startswith(SENT)


def read_records(parsed: ParsedSheet) -> list[MailRecord]:
    if MAILINGS.name not in parsed.columns:
        return []
    columns, data = parsed.columns[MAILINGS.name], parsed.tabs[MAILINGS.name]
    records = []
    for row in range(2, len(data.rows) + 1):
        values = {key: data.cell(row, column) for key, column in columns.positions.items()}
        texts = {key: "" if value is None else str(value).strip() for key, value in values.items()}
        if any(texts.values()):
            records.append(
                MailRecord(
                    row,
                    texts.get("time", ""),
                    texts.get("to", ""),
                    texts.get("meeting", ""),
                    texts.get("decision", ""),
                    texts.get("reason", ""),
                    texts.get("status", ""),
                )
            )
    return records


@dataclass(frozen=True)
class Notice:
    """One decision in one letter, and why it is in it."""

    meeting: Meeting
    decision: Decision
    reason: str  # «Повод»: «за 1 день до срока 26.11.2026», «срок истёк 24.11.2026»
    days_left: int  # negative when overdue

    @property
    def deadline(self) -> dt.date:
        assert self.decision.deadline is not None and self.decision.deadline.date is not None
        return self.decision.deadline.date

    @property
    def decision_cell(self) -> str:
        text = " ".join(self.decision.text.split())
        return f"№ {self.decision.number}: {text[:100] + '…' if len(text) > 100 else text}"


@dataclass
class Letter:
    kind: str  # "reminder" or DIGEST
    to_cell: str  # «Кому»: «Замятина Елена Дмитриевна <zamyatina@example.org>», or the digest addresses
    emails: tuple[str, ...]
    greeting: str  # «Елена Дмитриевна», or "" when only initials are known
    notices: list[Notice] = field(default_factory=list)
    reason: str = ""  # the digest's own «Повод»
    reuse: dict[int, int] = field(default_factory=dict)  # notice index → «Рассылки» row recorded before

    def rows(self) -> list[tuple[str, str, str]]:
        """(Заседание, Решение, Повод) of each «Рассылки» row this letter records."""
        if self.kind == DIGEST:
            return [("", f"просроченных решений: {len(self.notices)}", self.reason)]
        return [(n.meeting.id, n.decision_cell, n.reason) for n in self.notices]

    def describe(self) -> str:
        if self.kind == DIGEST:
            return f"сводка просроченных решений ({len(self.notices)}) для {self.to_cell}"
        count = len(self.notices)
        reasons = "; ".join(dict.fromkeys(n.reason for n in self.notices))
        return (
            f"письмо для {self.to_cell}: {count} {plural(count, 'решение', 'решения', 'решений')} ({reasons})"
        )


@dataclass
class ReminderPlan:
    letters: list[Letter] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    records: list[MailRecord] = field(default_factory=list)


def _open(decision: Decision) -> bool:
    return decision.status != DecisionStatus.DONE


def due_reason(deadline: dt.date, today: dt.date, before_days: Iterable[int]) -> str | None:
    days = (deadline - today).days
    if days < 0:
        return f"срок истёк {deadline:%d.%m.%Y}" if -days <= OVERDUE_GRACE else None
    thresholds = sorted(n for n in before_days if n >= days)
    if not thresholds:
        return None
    n = thresholds[0]
    return f"за {n} {plural(n, 'день', 'дня', 'дней')} до срока {deadline:%d.%m.%Y}"


def dated_decisions(meetings: list[Meeting]) -> list[tuple[Meeting, Decision]]:
    """Open decisions of held meetings that have a deadline date, in date order."""
    held = sorted((m for m in meetings if m.status == MeetingStatus.HELD), key=lambda m: (m.date, m.row))
    return [
        (m, d)
        for m in held
        for d in m.decisions
        if _open(d) and d.deadline is not None and d.deadline.date is not None
    ]


def plan_reminders(
    parsed: ParsedSheet,
    meetings: list[Meeting],
    people: PeopleDirectory,
    today: dt.date,
    before_days: Iterable[int],
    digest_to: str,
    *,
    resend: bool = False,
) -> ReminderPlan:
    plan = ReminderPlan(records=read_records(parsed))
    by_key = {r.key: r for r in plan.records}
    mailings = parsed.columns.get(MAILINGS.name)
    _report_interrupted(plan, resend, mailings.positions.get("status", 6) if mailings else 6)
    letters: dict[str, Letter] = {}
    without_email: set[int] = set()
    decisions_tab = parsed.columns[DECISIONS.name]
    for meeting, decision in dated_decisions(meetings):
        notice_reason = due_reason(decision.deadline.date, today, before_days)  # type: ignore[union-attr]
        if notice_reason is None:
            continue
        notice = Notice(meeting, decision, notice_reason, (decision.deadline.date - today).days)  # type: ignore[union-attr]
        resolution = people.resolve(decision.responsible)
        if not resolution.people and not resolution.unknown and not resolution.ambiguous:
            what = f"«{decision.responsible}»" if decision.responsible.strip() else "не указан"
            plan.problems.append(
                Problem(
                    decisions_tab.ref("responsible", decision.row),
                    f"напоминание ({notice_reason}) некому отправить: ответственный {what}; укажите "
                    f"«Фамилия И.О.» из листа «Участники» или группу из столбца «Группы»",
                )
            )
        for person in resolution.people:
            if not valid_email(person.email):
                if person.row not in without_email:
                    without_email.add(person.row)
                    plan.problems.append(_no_email(parsed, person))
                continue
            letter = letters.get(normalize_text(person.email))
            if letter is None:
                greeting = name.address if (name := PersonName.parse(person.name)) else ""
                letter = Letter(
                    "reminder", f"{person.name} <{person.email.strip()}>", (person.email.strip(),), greeting
                )
            record = by_key.get(record_key(letter.to_cell, meeting.id, notice.decision_cell, notice_reason))
            if record is not None and (record.sent or (record.interrupted and not resend)):
                continue
            if record is not None:
                letter.reuse[len(letter.notices)] = record.row
            letter.notices.append(notice)
            letters[normalize_text(person.email)] = letter
    plan.letters = [letter for letter in letters.values() if letter.notices]
    if digest_to.strip():
        digest = _digest(meetings, today, digest_to, by_key, resend, plan)
        if digest is not None:
            plan.letters.append(digest)
    return plan


def _no_email(parsed: ParsedSheet, person: Participant) -> Problem:
    place = parsed.columns[PARTICIPANTS.name].ref("email", person.row)
    found = f"«{person.email}» не похож на адрес e-mail" if person.email.strip() else "не указан e-mail"
    return Problem(place, f"{found}: напоминания о решениях для {person.name} не отправлены")


def week_start(today: dt.date) -> dt.date:
    return today - dt.timedelta(days=today.weekday())


def _digest(
    meetings: list[Meeting], today: dt.date, digest_to: str, by_key: dict, resend: bool, plan: ReminderPlan
) -> Letter | None:
    overdue = [
        Notice(m, d, "", (d.deadline.date - today).days)  # type: ignore[union-attr]
        for m, d in dated_decisions(meetings)
        if d.deadline.date < today  # type: ignore[union-attr]
    ]
    if not overdue:
        return None
    emails = tuple(a.strip() for a in re.split(r"[,;\s]+", digest_to) if a.strip())
    bad = [a for a in emails if not valid_email(a)]
    if bad:
        plan.problems.append(
            Problem(
                "Настройки", f"[mail] digest_to: «{bad[0]}» не похож на адрес e-mail; сводка не отправлена"
            )
        )
        return None
    reason = f"сводка за неделю с {week_start(today):%d.%m.%Y}"
    to_cell = ", ".join(emails)
    record = by_key.get(record_key(to_cell, "", "", reason))
    if record is not None and (record.sent or (record.interrupted and not resend)):
        return None
    letter = Letter(DIGEST, to_cell, emails, "", overdue, reason)
    if record is not None:
        letter.reuse[0] = record.row
    return letter


def _report_interrupted(plan: ReminderPlan, resend: bool, status_column: int) -> None:
    """A letter whose sending was interrupted may have arrived: say so once per letter, resend on request."""
    if resend:
        return
    seen: set[tuple[str, str]] = set()
    for record in plan.records:
        if not record.interrupted or (record.to, record.time) in seen:
            continue
        seen.add((record.to, record.time))
        state = "отправка прервалась" if record.status == SENDING else record.status
        plan.problems.append(
            Problem(
                cell_ref(MAILINGS.name, record.row, status_column),
                f"письмо для {record.to} от {record.time} могло не дойти ({state}). Проверьте у получателя; "
                f"чтобы отправить его ещё раз: gmo-sync remind --resend",
            )
        )


# -- the step: rows and actions --

MailRow = tuple[int, tuple[str, str, str, str]]  # («Рассылки» row, (Кому, Заседание, Решение, Повод))


@dataclass
class RemindStep:
    """The letters of a run, where each is recorded, and the actions that say so."""

    plan: ReminderPlan
    columns: dict[str, int]  # «Рассылки» key → column (1-based)
    new_tab: SheetRepair | None  # «Рассылки» to create first: the sheet has none yet
    rows: list[list[MailRow]]  # per letter, its rows: reused (sent before, failed) or new at the end

    def status_cell(self, index: int) -> str:
        """Where a letter's outcome is written: the Статус of its first row."""
        return cell_ref(MAILINGS.name, self.rows[index][0][0], self.columns["status"])

    def letter_actions(self, index: int) -> list[Action]:
        """A letter's rows recorded «отправляется», then the letter sent (its rows get the outcome)."""
        letter = self.plan.letters[index]
        actions = []
        for row, (to, meeting, decision, reason) in self.rows[index]:
            cell = cell_ref(MAILINGS.name, row, self.columns["status"])
            what = f"{decision}, " if decision else ""
            row_text = f"{cell}: {to} — {what}{reason}"
            actions.append(Action(Kind.MAILING_ROW, meeting, SENDING, cell, f"{row_text} ← «{SENDING}»",
                                  f"{row_text}: записано в «{MAILINGS.name}»"))  # fmt: skip
        first_meeting = self.rows[index][0][1][1]
        what = letter.describe()
        actions.append(Action(Kind.LETTER_SEND, first_meeting, letter.to_cell, self.status_cell(index),
                              f"отправить {what}", f"отправлено {what}"))  # fmt: skip
        return actions

    def tab_action(self) -> Action | None:
        if self.new_tab is None:
            return None
        return Action(Kind.MAILING_TAB, "", MAILINGS.name, "",
                      f"создать лист «{MAILINGS.name}» (журнал писем о решениях)",
                      f"создан лист «{MAILINGS.name}» (журнал писем о решениях)")  # fmt: skip

    def actions(self) -> list[Action]:
        tab = self.tab_action()
        letters = [a for i in range(len(self.plan.letters)) for a in self.letter_actions(i)]
        return ([tab] if tab is not None else []) + letters


def plan_remind_step(
    parsed: ParsedSheet,
    meetings: list[Meeting],
    mail: MailSettings,
    today: dt.date,
    *,
    tab_missing: bool,
    resend: bool = False,
) -> RemindStep:
    """``tab_missing``: the sheet has no «Рассылки» (it is created before the first letter is recorded)."""
    people = PeopleDirectory(parsed.participants)
    plan = plan_reminders(parsed, meetings, people, today, mail.remind_before_days, mail.digest_to,
                          resend=resend)  # fmt: skip
    if tab_missing or MAILINGS.name not in parsed.columns:
        columns = {c.key: index for index, c in enumerate(MAILINGS.columns, start=1)}
        next_row = 2
    else:
        columns = dict(parsed.columns[MAILINGS.name].positions)
        next_row = len(parsed.tabs[MAILINGS.name].rows) + 1
    new_tab = None
    if plan.letters and (tab_missing or MAILINGS.name not in parsed.columns):
        new_tab = SheetRepair(MAILINGS, MAILINGS.name, True, tuple(enumerate(MAILINGS.columns, start=1)))
    rows: list[list[MailRow]] = []
    for letter in plan.letters:
        placed: list[MailRow] = []
        for index, (meeting, decision, reason) in enumerate(letter.rows()):
            row = letter.reuse.get(index)
            if row is None:
                row, next_row = next_row, next_row + 1
            placed.append((row, (letter.to_cell, meeting, decision, reason)))
        rows.append(placed)
    return RemindStep(plan, columns, new_tab, rows)
