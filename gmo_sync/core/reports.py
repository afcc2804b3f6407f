"""One run of a document command (``report …``, ``extract``): read the sheet, build, plan, apply.

A document command reads the sheet and never writes it: a coordinator may keep the
workbook open while the secretary makes a register or an extract. Meetings are seen
as they will be after ``sync`` (IDs, numbers and decision statuses filled), so a
report made before the next ``run`` already says «просрочено» where it will.

Each kind of document is a builder: ``(DocumentRequest) → [DocumentSpec]``. A builder
that cannot make what was asked (an unknown meeting, a year with no meetings) adds a
problem to ``request.problems`` and returns what it can.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from gmo_sync.core.clock import Clock, local_now
from gmo_sync.core.config import Config
from gmo_sync.core.documents import DOCUMENTS, DocumentSpec, apply_documents, plan_actions, plan_documents
from gmo_sync.core.model import Meeting
from gmo_sync.core.parsing import ParseError, parse_academic_year
from gmo_sync.core.people import PeopleDirectory
from gmo_sync.core.plan.sync import plan_sync
from gmo_sync.core.ports import DocumentStore, SheetBackend
from gmo_sync.core.problems import BackendError, ConfigError, Problem
from gmo_sync.core.reading import ParsedSheet, parse_sheet
from gmo_sync.core.report import RunReport
from gmo_sync.rendering import check_template

log = logging.getLogger(__name__)


@dataclass
class DocumentRequest:
    """What a builder gets: the sheet as it will be after sync, today, the settings and the people."""

    parsed: ParsedSheet
    meetings: list[Meeting]
    today: dt.date
    config: Config
    people: PeopleDirectory
    problems: list[Problem] = field(default_factory=list)


Builder = Callable[[DocumentRequest], list[DocumentSpec]]


@dataclass(frozen=True)
class DocumentOptions:
    dry_run: bool = False
    force: bool = False
    pdf: bool = False


def make_documents(
    command: str,
    config: Config,
    sheet: SheetBackend,
    store: DocumentStore,
    clock: Clock,
    build: Builder,
    options: DocumentOptions,
) -> RunReport:
    today = local_now(clock, config.zone).date()
    report = RunReport(command, options.dry_run)
    report.steps.append(DOCUMENTS)
    parsed = parse_sheet(sheet.read(), today)
    _, meetings = plan_sync(parsed, today, config.numbering)
    request = DocumentRequest(parsed, meetings, today, config, PeopleDirectory(parsed.participants))
    specs = build(request)
    templates = {kind: store.template(kind) for kind in dict.fromkeys(s.kind for s in specs)}
    for name, content in templates.values():
        check_template(content, template_name=name)  # a broken template: exit 2, nothing made
    plans = plan_documents(specs, store, templates, force=options.force)
    report.problems.extend(parsed.problems + request.problems)
    if options.dry_run:
        report.actions = plan_actions(plans, store, pdf=options.pdf)
    else:
        try:
            apply_documents(plans, store, templates, report, pdf=options.pdf)
        except BackendError as error:
            log.debug("documents step failed", exc_info=True)
            report.failed_steps.append(DOCUMENTS)
            report.problem(DOCUMENTS.capitalize(), str(error))
    report.count_actions()
    report.problems = sorted(
        set(report.problems), key=lambda p: (p.place.partition("!")[0], _row(p), p.place)
    )
    return report


def _row(problem: Problem) -> int:
    digits = "".join(ch for ch in problem.place.partition("!")[2] if ch.isdigit())
    return int(digits or 0)


@dataclass(frozen=True)
class Period:
    """A span of meetings a document covers: an academic or a calendar year."""

    start: dt.date
    end: dt.date  # inclusive
    label: str  # «2021/22 учебный год», «2021 год»
    slug: str  # for names: «2021-22», «2021»

    def __contains__(self, date: object) -> bool:
        return isinstance(date, dt.date) and self.start <= date <= self.end


def parse_period(text: str) -> Period:
    """«2021» → the calendar year; an academic year as ``parsing.parse_academic_year`` reads it
    («2021/22», «2021/2022», «2021-22 учебный год») → 1.09.2021–31.08.2022."""
    value = text.strip()
    if re.fullmatch(r"\d{4}", value):
        year = int(value)
        return Period(dt.date(year, 1, 1), dt.date(year, 12, 31), f"{year} год", str(year))
    try:
        first = parse_academic_year(value)  # the one reading of an academic year («Год», --year)
    except ParseError:
        raise ConfigError(
            f"--year «{text}»: ожидается учебный год, например 2021/22, или календарный год: 2021"
        ) from None
    label, slug = f"{first}/{(first + 1) % 100:02d}", f"{first}-{(first + 1) % 100:02d}"
    return Period(dt.date(first, 9, 1), dt.date(first + 1, 8, 31), f"{label} учебный год", slug)
