"""Plan the protocol documents: which to create, which to re-render, which to leave alone.

A content hash of the template variables plus the template itself decides whether
a protocol must be rendered again, so cosmetic sheet edits («14-00» → «14:00»)
cause no writes. The store finds existing protocols by meeting ID, not by link,
so a cleared link cell or a crash before write-back never makes a second one.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from enum import StrEnum

from gmo_sync.core.actions import Action, Kind
from gmo_sync.core.carry_over import VARIABLE as CARRY_OVER
from gmo_sync.core.carry_over import CarryOver
from gmo_sync.core.model import Meeting, MeetingStatus, id_key
from gmo_sync.core.ports import ProtocolLink, ProtocolStore, StoredProtocol
from gmo_sync.core.schema import MEETINGS
from gmo_sync.rendering import protocol_context, template_fingerprint

# Columns the tool itself writes: they are not facts of the meeting, and keeping them
# out of the hash stops a link written back from triggering a re-render next run.
_TOOL_HEADERS = {c.header for c in MEETINGS.columns if c.tool and c.key not in ("id", "number")}


class ProtocolAction(StrEnum):
    CREATE = "создать"
    UPDATE = "обновить"
    SKIP = "пропустить"
    KEEP = "без изменений"


@dataclass(frozen=True)
class ProtocolPlan:
    action: ProtocolAction
    meeting: Meeting
    name: str  # document name, without extension
    input_hash: str
    context: dict[str, object]
    existing: StoredProtocol | None
    reason: str = ""

    def describe(self) -> str:
        label = f"«{self.name}» (заседание {self.meeting.id})"
        if self.action == ProtocolAction.SKIP:
            return f"пропустить протокол {label}: {self.reason}"
        if self.action == ProtocolAction.KEEP:
            return f"протокол {label} без изменений"
        return f"{self.action} протокол {label}"

    @property
    def writes(self) -> bool:
        return self.action in (ProtocolAction.CREATE, ProtocolAction.UPDATE)

    def as_action(self) -> Action | None:
        """The plan as one action of the run's list; KEEP is none (nothing happens)."""
        if self.action == ProtocolAction.KEEP:
            return None
        label = f"«{self.name}» (заседание {self.meeting.id})"
        if self.action == ProtocolAction.SKIP:
            return Action(Kind.PROTOCOL_SKIP, self.meeting.id, self.name, planned=self.describe())
        kind, done = {
            ProtocolAction.CREATE: (Kind.PROTOCOL_CREATE, "создан"),
            ProtocolAction.UPDATE: (Kind.PROTOCOL_UPDATE, "обновлён"),
        }[self.action]
        return Action(
            kind, self.meeting.id, self.name, planned=self.describe(), done_text=f"{done} протокол {label}"
        )


@dataclass
class ProtocolStep:
    """Everything the protocols step will do: documents, PDF copies, and the links to write back."""

    plans: list[ProtocolPlan]
    links: dict[str, ProtocolLink | None] = field(default_factory=dict)  # by id_key; None: known after save
    pdf: set[int] = field(default_factory=set)  # indexes into ``plans`` whose PDF copy is (re)made

    def actions(self) -> list[Action]:
        actions: list[Action] = []
        for index, plan in enumerate(self.plans):
            action = plan.as_action()
            if action is not None:
                actions.append(action)
            if index in self.pdf:
                actions.append(pdf_action(plan))
        return actions


def pdf_action(plan: ProtocolPlan) -> Action:
    return Action(
        Kind.PROTOCOL_PDF, plan.meeting.id, f"{plan.name}.pdf", planned=f"сохранить PDF «{plan.name}.pdf»"
    )


def plan_protocol_step(plans: list[ProtocolPlan], store: ProtocolStore, *, pdf: bool) -> ProtocolStep:
    """Add to the plans what follows from them: the link each meeting's cell will get, the PDFs to make."""
    step = ProtocolStep(plans)
    for index, plan in enumerate(plans):
        key = id_key(plan.meeting.id)
        if plan.writes:
            step.links[key] = store.planned_link(plan.meeting.id, plan.name, plan.existing)
        elif plan.existing is not None:
            step.links[key] = store.link(plan.existing)
        # a skipped hand-edited document gets no fresh PDF either: the person may not be done
        kept = plan.action == ProtocolAction.KEEP and plan.existing is not None
        if pdf and (plan.writes or (kept and not store.pdf_current(plan.existing))):  # type: ignore[arg-type]
            step.pdf.add(index)
    return step


def protocol_name(meeting: Meeting) -> str:
    return f"{meeting.date:%Y-%m-%d} Протокол № {meeting.protocol_number}"


def meeting_context(meeting: Meeting, organisation: str, city: str) -> dict[str, object]:
    extra = {h: v for h, v in meeting.extra.items() if h not in _TOOL_HEADERS}
    # The link cells are the tool's; the template sees the meeting's facts only.
    visible = Meeting(**{**meeting.__dict__, "extra": extra})
    return protocol_context(visible, organisation=organisation, city=city)


def content_hash(context: dict[str, object], template: bytes) -> str:
    return _content_hash(context, template_fingerprint(template))


def _content_hash(context: dict[str, object], fingerprint: str) -> str:
    payload = json.dumps(context, sort_keys=True, ensure_ascii=False, default=str)
    digest = hashlib.sha256(payload.encode("utf-8"))
    digest.update(fingerprint.encode())
    return digest.hexdigest()[:32]


def plan_protocols(
    meetings: list[Meeting],
    existing: dict[str, StoredProtocol],
    template: bytes,
    *,
    organisation: str,
    city: str,
    only: str | None = None,
    force: bool = False,
) -> list[ProtocolPlan]:
    plans = []
    stored_by_key = {id_key(k): v for k, v in existing.items()}
    fingerprint = template_fingerprint(template)  # once, not once per meeting
    carry_over = CarryOver(meetings)
    for meeting in meetings:
        if only is not None and id_key(meeting.id) != id_key(only):
            continue
        if meeting.status != MeetingStatus.HELD:
            if only is not None:
                reason = (
                    "заседание отменено"
                    if meeting.status == MeetingStatus.CANCELLED
                    else ("заседание ещё не проведено (статус «запланировано»)")
                )
                plans.append(ProtocolPlan(ProtocolAction.SKIP, meeting, meeting.id, "", {}, None, reason))
            continue
        if meeting.protocol_number is None:
            plans.append(
                ProtocolPlan(ProtocolAction.SKIP, meeting, meeting.id, "", {}, None, "нет номера протокола")
            )
            continue
        context = meeting_context(meeting, organisation, city)
        context[CARRY_OVER] = carry_over.before(meeting)
        digest = _content_hash(context, fingerprint)
        name = protocol_name(meeting)
        stored = stored_by_key.get(id_key(meeting.id))
        plans.append(_decide(meeting, name, digest, context, stored, force))
    return plans


def _decide(
    meeting: Meeting,
    name: str,
    digest: str,
    context: dict[str, object],
    stored: StoredProtocol | None,
    force: bool,
) -> ProtocolPlan:
    if stored is None:
        return ProtocolPlan(ProtocolAction.CREATE, meeting, name, digest, context, None)
    if stored.edited_by_hand and not force:
        reason = "документ изменён вручную после создания; чтобы перезаписать, запустите с --force"
        return ProtocolPlan(ProtocolAction.SKIP, meeting, name, digest, context, stored, reason)
    if stored.input_hash == digest and stored.name == name and not stored.edited_by_hand:
        return ProtocolPlan(ProtocolAction.KEEP, meeting, name, digest, context, stored)
    return ProtocolPlan(ProtocolAction.UPDATE, meeting, name, digest, context, stored)
