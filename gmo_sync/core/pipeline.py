"""One run of a command: read the sheet, plan every step, then (unless a dry run) apply that plan.

The plan holds every effect of the run — the tool's own tabs put back, documents, events, letters
(with their «Рассылки» rows) and the cells to write, link write-backs included — as a list of
actions; ``--dry-run`` prints that list, and the run reports the same list with each action done or
failed.

Order of effects, chosen for crash safety: documents and events first, then letters (each recorded
in «Рассылки» before it is sent, see ``core.apply.reminders``), then the sheet in one write. Should
a run die in between, the next run assigns the same IDs (deterministic), finds the documents and
events by meeting ID and writes the links then. A step that fails (a calendar outage) does not stop
the independent ones: its failure is reported and the exit code says so.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from gmo_sync.core.actions import Action, Kind, Status
from gmo_sync.core.apply.calendar import apply_calendar
from gmo_sync.core.apply.protocols import Progress, apply_protocols
from gmo_sync.core.apply.reminders import REMIND, apply_reminders, mail_context
from gmo_sync.core.clock import Clock, local_now
from gmo_sync.core.config import Config
from gmo_sync.core.model import Meeting, id_key
from gmo_sync.core.os_errors import describe_os_error
from gmo_sync.core.plan.calendar import CalendarStep, creates_from_sheet, plan_calendar, report_plan_problems
from gmo_sync.core.plan.protocols import ProtocolAction, ProtocolStep, plan_protocol_step, plan_protocols
from gmo_sync.core.plan.reminders import RemindStep, plan_remind_step
from gmo_sync.core.plan.sync import CellChange, plan_sync
from gmo_sync.core.plan.writeback import cell_writes, has_new_problems, journal_row
from gmo_sync.core.ports import (
    CalendarStore,
    EventLinks,
    Mailer,
    ProtocolCopy,
    ProtocolLink,
    ProtocolStore,
    SheetBackend,
    StoredEvent,
)
from gmo_sync.core.problems import BackendError, Problem
from gmo_sync.core.reading import ParsedSheet, parse_sheet
from gmo_sync.core.repair import apply_to_snapshot, plan_repairs
from gmo_sync.core.report import RunReport
from gmo_sync.core.schema import MAILINGS, MEETINGS, find_tab
from gmo_sync.core.sheet import CellWrite, SheetSnapshot
from gmo_sync.rendering import check_template
from gmo_sync.rendering.budget import Limits, set_limits

log = logging.getLogger(__name__)

PROTOCOLS, CALENDAR, SHEET = "протоколы", "календарь", "таблица"
T = TypeVar("T")

__all__ = ["Options", "RunPlan", "RunReport", "run"]


@dataclass
class Options:
    protocols: bool = False
    calendar: bool = False
    dry_run: bool = False
    only: str | None = None
    force: bool = False
    allow_mass_cancel: bool = False
    pdf: bool = False
    progress: Progress | None = None
    write: bool = True  # False for `check`: validate only
    remind: bool = False  # letters about decisions (needs [mail] and a mailer)
    resend: bool = False  # send again letters whose sending was interrupted


@dataclass
class RunPlan:
    """One plan per step, and the sheet write that follows from them all."""

    config: Config
    parsed: ParsedSheet
    meetings: list[Meeting]  # as they will be after the sync step's cells
    changes: list[CellChange]  # the sync step: IDs, numbers, decision statuses
    repairs: list[Action] = field(default_factory=list)  # the tool's own tabs and headers put back
    protocols: ProtocolStep | None = None
    template: tuple[str, bytes] | None = None
    calendar: CalendarStep | None = None
    # A real run on a store whose creates ride with its listing reads the calendar only after the
    # documents (``_apply``): the new events' creates, carrying the documents' links, go in that request.
    calendar_later: bool = False
    reminders: RemindStep | None = None
    writes: list[CellWrite] = field(default_factory=list)  # every cell, «Синхронизировано» too
    write_actions: list[Action] = field(default_factory=list)  # the cells as actions (stamps aside)

    @property
    def new_ids(self) -> dict[int, str]:
        return {c.row: c.value for c in self.changes if c.tab == MEETINGS.name and c.key == "id"}

    def actions(self) -> list[Action]:
        """In the order the run does them: repairs, documents, events, letters, then the sheet's one write."""
        documents = self.protocols.actions() if self.protocols is not None else []
        events = self.calendar.actions() if self.calendar is not None else []
        letters = self.reminders.actions() if self.reminders is not None else []
        return self.repairs + documents + events + letters + self.write_actions


def run(command: str, config: Config, sheet: SheetBackend, store: ProtocolStore | None,
        clock: Clock, options: Options, calendar: CalendarStore | None = None,
        mailer: Mailer | None = None) -> RunReport:  # fmt: skip
    now = local_now(clock, config.zone)
    report = RunReport(command, options.dry_run)
    limits = config.rendering  # every protocol of this run renders within them
    set_limits(Limits(round(limits.max_text_mb * 1_000_000), limits.max_loop_iterations, limits.max_seconds))
    plan = _plan(report, config, sheet, store, calendar, now, options, mailer)
    if plan is None:
        return report
    if options.dry_run:
        report.actions = plan.actions()
        report.count_actions()
        if plan.writes:
            report.count("cells", len(plan.writes))
        if plan.calendar is not None:
            report_plan_problems(plan.calendar, report)
        _count_unchanged(report, plan)
        return report
    _apply(report, plan, sheet, store, calendar, now, options, mailer)
    return report


def _plan(report: RunReport, config: Config, sheet: SheetBackend, store: ProtocolStore | None,
          calendar: CalendarStore | None, now: dt.datetime, options: Options,
          mailer: Mailer | None) -> RunPlan | None:  # fmt: skip
    snapshot, repairs = _repaired(sheet, options)
    mailings_missing = find_tab(list(snapshot.tabs), MAILINGS) is None
    parsed = parse_sheet(snapshot, now.date())
    changes, meetings = plan_sync(parsed, now.date(), config.numbering)
    plan = RunPlan(config, parsed, meetings, changes, repairs)
    if options.protocols and store is not None:
        report.steps.append(PROTOCOLS)
        # an unreadable template file or protocols folder fails this step alone; a template whose
        # text is broken (TemplateError) stops the run: exit 2, nothing done
        _step(report, PROTOCOLS, lambda: _plan_protocols(plan, report, store, options))
    found = list(parsed.problems)
    if options.remind and options.write and mailer is not None:
        report.steps.append(REMIND)
        plan.reminders = plan_remind_step(parsed, meetings, config.mail, now.date(),
                                          tab_missing=mailings_missing, resend=options.resend)  # fmt: skip
        found += plan.reminders.plan.problems
    report.problems = sorted(set(found), key=_problem_order) + report.problems  # + failed steps
    if not options.write:
        report.actions = repairs
        return None
    if options.calendar and calendar is not None:
        report.steps.append(CALENDAR)
        plan.calendar_later = not options.dry_run and calendar.creates_ride_with_listing
        existing = None if plan.calendar_later else _step(report, CALENDAR, calendar.existing)
        if existing is not None:
            links = plan.protocols.links if plan.protocols is not None else {}
            plan.calendar = _step(
                report, CALENDAR, lambda: _plan_events(plan, calendar, existing, links, options)
            )
    _plan_writes(plan, plan.protocols.links if plan.protocols is not None else {},
                 plan.calendar.links if plan.calendar is not None else {}, now)  # fmt: skip
    return plan


def _repaired(sheet: SheetBackend, options: Options) -> tuple[SheetSnapshot, list[Action]]:
    """The sheet, with the tool's own deleted tabs and headers put back (or planned, in a dry run)."""
    snapshot = sheet.read()
    repairs = plan_repairs(snapshot)
    if not repairs:
        return snapshot, []
    done = options.write and not options.dry_run
    if done:
        sheet.ensure_writable()
        sheet.repair(repairs)
    status = Status.DONE if done else Status.PLANNED
    actions = [Action(Kind.SHEET_REPAIR, "", r.sheet_name, planned=r.describe(False),
                      done_text=r.describe(True), status=status) for r in repairs]  # fmt: skip
    apply_to_snapshot(snapshot, repairs)
    return snapshot, actions


def _plan_protocols(plan: RunPlan, report: RunReport, store: ProtocolStore, options: Options) -> None:
    plan.template = store.template()
    check_template(plan.template[1], template_name=plan.template[0])
    existing = store.existing()
    _notice_copies(report, plan.parsed, store.copies())
    config = plan.config
    plans = plan_protocols(plan.meetings, existing, plan.template[1], organisation=config.organisation,
                           city=config.city, only=options.only, force=options.force)  # fmt: skip
    if options.only is not None and not plans:
        plan.parsed.problems.append(Problem(MEETINGS.name, f"заседание с ID «{options.only}» не найдено"))
    plan.protocols = plan_protocol_step(plans, store, pdf=options.pdf)


def _notice_copies(report: RunReport, parsed: ParsedSheet, copies: list[ProtocolCopy]) -> None:
    """Each copy of a protocol is told once: the Журнал remembers the line (a dry run tells it every time)."""
    for copy in copies:
        text = f"копия протокола «{copy.name}» заседания {copy.meeting_id} (не трогаю)"
        notice = Problem(PROTOCOLS.capitalize(), text)
        if str(notice) not in parsed.journal_problems:
            report.notices.append(notice)


def _plan_events(plan: RunPlan, calendar: CalendarStore, existing: dict[str, StoredEvent],
                 links: dict[str, ProtocolLink | None], options: Options) -> CalendarStep:  # fmt: skip
    return plan_calendar(plan.parsed, plan.meetings, plan.new_ids, calendar, existing, plan.config, links,
                         allow_mass_cancel=options.allow_mass_cancel)  # fmt: skip


def _read_and_plan_events(plan: RunPlan, calendar: CalendarStore, links: dict[str, ProtocolLink | None],
                          options: Options) -> CalendarStep:  # fmt: skip
    """The calendar read once the documents exist, the creates the sheet calls for riding along."""
    creating = creates_from_sheet(plan.parsed, plan.meetings, calendar, plan.config, links)
    return _plan_events(plan, calendar, calendar.existing(creating), links, options)


def _plan_writes(plan: RunPlan, protocol_links: dict[str, ProtocolLink | None],
                 event_links: dict[str, EventLinks], now: dt.datetime) -> None:  # fmt: skip
    plan.writes, plan.write_actions = cell_writes(plan.parsed, plan.changes, protocol_links, event_links,
                                                  now.strftime("%d.%m.%Y %H:%M"))  # fmt: skip


def _apply(report: RunReport, plan: RunPlan, sheet: SheetBackend, store: ProtocolStore | None,
           calendar: CalendarStore | None, now: dt.datetime, options: Options,
           mailer: Mailer | None) -> None:  # fmt: skip
    report.actions += plan.repairs
    writes_documents = plan.protocols is not None and any(p.writes for p in plan.protocols.plans)
    mails = plan.reminders is not None and bool(plan.reminders.plan.letters)
    if plan.writes or writes_documents or mails:
        sheet.ensure_writable()  # before any document is written: a busy workbook means nothing is done
    protocol_links: dict[str, ProtocolLink | None] = {}
    if plan.protocols is not None and store is not None and plan.template is not None:
        step, template = plan.protocols, plan.template
        result = _step(report, PROTOCOLS, lambda: apply_protocols(step, store, template, report,
                                                                 progress=options.progress))  # fmt: skip
        if result is None:
            report.actions += [a.with_status(Status.FAILED) for a in step.actions()]
        else:
            saved_links, done = result
            protocol_links = dict(saved_links)
            report.actions += done
    event_links: dict[str, EventLinks] = {}
    if plan.calendar_later and calendar is not None:
        links = protocol_links
        plan.calendar = _step(report, CALENDAR, lambda: _read_and_plan_events(plan, calendar, links, options))
    if plan.calendar is not None and calendar is not None:
        calendar_step = plan.calendar
        if plan.protocols is not None and not plan.calendar_later:
            # The real links now replace the plan's stand-ins; the same reading of the calendar is reused,
            # so the actions are the plan's, only with the documents' URLs in the events.
            replanned = _step(report, CALENDAR, lambda: _plan_events(plan, calendar, calendar_step.existing,
                                                                     protocol_links, options))  # fmt: skip
            calendar_step = replanned if replanned is not None else calendar_step
        rows = {id_key(m.id): m.row for m in plan.meetings}
        applied = _step(report, CALENDAR, lambda: apply_calendar(calendar_step, calendar, report, rows))
        if applied is None:
            report.actions += [a.with_status(Status.FAILED) for a in calendar_step.actions()]
        else:
            events, done = applied
            event_links = {key: EventLinks(e.link, e.video_link) for key, e in events.items()}
            report.actions += done
    if plan.reminders is not None and mailer is not None:
        _apply_reminders(report, plan, plan.reminders, sheet, mailer, protocol_links, now)
    writes, write_actions = cell_writes(plan.parsed, plan.changes, protocol_links, event_links,
                                        now.strftime("%d.%m.%Y %H:%M"))  # fmt: skip
    report.count_actions()
    if writes:
        report.count("cells", len(writes))
    skipped: set[str] = set()
    mailed = report.counts.get("letters_sent") or report.counts.get("letters_failed")
    if writes or mailed or has_new_problems(plan.parsed, report):
        journal = journal_row(plan.parsed, report, now)
        result = _step(report, SHEET, lambda: sheet.write(writes + journal))
        if result is None:  # the documents and events are done; the next run writes their links
            report.counts.pop("cells", None)
            report.actions += [a.with_status(Status.FAILED) for a in plan.write_actions]
            _count_unchanged(report, plan)
            return
        report.cells_written += max(0, result.written - len(journal))
        for message in result.skipped + result.notes:
            place, _, text = message.partition(": ")
            report.problem(place, text)
        skipped = {message.partition(": ")[0] for message in result.skipped}
    report.actions += _cell_outcomes(plan.write_actions, write_actions, skipped)
    _count_unchanged(report, plan)


def _apply_reminders(report: RunReport, plan: RunPlan, step: RemindStep, sheet: SheetBackend, mailer: Mailer,
                     protocol_links: dict[str, ProtocolLink | None], now: dt.datetime) -> None:  # fmt: skip
    """Letters after the documents (a reminder links the protocol just made), before the sheet's write."""
    context = mail_context(plan.config, sheet, plan.parsed, plan.meetings, protocol_links, now)
    outcomes: list[Action] = []
    try:
        _step(report, REMIND, lambda: apply_reminders(step, sheet, mailer, context, report, outcomes))
    finally:
        mailer.close()
    planned = step.actions()
    report.actions += outcomes + [a.with_status(Status.FAILED) for a in planned[len(outcomes):]]


def _cell_outcomes(planned: list[Action], written: list[Action], skipped: set[str]) -> list[Action]:
    """Each planned cell done (as written: a stand-in replaced by the real link) or failed; then any cell
    the plan could not foresee, done, so the report never hides a write."""
    actual = {a.key: a for a in written}
    outcomes = []
    for action in planned:
        done = actual.pop(action.key, None)
        if done is None or action.cell in skipped:
            outcomes.append(action.with_status(Status.FAILED))
        else:
            outcomes.append(done.with_status(Status.DONE))
    outcomes += [a.with_status(Status.DONE) for a in written if a.key in actual and a.cell not in skipped]
    return outcomes


def _count_unchanged(report: RunReport, plan: RunPlan) -> None:
    if plan.protocols is not None:
        keep = sum(1 for p in plan.protocols.plans if p.action == ProtocolAction.KEEP)
        if keep:
            report.count("unchanged", keep)


def _step(report: RunReport, name: str, action: Callable[[], T]) -> T | None:
    """Run one step; a backend failure becomes a reported problem, and the other steps go on."""
    try:
        return action()
    except BackendError as error:
        message = str(error)
    except OSError as error:  # one a backend did not put into words: still a sentence, not a crash
        message = describe_os_error(error, error.filename or "", "Файл или папка")
    log.debug("step %s failed", name, exc_info=True)
    if name not in report.failed_steps:
        report.failed_steps.append(name)
    report.problem(name.capitalize(), message)
    return None


def _problem_order(problem: Problem) -> tuple[str, int, str]:
    tab, _, cell = problem.place.partition("!")
    digits = "".join(ch for ch in cell if ch.isdigit())
    return tab, int(digits or 0), problem.place
