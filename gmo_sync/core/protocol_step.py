"""The protocols step of a run: render and store what the plan says, collect the links."""

from __future__ import annotations

from collections.abc import Callable

from gmo_sync.core.ports import ProtocolLink, ProtocolStore, StoredProtocol
from gmo_sync.core.problems import BackendError
from gmo_sync.core.protocols import ProtocolAction, ProtocolPlan
from gmo_sync.core.reading import id_key
from gmo_sync.core.report import RunReport
from gmo_sync.core.schema import MEETINGS
from gmo_sync.rendering import render_protocol

Progress = Callable[[str, int, int], None]  # (step, done, total): the CLI draws it on a terminal only

KIND_COUNTS = {
    ProtocolAction.CREATE: "created",
    ProtocolAction.UPDATE: "updated",
    ProtocolAction.SKIP: "skipped",
    ProtocolAction.KEEP: "unchanged",
}


def count_protocol_plans(report: RunReport, plans: list[ProtocolPlan]) -> None:
    for plan in plans:
        report.count(KIND_COUNTS[plan.action])


def apply_protocols(
    plans: list[ProtocolPlan],
    store: ProtocolStore,
    template: tuple[str, bytes],
    report: RunReport,
    *,
    pdf: bool = False,
    progress: Progress | None = None,
) -> dict[str, ProtocolLink]:
    """Create/update documents; a failure of one document is that meeting's problem, not the run's."""
    links: dict[str, ProtocolLink] = {}
    work = sum(p.action in (ProtocolAction.CREATE, ProtocolAction.UPDATE) for p in plans)
    done = 0
    for plan in plans:
        stored: StoredProtocol | None = plan.existing
        place = f"{MEETINGS.name}!{plan.meeting.row}"
        if plan.action in (ProtocolAction.CREATE, ProtocolAction.UPDATE):
            content = render_protocol(template[1], plan.context, template_name=template[0])
            try:
                stored = store.save(plan.meeting.id, plan.name, content, plan.input_hash, plan.existing)
            except BackendError as error:
                report.problem(place, str(error))
                report.count("failed")
                continue
            done += 1
            if progress is not None:
                progress("Протоколы", done, work)
            verb = "создан" if plan.action == ProtocolAction.CREATE else "обновлён"
            report.lines.append(f"{verb} протокол «{stored.name}» (заседание {plan.meeting.id})")
        elif plan.action == ProtocolAction.SKIP:
            report.lines.append(plan.describe())
            if plan.existing is not None and plan.existing.edited_by_hand:
                report.problem(place, plan.describe())
        report.count(KIND_COUNTS[plan.action])
        if stored is not None:
            links[id_key(plan.meeting.id)] = store.link(stored)
            # a skipped hand-edited document gets no fresh PDF either: the person may not be done
            if pdf and plan.action != ProtocolAction.SKIP:
                _export_pdf(store, stored, place, report)
    return links


def _export_pdf(store: ProtocolStore, stored: StoredProtocol, place: str, report: RunReport) -> None:
    try:
        name = store.export_pdf(stored)
    except BackendError as error:
        report.problem(place, str(error))
        return
    if name is not None:
        report.lines.append(f"PDF «{name}»")
        report.count("pdf")
