"""One run of a command: read the sheet, plan every step, then (unless a dry run) apply.

Order of effects, chosen for crash safety: documents and events first, then the
sheet in one write. Should a run die in between, the next run assigns the same IDs
(deterministic), finds the documents and events by meeting ID and writes the links
then. A step that fails (a calendar outage) does not stop the independent ones:
its failure is reported and the exit code says so.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import partial

from gmo_sync.core.calendar_step import apply_calendar, describe_calendar_plan, plan_calendar
from gmo_sync.core.clock import Clock, local_now
from gmo_sync.core.config import Config
from gmo_sync.core.os_errors import describe_os_error
from gmo_sync.core.ports import (
    CalendarStore,
    ProtocolCopy,
    ProtocolLink,
    ProtocolStore,
    SheetBackend,
    StoredEvent,
    StoredProtocol,
)
from gmo_sync.core.problems import BackendError, Problem
from gmo_sync.core.protocol_step import Progress, apply_protocols, count_protocol_plans
from gmo_sync.core.protocols import ProtocolAction, ProtocolPlan, plan_protocols
from gmo_sync.core.reading import ParsedSheet, id_key, parse_sheet
from gmo_sync.core.repair import apply_to_snapshot, plan_repairs
from gmo_sync.core.report import RunReport
from gmo_sync.core.schema import MEETINGS
from gmo_sync.core.sheet import SheetSnapshot
from gmo_sync.core.sync import plan_sync
from gmo_sync.core.writeback import cell_writes, has_new_problems, journal_row
from gmo_sync.rendering import check_template
from gmo_sync.rendering.budget import Limits, set_limits

log = logging.getLogger(__name__)

PROTOCOLS, CALENDAR, SHEET = "протоколы", "календарь", "таблица"

__all__ = ["Options", "RunReport", "run"]


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


def run(command: str, config: Config, sheet: SheetBackend, store: ProtocolStore | None,
        clock: Clock, options: Options, calendar: CalendarStore | None = None) -> RunReport:  # fmt: skip
    now = local_now(clock, config.zone)
    report = RunReport(command, options.dry_run)
    limits = config.rendering  # every protocol of this run renders within them
    set_limits(Limits(round(limits.max_text_mb * 1_000_000), limits.max_loop_iterations, limits.max_seconds))
    parsed = parse_sheet(_repaired(sheet, report, options), now.date())
    changes, meetings = plan_sync(parsed, now.date(), config.numbering)
    new_ids = {c.row: c.value for c in changes if c.tab == MEETINGS.name and c.key == "id"}
    plans: list[ProtocolPlan] = []
    template: tuple[str, bytes] | None = None
    if options.protocols and store is not None:
        report.steps.append(PROTOCOLS)
        # an unreadable template file or protocols folder fails this step alone; a template whose
        # text is broken (TemplateError) stops the run: exit 2, nothing done
        prepared = _step(report, PROTOCOLS, partial(_prepare_protocols, store))
        if prepared is not None:
            template, existing = prepared
            _notice_copies(report, parsed, store.copies())
            plans = plan_protocols(meetings, existing, template[1], organisation=config.organisation,
                                   city=config.city, only=options.only, force=options.force)  # fmt: skip
        if prepared is not None and options.only is not None and not plans:
            parsed.problems.append(Problem(MEETINGS.name, f"заседание с ID «{options.only}» не найдено"))
    report.problems = sorted(set(parsed.problems), key=_problem_order) + report.problems  # + failed steps
    if not options.write:
        return report
    if options.calendar and calendar is not None:
        report.steps.append(CALENDAR)
    if options.dry_run:
        report.lines += [c.describe(parsed) for c in changes] + [p.describe() for p in plans]
        count_protocol_plans(report, plans)
        if CALENDAR in report.steps:
            event_plan = _plan_events(report, parsed, meetings, new_ids, calendar, config, {}, options)
            if event_plan is not None:
                describe_calendar_plan(event_plan, report)
        return report
    if changes or any(p.action in (ProtocolAction.CREATE, ProtocolAction.UPDATE) for p in plans):
        sheet.ensure_writable()  # before any document is written: a busy workbook means nothing is done
    links: dict[str, ProtocolLink] = {}
    if store is not None and template is not None:
        protocols_step = partial(apply_protocols, plans, store, template, report, pdf=options.pdf,
                                 progress=options.progress)  # fmt: skip
        links = _step(report, PROTOCOLS, protocols_step) or {}
    events: dict[str, StoredEvent] = {}
    if CALENDAR in report.steps:
        event_plan = _plan_events(report, parsed, meetings, new_ids, calendar, config, links, options)
        if event_plan is not None:
            rows = {id_key(m.id): m.row for m in meetings}
            events = _step(report, CALENDAR, lambda: apply_calendar(event_plan, calendar, report, rows)) or {}
    planned_lines = len(report.lines)
    writes = cell_writes(parsed, changes, links, events, report, now.strftime("%d.%m.%Y %H:%M"))
    if writes or has_new_problems(parsed, report):
        journal = journal_row(parsed, report, now)
        result = _step(report, SHEET, lambda: sheet.write(writes + journal))
        if result is None:  # the documents and events are done; the next run writes their links
            del report.lines[planned_lines:]
            report.counts.pop("cells", None)
            return report
        report.cells_written = max(0, result.written - len(journal))
        for message in result.skipped:
            place, _, text = message.partition(": ")
            report.problem(place, text)
    return report


def _repaired(sheet: SheetBackend, report: RunReport, options: Options) -> SheetSnapshot:
    """The sheet, with the tool's own deleted tabs and headers put back (or planned, in a dry run)."""
    snapshot = sheet.read()
    repairs = plan_repairs(snapshot)
    if not repairs:
        return snapshot
    done = options.write and not options.dry_run
    if done:
        sheet.ensure_writable()
        sheet.repair(repairs)
    report.lines.extend(r.describe(done) for r in repairs)
    apply_to_snapshot(snapshot, repairs)
    return snapshot


def _notice_copies(report: RunReport, parsed: ParsedSheet, copies: list[ProtocolCopy]) -> None:
    """Each copy of a protocol is told once: the Журнал remembers the line (a dry run tells it every time)."""
    for copy in copies:
        text = f"копия протокола «{copy.name}» заседания {copy.meeting_id} (не трогаю)"
        notice = Problem(PROTOCOLS.capitalize(), text)
        if str(notice) not in parsed.journal_problems:
            report.notices.append(notice)


def _prepare_protocols(store: ProtocolStore) -> tuple[tuple[str, bytes], dict[str, StoredProtocol]]:
    template = store.template()
    check_template(template[1], template_name=template[0])
    return template, store.existing()


def _plan_events(report, parsed, meetings, new_ids, calendar, config, links, options):  # type: ignore[no-untyped-def]
    allow = options.allow_mass_cancel
    return _step(report, CALENDAR, lambda: plan_calendar(parsed, meetings, new_ids, calendar, config, links,
                                                         allow_mass_cancel=allow))  # fmt: skip


def _step(report: RunReport, name: str, action):  # type: ignore[no-untyped-def]
    """Run one step; a backend failure becomes a reported problem, and the other steps go on."""
    try:
        return action()
    except BackendError as error:
        message = str(error)
    except OSError as error:  # one a backend did not put into words: still a sentence, not a crash
        message = describe_os_error(error, error.filename or "", "Файл или папка")
    log.debug("step %s failed", name, exc_info=True)
    report.failed_steps.append(name)
    report.problem(name.capitalize(), message)
    return None


def _problem_order(problem: Problem) -> tuple[str, int, str]:
    tab, _, cell = problem.place.partition("!")
    digits = "".join(ch for ch in cell if ch.isdigit())
    return tab, int(digits or 0), problem.place
