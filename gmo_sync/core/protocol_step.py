"""The protocols step of a run: render and store what the plan says, collect the links."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed

from gmo_sync.core.ports import ProtocolLink, ProtocolStore, StoredProtocol
from gmo_sync.core.problems import BackendError, StepError
from gmo_sync.core.protocols import ProtocolAction, ProtocolPlan
from gmo_sync.core.reading import id_key
from gmo_sync.core.report import RunReport
from gmo_sync.core.schema import MEETINGS
from gmo_sync.rendering import compile_template
from gmo_sync.rendering.pool import render_many

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
    saved = _render_and_save([p for p in plans if p.action in (ProtocolAction.CREATE, ProtocolAction.UPDATE)],
                             store, template, progress)  # fmt: skip
    links: dict[str, ProtocolLink] = {}
    for plan in plans:
        stored: StoredProtocol | None = plan.existing
        place = f"{MEETINGS.name}!{plan.meeting.row}"
        if plan.action in (ProtocolAction.CREATE, ProtocolAction.UPDATE):
            outcome = saved[id(plan)]
            if isinstance(outcome, BackendError):
                report.problem(place, str(outcome))
                continue
            stored = outcome
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


def _render_and_save(
    work: list[ProtocolPlan], store: ProtocolStore, template: tuple[str, bytes], progress: Progress | None
) -> dict[int, StoredProtocol | BackendError]:
    """Render and store each document from the template compiled once.

    A remote store gets a few uploads in flight at once: they wait on the network, not the CPU, so a
    handful of threads cut a large first run's wall time several-fold. A local store (concurrency 1)
    renders on every CPU (worker processes for large runs) and saves the documents here, one by one
    in plan order, so the files are written in the same order with the same bytes either way.
    """
    compiled = compile_template(template[1], template_name=template[0])
    results: dict[int, StoredProtocol | BackendError] = {}

    def save(plan: ProtocolPlan, content: bytes) -> StoredProtocol | BackendError:
        try:
            return store.save(plan.meeting.id, plan.name, content, plan.input_hash, plan.existing)
        except StepError:
            raise  # the folder itself failed: one sentence for the step, not one per meeting
        except BackendError as error:
            return error

    workers = max(1, getattr(store, "concurrency", 1))
    if workers == 1 or len(work) < 2:
        jobs = [
            (plan.context, store.stamp(plan.meeting.id, plan.input_hash, plan.name, plan.existing))
            for plan in work
        ]
        documents = render_many(compiled, template[1], jobs)
        for done, (plan, content) in enumerate(zip(work, documents, strict=True), 1):
            results[id(plan)] = save(plan, content)
            if progress is not None:
                progress("Протоколы", done, len(work))
        return results

    def make(plan: ProtocolPlan) -> StoredProtocol | BackendError:
        return save(
            plan,
            compiled.render(
                plan.context, store.stamp(plan.meeting.id, plan.input_hash, plan.name, plan.existing)
            ),
        )

    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="protocols")
    try:
        futures = {pool.submit(make, plan): plan for plan in work}
        for done, future in enumerate(as_completed(futures), 1):
            results[id(futures[future])] = future.result()  # a run-stopping error is raised here
            if progress is not None:
                progress("Протоколы", done, len(work))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)  # after a run-stopping error, start nothing new
    return results


def _export_pdf(store: ProtocolStore, stored: StoredProtocol, place: str, report: RunReport) -> None:
    try:
        name = store.export_pdf(stored)
    except BackendError as error:
        report.problem(place, str(error))
        return
    if name is not None:
        report.lines.append(f"PDF «{name}»")
        report.count("pdf")
