"""«Выписка из протокола»: one agenda item (or one decision) of a held meeting, certified «Верно».

The context is the protocol's own (every variable a protocol template has) plus
``выписка``: the item reproduced — ``вопрос`` (номер, вопрос, докладчик), ``выступления``
and ``решения``, each decision with ``пункт`` numbered as in the ГОСТ protocol («2.1») —
and the certification: ``верно_должность``, ``верно_подпись``, ``дата_составления``.
``--decision N`` reproduces the decision's item with that decision only; a decision tied
to no item is reproduced alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from gmo_sync.core.documents import DocumentSpec, base_context
from gmo_sync.core.model import MeetingStatus, id_key
from gmo_sync.core.plan.protocols import meeting_context
from gmo_sync.core.problems import Problem
from gmo_sync.core.reports import DocumentRequest
from gmo_sync.core.schema import MEETINGS

KIND = "extract"


@dataclass(frozen=True)
class ExtractQuery:
    meeting_id: str
    item: int | None = None
    decision: int | None = None


def build_extract(request: DocumentRequest, query: ExtractQuery) -> list[DocumentSpec]:
    meeting = next((m for m in request.meetings if id_key(m.id) == id_key(query.meeting_id)), None)
    if meeting is None:
        request.problems.append(Problem(MEETINGS.name, f"заседание с ID «{query.meeting_id}» не найдено"))
        return []
    place = f"{MEETINGS.name}!{meeting.row}"
    if meeting.status != MeetingStatus.HELD or meeting.protocol_number is None:
        held = meeting.status == MeetingStatus.HELD
        why = "у него нет номера протокола" if held else "заседание не проведено"
        request.problems.append(Problem(place, f"выписку из протокола сделать нельзя: {why}"))
        return []
    context = meeting_context(meeting, request.config.organisation, request.config.city)
    agenda: list[dict] = context["повестка"]  # type: ignore[assignment]
    if query.item is not None:
        item = next((i for i in agenda if i["номер"] == query.item), None)
        if item is None:
            missing = f"в повестке заседания {meeting.id} нет вопроса № {query.item}"
            request.problems.append(Problem(place, missing))
            return []
        decisions, speeches, what = item["решения"], item["выступления"], f"вопрос {query.item}"
    else:
        decisions_all: list[dict] = context["решения"]  # type: ignore[assignment]
        decision = next((d for d in decisions_all if d["номер"] == query.decision), None)
        if decision is None:
            missing = f"у заседания {meeting.id} нет решения № {query.decision}"
            request.problems.append(Problem(place, missing))
            return []
        item = next((i for i in agenda if i["номер"] == decision["вопрос_повестки"]), None)
        decisions, what = [decision], f"решение {query.decision}"
        speeches = item["выступления"] if item else []
    numbered = []
    for decision in decisions:
        index = [d["номер"] for d in item["решения"]].index(decision["номер"]) + 1 if item else 0
        numbered.append({**decision, "пункт": f"{item['номер']}.{index}" if item else str(decision["номер"])})
    context.update(base_context(request.config, request.today))
    context["выписка"] = {
        "вопрос": {k: item[k] for k in ("номер", "вопрос", "докладчик")} if item else None,
        "выступления": speeches,
        "решения": numbered,
        "что": what,
    }
    context["верно_должность"] = "Секретарь"  # ГОСТ Р 7.0.97, п. 5.26: who certifies the copy
    context["верно_подпись"] = context.get("секретарь_подпись", "")
    name = f"Выписка из протокола № {meeting.protocol_number} от {meeting.date:%d.%m.%Y}, {what}"
    key = f"{KIND}:{meeting.id}:{what}"
    return [DocumentSpec(key, KIND, name, context)]
