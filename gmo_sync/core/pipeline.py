"""One run of a command: read, plan, and (unless a dry run) apply.

Order of effects, chosen for crash safety: documents first, then the sheet in
one write. Should a run die in between, the next run assigns the same IDs
(deterministic), finds the documents by meeting ID and writes the links then.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from gmo_sync.core.clock import Clock, local_now
from gmo_sync.core.config import Config
from gmo_sync.core.ports import ProtocolLink, ProtocolStore, SheetBackend, StoredProtocol
from gmo_sync.core.problems import BackendError, Problem
from gmo_sync.core.protocols import ProtocolAction, ProtocolPlan, plan_protocols
from gmo_sync.core.reading import ParsedSheet, id_key, parse_sheet
from gmo_sync.core.schema import JOURNAL, MEETINGS
from gmo_sync.core.sheet import CellWrite
from gmo_sync.core.sync import CellChange, plan_sync, row_anchor
from gmo_sync.rendering import check_template, render_protocol

MAX_JOURNAL_TEXT = 30_000  # Excel's cell limit is 32,767 characters; Google's 50,000


@dataclass
class RunReport:
    command: str
    dry_run: bool
    lines: list[str] = field(default_factory=list)  # what was (or would be) done, in order
    problems: list[Problem] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    cells_written: int = 0

    def count(self, key: str, n: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + n

    @property
    def exit_code(self) -> int:
        return 1 if self.problems else 0


@dataclass
class Options:
    protocols: bool = False
    dry_run: bool = False
    only: str | None = None
    force: bool = False
    write: bool = True  # False for `check`: validate only


def run(command: str, config: Config, sheet: SheetBackend, store: ProtocolStore | None,
        clock: Clock, options: Options) -> RunReport:  # fmt: skip
    now = local_now(clock, config.zone)
    report = RunReport(command, options.dry_run)
    parsed = parse_sheet(sheet.read(), now.date())
    changes, meetings = plan_sync(parsed, now.date(), config.numbering)
    plans: list[ProtocolPlan] = []
    template: tuple[str, bytes] | None = None
    if options.protocols and store is not None:
        template = store.template()
        check_template(template[1], template_name=template[0])
        plans = plan_protocols(
            meetings,
            store.existing(),
            template[1],
            organisation=config.organisation,
            city=config.city,
            only=options.only,
            force=options.force,
        )
        if options.only is not None and not plans:
            parsed.problems.append(Problem(MEETINGS.name, f"заседание с ID «{options.only}» не найдено"))
    report.problems = sorted(set(parsed.problems), key=_problem_order)
    if not options.write:
        return report
    if options.dry_run:
        report.lines = [c.describe(parsed) for c in changes] + [p.describe() for p in plans]
        _count_plans(report, plans)
        return report
    if changes or any(p.action in (ProtocolAction.CREATE, ProtocolAction.UPDATE) for p in plans):
        sheet.ensure_writable()  # before any document is written: a busy workbook means nothing is done
    links = _apply_protocols(plans, store, template, report) if store and template else {}
    writes = _cell_writes(parsed, changes, links, report, now.strftime("%d.%m.%Y %H:%M"))
    if writes or _new_problems(parsed, report):
        journal = _journal_row(parsed, report, now)
        result = sheet.write(writes + journal)
        report.cells_written = max(0, result.written - len(journal))
        report.problems.extend(
            Problem(place.split(": ")[0], place.split(": ", 1)[1]) for place in result.skipped
        )
    return report


def _problem_order(problem: Problem) -> tuple[str, int, str]:
    tab, _, cell = problem.place.partition("!")
    digits = "".join(ch for ch in cell if ch.isdigit())
    return tab, int(digits or 0), problem.place


def _count_plans(report: RunReport, plans: list[ProtocolPlan]) -> None:
    for plan in plans:
        report.count({"создать": "created", "обновить": "updated", "пропустить": "skipped"}.get(
            plan.action.value, "unchanged"))  # fmt: skip


def _apply_protocols(
    plans: list[ProtocolPlan], store: ProtocolStore, template: tuple[str, bytes], report: RunReport
) -> dict[str, ProtocolLink]:
    links: dict[str, ProtocolLink] = {}
    for plan in plans:
        stored: StoredProtocol | None = plan.existing
        if plan.action in (ProtocolAction.CREATE, ProtocolAction.UPDATE):
            content = render_protocol(template[1], plan.context, template_name=template[0])
            try:
                stored = store.save(plan.meeting.id, plan.name, content, plan.input_hash, plan.existing)
            except BackendError as error:
                report.problems.append(Problem(f"{MEETINGS.name}!{plan.meeting.row}", str(error)))
                report.count("failed")
                continue
            verb = "создан" if plan.action == ProtocolAction.CREATE else "обновлён"
            report.lines.append(f"{verb} протокол «{stored.name}» (заседание {plan.meeting.id})")
            report.count("created" if plan.action == ProtocolAction.CREATE else "updated")
        elif plan.action == ProtocolAction.SKIP:
            report.lines.append(plan.describe())
            if plan.existing is not None and plan.existing.edited_by_hand:
                report.problems.append(Problem(f"{MEETINGS.name}!{plan.meeting.row}", plan.describe()))
            report.count("skipped")
        else:
            report.count("unchanged")
        if stored is not None:
            links[id_key(plan.meeting.id)] = store.link(stored)
    return links


def _cell_writes(
    parsed: ParsedSheet,
    changes: list[CellChange],
    links: dict[str, ProtocolLink],
    report: RunReport,
    stamp: str,
) -> list[CellWrite]:
    meetings = parsed.columns[MEETINGS.name]
    writes = [_to_write(parsed, c) for c in changes]
    for change in changes:
        report.lines.append(change.describe(parsed))
    touched_rows = {c.row for c in changes if c.tab == MEETINGS.name}
    new_ids = {c.row: c.value for c in changes if c.tab == MEETINGS.name and c.key == "id"}
    protocol_column = meetings.positions["protocol"]
    data = parsed.tabs[MEETINGS.name]
    for row in parsed.meeting_rows:
        meeting_id = new_ids.get(row.row, row.id)
        link = links.get(id_key(meeting_id)) if meeting_id else None
        if link is None:
            continue
        current_text = str(data.cell(row.row, protocol_column) or "")
        current_url = data.links.get((row.row, protocol_column))
        # a bare URL as the cell's text is its own link (Sheets); otherwise the hyperlink must match too
        if current_text == link.text and (current_url == link.url or link.text == link.url):
            continue
        writes.append(
            CellWrite(
                MEETINGS.name,
                row.row,
                protocol_column,
                link.text,
                "Протокол",
                current_text,
                link.url,
                _anchor(parsed, MEETINGS.name, row_anchor(parsed, row)),
            )
        )
        report.lines.append(f"{meetings.ref('protocol', row.row)}: Протокол ← «{link.text}»")
        touched_rows.add(row.row)
    if meetings.has("synced") and touched_rows:
        synced_column = meetings.positions["synced"]
        for row in parsed.meeting_rows:
            if row.row in touched_rows:
                old = str(data.cell(row.row, synced_column) or "")
                anchor = _anchor(parsed, MEETINGS.name, row_anchor(parsed, row))
                writes.append(CellWrite(MEETINGS.name, row.row, synced_column, stamp, "Синхронизировано",
                                        old, None, anchor))  # fmt: skip
    report.count("cells", len(writes))
    return writes


def _to_write(parsed: ParsedSheet, change: CellChange) -> CellWrite:
    columns = parsed.columns[change.tab]
    return CellWrite(
        tab=columns.sheet_name,
        row=change.row,
        column=columns.positions[change.key],
        value=change.value,
        header=columns.tab.column(change.key).header,
        old=change.old,
        anchor=_anchor(parsed, change.tab, change.anchor),
    )


def _anchor(
    parsed: ParsedSheet, tab: str, anchor: tuple[tuple[str, str], ...]
) -> tuple[tuple[int, str], ...]:
    positions = parsed.columns[tab].positions
    return tuple((positions[key], value) for key, value in anchor if key in positions)


def _new_problems(parsed: ParsedSheet, report: RunReport) -> bool:
    return any(str(p) not in parsed.journal_problems for p in report.problems)


def _journal_row(parsed: ParsedSheet, report: RunReport, now: dt.datetime) -> list[CellWrite]:
    columns = parsed.columns[JOURNAL.name]
    row = len(parsed.tabs[JOURNAL.name].rows) + 1
    changes = ", ".join(
        f"{_COUNT_NAMES[k]}: {v}" for k, v in report.counts.items() if k in _COUNT_NAMES and v
    )
    problems = "\n".join(map(str, report.problems))
    if len(problems) > MAX_JOURNAL_TEXT:
        problems = problems[:MAX_JOURNAL_TEXT] + "\n…"
    values = {
        "time": now.strftime("%d.%m.%Y %H:%M"),
        "command": report.command,
        "changes": changes or "нет",
        "problems": problems,
    }
    return [
        CellWrite(columns.sheet_name, row, columns.positions[key], value, columns.tab.column(key).header)
        for key, value in values.items()
    ]


_COUNT_NAMES = {
    "cells": "ячеек записано",
    "created": "протоколов создано",
    "updated": "протоколов обновлено",
    "skipped": "протоколов пропущено",
}
