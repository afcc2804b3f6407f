"""The remind step, applied: record every letter's intent, send, record the outcome — never a letter twice.

Order, chosen so that a run killed at any point sends no letter twice:

1. one sheet write puts the letter into «Рассылки» with Статус «отправляется» (it is not
   sent unless that write succeeded);
2. the letter is sent, and its rows get «отправлено» (or «не отправлено: причина», or
   «неизвестно: причина» when the connection broke mid-transfer) right after;
3. then the next letter.

A run killed between 1 and 2 leaves that letter's rows «отправляется»: the next run
reports them («могло не дойти») and sends them again only with ``--resend``. A letter the
server certainly refused is retried by the next run. A failing letter never stops the
others, and the step never stops the rest of the run.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from urllib.parse import unquote

from gmo_sync.core.actions import Action, Status
from gmo_sync.core.config import Config
from gmo_sync.core.letters import MailContext, compose
from gmo_sync.core.model import Meeting, id_key
from gmo_sync.core.plan.reminders import FAILED, SENDING, SENT, UNKNOWN, Letter, MailRow, RemindStep
from gmo_sync.core.ports import Mailer, MailError, ProtocolLink, SheetBackend
from gmo_sync.core.problems import BackendError, cell_ref
from gmo_sync.core.reading import ParsedSheet
from gmo_sync.core.report import RunReport
from gmo_sync.core.schema import MAILINGS, MEETINGS
from gmo_sync.core.sheet import CellWrite

log = logging.getLogger(__name__)

REMIND = "рассылка"  # the step's name in reports


def sheet_location(config: Config, sheet: SheetBackend) -> str:
    if config.backend == "google" and config.google.spreadsheet_id:
        return f"https://docs.google.com/spreadsheets/d/{config.google.spreadsheet_id}/edit"
    return config.resolve(config.local.workbook).name if config.backend == "local" else sheet.describe()


def protocol_links(
    parsed: ParsedSheet, meetings: list[Meeting], fresh: Mapping[str, ProtocolLink | None]
) -> dict[str, str]:
    """Meeting → where its protocol is: made this run, or the link already in «Протокол»."""
    links: dict[str, str] = {}
    columns = parsed.columns[MEETINGS.name]
    data = parsed.tabs[MEETINGS.name]
    for meeting in meetings:
        key = id_key(meeting.id)
        if (link := fresh.get(key)) is not None:
            url = link.url
            links[key] = url if url.startswith("http") else unquote(url)
        elif meeting.protocol_link and "protocol" in columns.positions:
            target = data.links.get((meeting.row, columns.positions["protocol"]), meeting.protocol_link)
            links[key] = target if target.startswith("http") else unquote(target)
    return links


def apply_reminders(
    step: RemindStep,
    sheet: SheetBackend,
    mailer: Mailer,
    context: MailContext,
    report: RunReport,
    outcomes: list[Action],
) -> None:
    """Carry out the step, appending each action's outcome to ``outcomes`` in the plan's order (so a
    step stopped by a failing sheet write leaves the rest to be reported as not done)."""
    if not step.plan.letters:
        return
    tab = step.tab_action()
    if step.new_tab is not None and tab is not None:
        sheet.repair([step.new_tab])  # a BackendError stops the step before any letter is recorded
        outcomes.append(tab.with_status(Status.DONE))
    stamp = context.now.strftime("%d.%m.%Y %H:%M")
    for index, letter in enumerate(step.plan.letters):
        *row_actions, send = step.letter_actions(index)
        intents: list[CellWrite] = []
        for (row, identity), reused in zip(step.rows[index], _reused(letter), strict=True):
            if reused:
                anchor = _anchor(step.columns, identity)
                intents += [_cell(step.columns, row, "time", stamp, anchor),
                            _cell(step.columns, row, "status", SENDING, anchor)]  # fmt: skip
            else:
                values = dict(zip(("to", "meeting", "decision", "reason"), identity, strict=True))
                intents += [_cell(step.columns, row, key, value) for key, value in values.items()]
                intents += [_cell(step.columns, row, "time", stamp),
                            _cell(step.columns, row, "status", SENDING)]  # fmt: skip
        # The intent first, one letter at a time: a run killed now leaves at most this letter in doubt.
        # A failing write raises BackendError, which stops the step before this letter is sent.
        result = sheet.write(intents)
        report.cells_written += result.written
        if result.skipped:
            for message in result.skipped:
                place, _, text = message.partition(": ")
                report.problem(place, text)
            report.problem(MAILINGS.name, "письма не отправлены: лист «Рассылки» менялся во время работы; "
                                          "запустите gmo-sync remind ещё раз")  # fmt: skip
            return
        outcomes.extend(a.with_status(Status.DONE) for a in row_actions)
        sent = _send_one(letter, step.rows[index], step.columns, sheet, mailer, context, report)
        outcomes.append(send.with_status(Status.DONE if sent else Status.FAILED))


def _reused(letter: Letter) -> list[bool]:
    return [index in letter.reuse for index in range(len(letter.rows()))]


def _send_one(
    letter: Letter,
    placed: Sequence[MailRow],
    columns: dict[str, int],
    sheet: SheetBackend,
    mailer: Mailer,
    context: MailContext,
    report: RunReport,
) -> bool:
    place = cell_ref(MAILINGS.name, placed[0][0], columns["status"])
    try:
        mailer.send(compose(letter, context))
    except MailError as error:
        status = f"{UNKNOWN if error.delivered_maybe else FAILED}: {error}"
        report.problem(place, f"{letter.describe()}: {status}")
        report.count("letters_failed")
    else:
        status = SENT
    stamp = context.now.strftime("%d.%m.%Y %H:%M")
    writes = []
    for row, identity in placed:
        anchor = _anchor(columns, identity)
        writes += [_cell(columns, row, "status", status, anchor), _cell(columns, row, "time", stamp, anchor)]
    try:
        report.cells_written += sheet.write(writes).written
    except BackendError as error:
        log.debug("status of a letter not recorded", exc_info=True)
        report.problem(
            place,
            f"письмо {'отправлено' if status == SENT else 'не отправлено'}, но отметка на листе "
            f"«{MAILINGS.name}» не записана ({error}); следующий запуск покажет его как "
            f"прерванное и не отправит повторно без --resend",
        )
    return status == SENT


def _anchor(columns: dict[str, int], identity: Sequence[str]) -> tuple[tuple[int, str], ...]:
    keys = ("to", "meeting", "decision", "reason")
    return tuple((columns[key], value) for key, value in zip(keys, identity, strict=True))


def _cell(
    columns: dict[str, int], row: int, key: str, value: str, anchor: tuple[tuple[int, str], ...] = ()
) -> CellWrite:
    header = next(c.header for c in MAILINGS.columns if c.key == key)
    return CellWrite(MAILINGS.name, row, columns[key], value, header, anchor=anchor)


def mail_context(
    config: Config,
    sheet: SheetBackend,
    parsed: ParsedSheet,
    meetings: list[Meeting],
    fresh: Mapping[str, ProtocolLink | None],
    now: dt.datetime,
) -> MailContext:
    sender = config.mail.from_address or (config.mail.username if "@" in config.mail.username else "")
    return MailContext(
        sender,
        config.organisation,
        sheet_location(config, sheet),
        now,
        protocol_links(parsed, meetings, fresh),
    )
