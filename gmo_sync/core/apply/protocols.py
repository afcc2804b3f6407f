"""The protocols step of a run: render and store what the plan says, collect the links."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed

from gmo_sync.core.actions import Action, Status
from gmo_sync.core.model import id_key
from gmo_sync.core.plan.protocols import ProtocolAction, ProtocolPlan, ProtocolStep, pdf_action
from gmo_sync.core.ports import ProtocolLink, ProtocolStore, StoredProtocol
from gmo_sync.core.problems import BackendError, StepError
from gmo_sync.core.report import RunReport
from gmo_sync.core.schema import MEETINGS
from gmo_sync.rendering import compile_template
from gmo_sync.rendering.pool import render_many

Progress = Callable[[str, int, int], None]  # (step, done, total): the CLI draws it on a terminal only


def apply_protocols(
    step: ProtocolStep,
    store: ProtocolStore,
    template: tuple[str, bytes],
    report: RunReport,
    *,
    progress: Progress | None = None,
) -> tuple[dict[str, ProtocolLink], list[Action]]:
    """Create/update documents; a failure of one document is that meeting's problem, not the run's.

    Returns the links to write back (by ``id_key``) and the step's planned actions, each done or failed.
    """
    saved = _render_and_save([p for p in step.plans if p.writes], store, template, progress)
    links: dict[str, ProtocolLink] = {}
    actions: list[Action] = []
    for index, plan in enumerate(step.plans):
        stored: StoredProtocol | None = plan.existing
        place = f"{MEETINGS.name}!{plan.meeting.row}"
        action = plan.as_action()
        if plan.writes:
            outcome = saved[id(plan)]
            if isinstance(outcome, BackendError):
                report.problem(place, str(outcome))
                actions.append(action.with_status(Status.FAILED))  # type: ignore[union-attr]
                if index in step.pdf:
                    actions.append(pdf_action(plan).with_status(Status.FAILED))
                continue
            stored = outcome
        if action is not None:
            actions.append(action.with_status(Status.DONE))
            if (
                plan.action == ProtocolAction.SKIP
                and plan.existing is not None
                and plan.existing.edited_by_hand
            ):
                report.problem(place, plan.describe())
        if stored is not None:
            links[id_key(plan.meeting.id)] = store.link(stored)
            if index in step.pdf:
                actions.append(_export_pdf(store, stored, plan, place, report))
    return links, actions


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


def _export_pdf(store: ProtocolStore, stored: StoredProtocol, plan: ProtocolPlan, place: str,
                report: RunReport) -> Action:  # fmt: skip
    planned = pdf_action(plan)
    try:
        name = store.export_pdf(stored)
    except BackendError as error:
        report.problem(place, str(error))
        return planned.with_status(Status.FAILED)
    name = name or f"{stored.name}.pdf"  # current after all (made by another run meanwhile): nothing to do
    return planned.with_status(Status.DONE, target=name, done_text=f"PDF «{name}»")
