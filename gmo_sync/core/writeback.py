"""Turn a run's results into the sheet cells to write, plus the Журнал row.

Only tool-owned cells, only when their value changes; a row that receives anything
also gets «Синхронизировано». Every write carries its row's anchor (see
``sync.row_anchor``) so backends can re-find rows that moved.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import unquote

from gmo_sync.core.ports import ProtocolLink, StoredEvent
from gmo_sync.core.reading import MeetingRow, ParsedSheet, id_key
from gmo_sync.core.report import COUNT_NAMES, RunReport
from gmo_sync.core.schema import JOURNAL, MEETINGS
from gmo_sync.core.sheet import CellWrite
from gmo_sync.core.sync import CellChange, row_anchor

MAX_JOURNAL_TEXT = 30_000  # Excel's cell limit is 32,767 characters; Google's 50,000


def cell_writes(
    parsed: ParsedSheet,
    changes: list[CellChange],
    protocol_links: dict[str, ProtocolLink],
    events: dict[str, StoredEvent],
    report: RunReport,
    stamp: str,
) -> list[CellWrite]:
    writes = [_change_write(parsed, c) for c in changes]
    report.lines.extend(c.describe(parsed) for c in changes)
    touched = {c.row for c in changes if c.tab == MEETINGS.name}
    new_ids = {c.row: c.value for c in changes if c.tab == MEETINGS.name and c.key == "id"}
    for row in parsed.meeting_rows:
        meeting_id = new_ids.get(row.row, row.id)
        if not meeting_id:
            continue
        key = id_key(meeting_id)
        wanted: list[tuple[str, str, str]] = []  # (column key, text, hyperlink target)
        if key in protocol_links:
            link = protocol_links[key]
            wanted.append(("protocol", link.text, link.url))
        if key in events:
            event = events[key]
            text = event.link if event.link.startswith("http") else unquote(event.link).rsplit("/", 1)[-1]
            wanted.append(("event", text, event.link))
            if event.video_link:
                wanted.append(("video", event.video_link, event.video_link))
        for column_key, text, url in wanted:
            write = _link_write(parsed, row, column_key, text, url)
            if write is not None:
                writes.append(write)
                report.lines.append(f"{parsed.columns[MEETINGS.name].ref(column_key, row.row)}: "
                                    f"{write.header} ← «{text}»")  # fmt: skip
                touched.add(row.row)
    writes.extend(_synced_writes(parsed, touched, stamp))
    report.count("cells", len(writes))
    return writes


def _link_write(parsed: ParsedSheet, row: MeetingRow, key: str, text: str, url: str) -> CellWrite | None:
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
    bare_url = text == url and url.startswith(("http://", "https://"))
    if current_text == text and (current_url == url or bare_url):
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
