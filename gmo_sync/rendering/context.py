"""The variables a protocol template sees: the contract between the sheet and templates.

Coordinators write templates against these names, so they are part of the
user-facing contract (documented in Russian in ``docs/templates.md``); rename
nothing without keeping the old name.

Meeting-level variables
    Every column of the «Заседания» row, by ``variable_name(header)`` — a
    coordinator's own column «Мой столбец» is ``мой_столбец`` — holding the
    cell's display text. ``столбцы`` maps the original headers to the same
    text (for headers that do not make a valid name, e.g. «2 этап»).
    Parsed values then override the raw text:

    ``номер_протокола`` int or "" · ``дата`` "13.10.2021" · ``дата_прописью``
    "13 октября 2021 г." · ``начало`` / ``окончание`` "14:00" or "" ·
    ``время`` "14:00" or "14:00–15:30" · ``формат`` "онлайн" / "очно" /
    "смешанный" / "" · ``место_или_ссылка`` · ``тема`` · ``ведущие`` ·
    ``председатель`` · ``секретарь`` · ``председатель_подпись`` /
    ``секретарь_подпись`` "Т.Ю. Попыхова" · ``участники`` · ``присутствовало``
    int or "" · ``присутствовало_человек`` "13 человек" or "" · ``статус`` ·
    ``организация`` · ``город`` (without «г.») · ``город_родительный`` («Красноярска») · ``id``.

Lists (sorted by ``номер``)
    ``повестка``: {номер, вопрос, докладчик, выступления, решения} — the
    speeches and decisions whose «Вопрос повестки» is that item;
    ``выступления``: {номер, докладчик, содержание, вопрос_повестки};
    ``решения``: {номер, решение, ответственный, срок, статус, отметка};
    ``выступления_без_вопроса`` / ``решения_без_вопроса``: those not tied to
    an agenda item.

Every value is plain data (str, int, list, dict): the engine escapes it and
never evaluates it, so a cell holding ``{{ 7*7 }}`` prints as typed.
"""

from __future__ import annotations

import datetime as dt
import re

from gmo_sync.core.model import AttendanceMark, Decision, Mark, Meeting, Speech
from gmo_sync.core.parsing import normalize_text
from gmo_sync.rendering.words import (
    city_genitive,
    date_in_words,
    glued_numbers,
    people_count,
    signature_name,
    surname_initials,
)

__all__ = ["protocol_context", "variable_name"]

_NON_WORD = re.compile(r"[\W_]+")


def variable_name(header: str) -> str:
    """The template variable for a sheet header: «№ протокола» → ``номер_протокола``.

    Lowercase, ``ё`` → ``е``, ``№`` → ``номер``, every run of other characters
    → ``_``, no leading/trailing ``_``. May be "" for a header with no letters.
    """
    text = header.lower().replace("ё", "е").replace("№", " номер ")
    return _NON_WORD.sub("_", text).strip("_")


def _date(value: dt.date | None) -> str:
    return value.strftime("%d.%m.%Y") if value else ""


def _time(value: dt.time | None) -> str:
    return value.strftime("%H:%M") if value else ""


def _city(city: str) -> str:
    # Configs say «Красноярск» or «г. Красноярск»; templates write «г. {{ город }}».
    return re.sub(r"^\s*г\.?\s+", "", city).strip()


def _speech(speech: Speech) -> dict[str, object]:
    return {
        "номер": speech.number,
        "докладчик": speech.speaker,
        "содержание": speech.content,
        "вопрос_повестки": speech.agenda_number if speech.agenda_number is not None else "",
    }


def _decision(decision: Decision) -> dict[str, object]:
    deadline = decision.deadline
    if deadline is None:
        term = ""
    elif deadline.date is not None:
        term = _date(deadline.date)
    else:
        term = deadline.text
    return {
        "номер": decision.number,
        "решение": decision.text,
        "ответственный": decision.responsible,
        "срок": term,
        "статус": decision.status.value if decision.status else "",
        "отметка": decision.done_note,
        "вопрос_повестки": decision.agenda_number if decision.agenda_number is not None else "",
    }


def _lists(meeting: Meeting) -> dict[str, object]:
    speeches = sorted(meeting.speeches, key=lambda s: s.number)
    decisions = sorted(meeting.decisions, key=lambda d: d.number)
    agenda_numbers = {item.number for item in meeting.agenda}
    agenda = [
        {
            "номер": item.number,
            "вопрос": item.question,
            "докладчик": item.speaker,
            "выступления": [_speech(s) for s in speeches if s.agenda_number == item.number],
            "решения": [_decision(d) for d in decisions if d.agenda_number == item.number],
        }
        for item in sorted(meeting.agenda, key=lambda a: a.number)
    ]
    # A reference to an agenda item that does not exist must not make the
    # speech vanish from the protocol: it is listed with the unattached ones.
    return {
        "повестка": agenda,
        "выступления": [_speech(s) for s in speeches],
        "решения": [_decision(d) for d in decisions],
        "выступления_без_вопроса": [_speech(s) for s in speeches if s.agenda_number not in agenda_numbers],
        "решения_без_вопроса": [_decision(d) for d in decisions if d.agenda_number not in agenda_numbers],
    }


LIST_ATTACHED_ABOVE = 15  # ГОСТ Р 7.0.97-2016, п. 5.24: more present than this → «список прилагается»


def person(mark: AttendanceMark) -> dict[str, object]:
    """A mark's person as templates see them: the «Участники» row when the name was matched."""
    who = mark.participant
    full = who.name if who else mark.name
    return {
        "фио": full,
        "фио_кратко": surname_initials(full),
        "должность": who.position if who else "",
        "организация": glued_numbers(who.organisation) if who else "",  # «№ 2» never split
        "причина": "по уважительной причине" if mark.mark == Mark.EXCUSED else "",
    }


def _alphabetical(people: list[dict[str, object]]) -> list[dict[str, object]]:
    return sorted(people, key=lambda p: normalize_text(str(p["фио_кратко"])))


def _attendance(meeting: Meeting) -> dict[str, object]:
    present = _alphabetical([person(m) for m in meeting.marks if m.mark == Mark.PRESENT])
    absent = _alphabetical([person(m) for m in meeting.marks if m.mark != Mark.PRESENT])
    return {
        "присутствовали": present,
        "отсутствовали": absent,
        "присутствовали_кратко": ", ".join(str(p["фио_кратко"]) for p in present),
        "отсутствовали_кратко": ", ".join(
            f"{p['фио_кратко']} ({p['причина']})" if p["причина"] else str(p["фио_кратко"]) for p in absent
        ),
        "список_прилагается": len(present) > LIST_ATTACHED_ABOVE,
    }


def protocol_context(meeting: Meeting, *, organisation: str, city: str) -> dict[str, object]:
    """Build the template variables for ``meeting`` (see the module docstring for the list)."""
    context: dict[str, object] = {}
    for header, text in meeting.extra.items():
        name = variable_name(header)
        if name:
            context[name] = text
    context["столбцы"] = dict(meeting.extra)

    start, end = _time(meeting.start), _time(meeting.end)
    present = meeting.present_count
    context.update(
        {
            "id": meeting.id,
            "номер_протокола": meeting.protocol_number if meeting.protocol_number is not None else "",
            "дата": _date(meeting.date),
            "дата_прописью": date_in_words(meeting.date),
            "начало": start,
            "окончание": end,
            "время": f"{start}–{end}" if start and end else start,
            "формат": meeting.format.value if meeting.format else "",
            "место_или_ссылка": meeting.place,
            "тема": meeting.topic,
            "ведущие": meeting.hosts,
            "председатель": meeting.chair,
            "секретарь": meeting.secretary,
            "председатель_подпись": signature_name(meeting.chair),
            "секретарь_подпись": signature_name(meeting.secretary),
            "участники": meeting.participants,
            "присутствовало": present if present is not None else "",
            "присутствовало_человек": people_count(present) if present is not None else "",
            "статус": meeting.status.value,
            "организация": organisation,
            "город": _city(city),
            "город_родительный": city_genitive(_city(city)),
        }
    )
    context.update(_lists(meeting))
    context.update(_attendance(meeting))
    return context
