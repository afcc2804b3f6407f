"""Turn a run's results into the sheet cells to write, plus the Журнал row.

Only tool-owned cells, only when their value changes; a row that receives anything
also gets «Синхронизировано». Every write carries its row's anchor (see
``sync.row_anchor``) so backends can re-find rows that moved.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import unquote

from gmo_sync.core.actions import NEW_DOCUMENT, NEW_EVENT, NEW_VIDEO, Action, Kind, cell_action
from gmo_sync.core.model import id_key
from gmo_sync.core.plan.sync import CellChange, row_anchor
from gmo_sync.core.ports import EventLinks, ProtocolLink
from gmo_sync.core.reading import MeetingRow, ParsedSheet
from gmo_sync.core.report import COUNT_NAMES, RunReport
from gmo_sync.core.schema import DECISIONS, JOURNAL, MEETINGS
from gmo_sync.core.sheet import CellWrite

MAX_JOURNAL_TEXT = 30_000  # Excel's cell limit is 32,767 characters; Google's 50,000


def cell_writes(
    parsed: ParsedSheet,
    changes: list[CellChange],
    protocol_links: dict[str, ProtocolLink | None],
    event_links: dict[str, EventLinks],
    stamp: str,
) -> tuple[list[CellWrite], list[Action]]:
    """The cells to write and, for all but the «Синхронизировано» stamps, their actions.

    A plan passes the links it expects, with None where only the run can tell (a new Google Doc or
    event): such a cell is planned with a stand-in text, since it will certainly change.
    """
    writes = [_change_write(parsed, c) for c in changes]
    new_ids = {c.row: c.value for c in changes if c.tab == MEETINGS.name and c.key == "id"}
    owners = {(MEETINGS.name, r.row): new_ids.get(r.row, r.id) for r in parsed.meeting_rows}
    owners.update({(DECISIONS.name, r.row): r.meeting_id for r in parsed.decision_rows})
    actions = [_change_action(parsed, c, owners.get((c.tab, c.row), "")) for c in changes]
    touched = {c.row for c in changes if c.tab == MEETINGS.name}
    for row in parsed.meeting_rows:
        meeting_id = new_ids.get(row.row, row.id)
        if not meeting_id:
            continue
        key = id_key(meeting_id)
        wanted: list[tuple[Kind, str, str, str | None]] = []  # (kind, column key, text, hyperlink target)
        if key in protocol_links:
            link = protocol_links[key]
            wanted.append(
                (Kind.PROTOCOL_LINK, "protocol", *((link.text, link.url) if link else (NEW_DOCUMENT, None)))
            )
        if key in event_links:
            event = event_links[key]
            if event.link is None:
                wanted.append((Kind.EVENT_LINK, "event", NEW_EVENT, None))
            else:
                text = event.link if event.link.startswith("http") else unquote(event.link).rsplit("/", 1)[-1]
                wanted.append((Kind.EVENT_LINK, "event", text, event.link))
            if event.video is None:
                wanted.append((Kind.EVENT_VIDEO, "video", NEW_VIDEO, None))
            elif event.video:
                wanted.append((Kind.EVENT_VIDEO, "video", event.video, event.video))
        for kind, column_key, text, url in wanted:
            write = _link_write(parsed, row, column_key, text, url)
            if write is not None:
                writes.append(write)
                cell = parsed.columns[MEETINGS.name].ref(column_key, row.row)
                actions.append(cell_action(kind, meeting_id, cell, write.header, text))
                touched.add(row.row)
    writes.extend(_synced_writes(parsed, touched, stamp))
    return writes, actions


def _link_write(
    parsed: ParsedSheet, row: MeetingRow, key: str, text: str, url: str | None
) -> CellWrite | None:
    """The write of one link cell, or None when it already shows ``text`` linking to ``url``.

    ``url`` None: the link is not known yet (a plan's stand-in), so the cell will change for sure.
    """
    columns = parsed.columns[MEETINGS.name]
    if not columns.has(key):
        return None  # an optional tool column the coordinators removed: nothing to write
    column = columns.positions[key]
    data = parsed.tabs[MEETINGS.name]
    current = data.cell(row.row, column)
    current_text = "" if current is None else str(current)
    current_url = data.links.get((row.row, column))
    # A web URL shown as the cell's text is its own link (Sheets makes it clickable); a local
    # file needs a real hyperlink, which must match too.
    bare_url = url is not None and text == url and url.startswith(("http://", "https://"))
    if url is not None and current_text == text and (current_url == url or bare_url):
        return None
    link = None if bare_url else url
    return CellWrite(columns.sheet_name, row.row, column, text, columns.tab.column(key).header, current_text,
                     link, anchor(parsed, MEETINGS.name, row_anchor(parsed, row)))  # fmt: skip


def _synced_writes(parsed: ParsedSheet, touched: set[int], stamp: str) -> list[CellWrite]:
    columns = parsed.columns[MEETINGS.name]
    if not columns.has("synced"):
        return []
    column = columns.positions["synced"]
    data = parsed.tabs[MEETINGS.name]
    writes = []
    for row in parsed.meeting_rows:
        if row.row in touched:
            old = str(data.cell(row.row, column) or "")
            row_key = anchor(parsed, MEETINGS.name, row_anchor(parsed, row))
            writes.append(
                CellWrite(columns.sheet_name, row.row, column, stamp, "Синхронизировано", old, None, row_key)
            )
    return writes


CHANGE_KINDS = {(MEETINGS.name, "id"): Kind.SHEET_ID, (MEETINGS.name, "number"): Kind.SHEET_NUMBER,
                (DECISIONS.name, "status"): Kind.DECISION_STATUS}  # fmt: skip


def _change_action(parsed: ParsedSheet, change: CellChange, meeting: str) -> Action:
    """``meeting``: the row's ID (the one it gets in this run, if blank), a decision's «ID заседания»."""
    columns = parsed.columns[change.tab]
    header = columns.tab.column(change.key).header
    return cell_action(CHANGE_KINDS[(change.tab, change.key)], meeting, columns.ref(change.key, change.row),
                       header, change.value, change.old)  # fmt: skip


def _change_write(parsed: ParsedSheet, change: CellChange) -> CellWrite:
    columns = parsed.columns[change.tab]
    return CellWrite(
        tab=columns.sheet_name,
        row=change.row,
        column=columns.positions[change.key],
        value=change.value,
        header=columns.tab.column(change.key).header,
        old=change.old,
        anchor=anchor(parsed, change.tab, change.anchor),
    )


def anchor(parsed: ParsedSheet, tab: str, keys: tuple[tuple[str, str], ...]) -> tuple[tuple[int, str], ...]:
    positions = parsed.columns[tab].positions
    return tuple((positions[key], value) for key, value in keys if key in positions)


def has_new_problems(parsed: ParsedSheet, report: RunReport) -> bool:
    return any(str(p) not in parsed.journal_problems for p in report.problems + report.notices)


def journal_row(parsed: ParsedSheet, report: RunReport, now: dt.datetime) -> list[CellWrite]:
    columns = parsed.columns[JOURNAL.name]
    row = len(parsed.tabs[JOURNAL.name].rows) + 1
    changes = ", ".join(f"{COUNT_NAMES[k]}: {v}" for k, v in report.counts.items() if k in COUNT_NAMES and v)
    problems = "\n".join(map(str, report.problems + report.notices))  # notices: so they are told once
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
