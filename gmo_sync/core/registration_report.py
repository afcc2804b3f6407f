"""«Лист регистрации участников заседания»: a printable sheet to sign, one per meeting.

Who is listed: for a held meeting with «присутствовал» marks, those marked (the sheet
then records who came); otherwise — a planned meeting, or a held one nobody marked —
everyone on «Участники», so the sheet can go round the room. Names are in alphabetical
order, and a few numbered blank rows follow for guests. A cancelled meeting gets none.
"""

from __future__ import annotations

from gmo_sync.core.documents import DocumentSpec, base_context
from gmo_sync.core.model import Meeting, MeetingStatus, Participant, id_key
from gmo_sync.core.parsing import normalize_text
from gmo_sync.core.problems import Problem
from gmo_sync.core.reports import DocumentRequest
from gmo_sync.core.schema import MEETINGS
from gmo_sync.rendering import date_in_words, glued_numbers

KIND = "attendance"
TITLE = "Лист регистрации участников заседания"
BLANK_ROWS = 3  # for guests and people not yet on «Участники»


def meeting_facts(meeting: Meeting) -> dict[str, object]:
    """The meeting as a document heading names it."""
    start = meeting.start.strftime("%H:%M") if meeting.start else ""
    end = meeting.end.strftime("%H:%M") if meeting.end else ""
    return {
        "id": meeting.id,
        "тема": meeting.topic,
        "дата": meeting.date.strftime("%d.%m.%Y"),
        "дата_прописью": date_in_words(meeting.date),
        "время": f"{start}–{end}" if start and end else start,
        "формат": meeting.format.value if meeting.format else "",
        "место_или_ссылка": meeting.place,
        "номер_протокола": meeting.protocol_number if meeting.protocol_number is not None else "",
        "статус": meeting.status.value,
    }


def _row(person: Participant | None, name: str) -> dict[str, object]:
    return {
        "фио": person.name if person else name,
        "должность": person.position if person else "",
        "организация": glued_numbers(person.organisation) if person else "",
    }


def build_registration(request: DocumentRequest, meeting_id: str) -> list[DocumentSpec]:
    meeting = next((m for m in request.meetings if id_key(m.id) == id_key(meeting_id)), None)
    if meeting is None:
        request.problems.append(Problem(MEETINGS.name, f"заседание с ID «{meeting_id}» не найдено"))
        return []
    if meeting.status == MeetingStatus.CANCELLED:
        place = f"{MEETINGS.name}!{meeting.row}"
        request.problems.append(Problem(place, f"заседание {meeting.id} отменено: лист регистрации не нужен"))
        return []
    marked = meeting.status == MeetingStatus.HELD and bool(meeting.present)
    if marked:
        rows = [_row(m.participant, m.name) for m in meeting.present]
    else:
        rows = [_row(p, p.name) for p in request.people.participants]
    rows.sort(key=lambda r: normalize_text(str(r["фио"])))
    for number, row in enumerate(rows, 1):
        row["номер"] = number
    context = base_context(request.config, request.today)
    context.update(meeting_facts(meeting))
    context.update({
        "заголовок": TITLE,
        "участники_заседания": rows,
        "пустые_строки": list(range(len(rows) + 1, len(rows) + 1 + BLANK_ROWS)),
        "по_отметкам": marked,  # listed from «Присутствие» (a held meeting), not from «Участники»
    })  # fmt: skip
    name = f"{meeting.date:%Y-%m-%d} Лист регистрации"
    return [DocumentSpec(f"{KIND}:{meeting.id}", KIND, name, context)]
