"""The letters themselves: Russian, plain text with a simple HTML alternative.

A reminder addresses the person by name and patronymic («Елена Дмитриевна,
здравствуйте!») when «Участники» has the full name, lists each decision with its
meeting, protocol link and deadline in words («26 ноября 2026 г. — завтра»), and says
how to mark a decision done. The Message-ID is derived from what the letter records,
so a letter sent again with ``--resend`` carries the same ID and mail programs that
already have it show it once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

from gmo_sync.core.model import id_key
from gmo_sync.core.plan.reminders import DIGEST, Letter, Notice
from gmo_sync.rendering import date_in_words, plural

FOOTER = "Это письмо отправлено автоматически программой gmo-sync; отвечать на него не нужно."


@dataclass(frozen=True)
class MailContext:
    sender: str  # «from»; "" lets the server (Gmail) fill it in
    organisation: str
    sheet: str  # where coordinators keep the sheet: its URL, or the workbook's name
    now: dt.datetime
    protocols: dict[str, str] = field(default_factory=dict)  # meeting ID key → protocol link or file


def when(days_left: int) -> str:
    if days_left == 0:
        return "сегодня"
    if days_left == 1:
        return "завтра"
    if days_left > 1:
        return f"через {days_left} {plural(days_left, 'день', 'дня', 'дней')}"
    late = -days_left
    return f"просрочено на {late} {plural(late, 'день', 'дня', 'дней')}"


def _meeting_line(notice: Notice) -> str:
    meeting = notice.meeting
    number = f", протокол № {meeting.protocol_number}" if meeting.protocol_number is not None else ""
    return f"Заседание {meeting.date:%d.%m.%Y}{number}: «{meeting.topic}»"


def _items(notices: list[Notice], context: MailContext, *, responsible: bool) -> list[list[str]]:
    """Each decision as lines of text; the first line is the decision itself."""
    items = []
    for notice in notices:
        lines = [notice.decision.text.strip(), _meeting_line(notice)]
        if responsible and notice.decision.responsible:
            lines.append(f"Ответственный: {notice.decision.responsible}")
        lines.append(f"Срок: {date_in_words(notice.deadline)} — {when(notice.days_left)}")
        link = context.protocols.get(id_key(notice.meeting.id))
        if link:
            lines.append(f"Протокол: {link}")
        items.append(lines)
    return items


def _sections(
    letter: Letter, context: MailContext
) -> tuple[str, str, list[tuple[str, list[list[str]]]], str]:
    """(subject, opening, [(heading, items)], closing)."""
    if letter.kind == DIGEST:
        count = len(letter.notices)
        subject = f"ГМО: просроченные решения — {count} (сводка на {context.now:%d.%m.%Y})"
        opening = (
            f"Здравствуйте!\n\nСводка на {date_in_words(context.now.date())}: просрочено "
            f"{count} {plural(count, 'решение', 'решения', 'решений')} заседаний ГМО."
        )
        closing = f"Статусы решений — в общей таблице: {context.sheet}, лист «Решения»."
        return (
            subject,
            opening,
            [("Просроченные решения", _items(letter.notices, context, responsible=True))],
            closing,
        )
    soon = [n for n in letter.notices if n.days_left >= 0]
    late = [n for n in letter.notices if n.days_left < 0]
    first = min(letter.notices, key=lambda n: n.deadline)
    if len(letter.notices) == 1:
        short = " ".join(first.decision.text.split())
        short = short if len(short) <= 60 else short[:59] + "…"
        subject = (
            f"ГМО: {'срок решения истёк' if late else 'срок решения ' + when(first.days_left)} — «{short}»"
        )
    else:
        count = len(letter.notices)
        subject = f"ГМО: решения, за которые вы отвечаете ({count}), ближайший срок {first.deadline:%d.%m.%Y}"
    hello = f"{letter.greeting}, здравствуйте!" if letter.greeting else "Здравствуйте!"
    opening = f"{hello}\n\nНапоминаем о решениях заседаний ГМО, за выполнение которых вы отвечаете."
    sections = []
    if soon:
        sections.append(("Приближается срок", _items(soon, context, responsible=False)))
    if late:
        sections.append(("Срок истёк", _items(late, context, responsible=False)))
    closing = (
        "Когда решение выполнено, сообщите об этом координатору ГМО или отметьте его в общей таблице "
        f"({context.sheet}): на листе «Решения» в столбце «Статус» выберите «выполнено», а в "
        "«Отметке о выполнении» кратко напишите, что сделано. Тогда напоминания о нём прекратятся."
    )
    return subject, opening, sections, closing


def _plain(
    opening: str, sections: list[tuple[str, list[list[str]]]], closing: str, context: MailContext
) -> str:
    parts = [opening]
    number = 0
    for heading, items in sections:
        lines = [f"{heading}:"]
        for item in items:
            number += 1
            lines.append(f"\n{number}. {item[0]}")
            lines.extend(f"   {line}" for line in item[1:])
        parts.append("\n".join(lines))
    parts += [closing, f"--\n{context.organisation}\n{FOOTER}"]
    return "\n\n".join(parts) + "\n"


def _html(
    opening: str, sections: list[tuple[str, list[list[str]]]], closing: str, context: MailContext
) -> str:
    def para(text: str) -> str:
        return "".join(f"<p>{html.escape(block)}</p>" for block in text.split("\n\n"))

    def line(text: str) -> str:
        if text.startswith("Протокол: "):
            target = text.removeprefix("Протокол: ")
            if target.startswith(("http://", "https://")):
                href = html.escape(target, quote=True)
                return f'Протокол: <a href="{href}">{html.escape(target)}</a>'
        return html.escape(text)

    body = [para(opening)]
    start = 1
    for heading, items in sections:
        body.append(f"<h3>{html.escape(heading)}</h3>")
        rows = "".join(
            f"<li><b>{html.escape(item[0])}</b><br>" + "<br>".join(line(x) for x in item[1:]) + "</li>"
            for item in items
        )
        body.append(f'<ol start="{start}">{rows}</ol>')
        start += len(items)
    body.append(para(closing))
    body.append(f'<p style="color:#666">{html.escape(context.organisation)}<br>{html.escape(FOOTER)}</p>')
    return (
        f'<!DOCTYPE html><html lang="ru"><body style="font-family:sans-serif">{"".join(body)}</body></html>\n'
    )


def message_id(letter: Letter, sender: str) -> str:
    digest = hashlib.sha256(repr((letter.to_cell, letter.rows())).encode("utf-8")).hexdigest()[:24]
    domain = sender.rpartition("@")[2].strip(" >") or "gmo-sync.local"
    return f"<gmo-sync.{digest}@{domain}>"


def compose(letter: Letter, context: MailContext) -> EmailMessage:
    subject, opening, sections, closing = _sections(letter, context)
    message = EmailMessage()
    if context.sender:
        message["From"] = context.sender
    if letter.kind == DIGEST:
        message["To"] = ", ".join(letter.emails)
    else:
        message["To"] = formataddr((letter.to_cell.rpartition(" <")[0], letter.emails[0]))
    message["Subject"] = subject
    message["Date"] = format_datetime(context.now)
    message["Message-ID"] = message_id(letter, context.sender)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: vacation responders stay quiet
    message.set_content(_plain(opening, sections, closing, context))
    message.add_alternative(_html(opening, sections, closing, context), subtype="html")
    return message
