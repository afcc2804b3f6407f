"""Documents other than protocols — reports, extracts — made from templates and kept like protocols.

A document is a template kind plus a context: ``DocumentSpec``. Each has a stable key,
so the store finds it again and updates it in place; a content hash of the context and
the template decides whether it must be rendered again, so an unchanged report is not
rewritten. A document edited by hand after gmo-sync wrote it is left alone without
``--force``, as protocols are. Plan first (``plan_documents``), then apply.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from gmo_sync.core.actions import Action, Kind, Status
from gmo_sync.core.config import Config
from gmo_sync.core.plan.protocols import content_hash
from gmo_sync.core.ports import DocumentStore, ProtocolLink, StoredDocument
from gmo_sync.core.problems import BackendError
from gmo_sync.core.report import RunReport
from gmo_sync.rendering import city_genitive, date_in_words, render_protocol

DOCUMENTS = "документы"  # the step's name in reports and messages


class DocumentAction(StrEnum):
    CREATE = "создать"
    UPDATE = "обновить"
    SKIP = "пропустить"
    KEEP = "без изменений"


@dataclass(frozen=True)
class DocumentSpec:
    key: str  # stable identity in the store
    kind: str  # the template: «decisions», «extract»
    name: str  # file / document name, without extension
    context: dict[str, object]


@dataclass(frozen=True)
class DocumentPlan:
    action: DocumentAction
    spec: DocumentSpec
    input_hash: str
    existing: StoredDocument | None
    reason: str = ""

    def describe(self) -> str:
        label = f"документ «{self.spec.name}»"
        if self.action == DocumentAction.SKIP:
            return f"пропустить {label}: {self.reason}"
        if self.action == DocumentAction.KEEP:
            return f"{label} без изменений"
        return f"{self.action} {label}"


def base_context(config: Config, today: dt.date) -> dict[str, object]:
    """What every document template can use besides its own data."""
    city = config.city.removeprefix("г.").strip()
    return {
        "организация": config.organisation,
        "город": city,
        "город_родительный": city_genitive(city),  # «…работников школ г. Красноярска»
        "дата_составления": today.strftime("%d.%m.%Y"),
        "дата_составления_прописью": date_in_words(today),
    }


def plan_documents(
    specs: list[DocumentSpec], store: DocumentStore, templates: dict[str, tuple[str, bytes]], *, force: bool
) -> list[DocumentPlan]:
    plans = []
    for spec in specs:
        digest = content_hash(spec.context, templates[spec.kind][1])
        stored = store.find(spec.key)
        if stored is None:
            plans.append(DocumentPlan(DocumentAction.CREATE, spec, digest, None))
        elif stored.edited_by_hand and not force:
            reason = "документ изменён вручную после создания; чтобы перезаписать, запустите с --force"
            plans.append(DocumentPlan(DocumentAction.SKIP, spec, digest, stored, reason))
        elif stored.input_hash == digest and stored.name == spec.name and not stored.edited_by_hand:
            plans.append(DocumentPlan(DocumentAction.KEEP, spec, digest, stored))
        else:
            plans.append(DocumentPlan(DocumentAction.UPDATE, spec, digest, stored))
    return plans


DOCUMENT_KINDS = {DocumentAction.CREATE: (Kind.DOCUMENT_CREATE, "создан"),
                  DocumentAction.UPDATE: (Kind.DOCUMENT_UPDATE, "обновлён"),
                  DocumentAction.SKIP: (Kind.DOCUMENT_SKIP, ""),
                  DocumentAction.KEEP: (Kind.DOCUMENT_KEEP, "")}  # fmt: skip


def plan_actions(plans: list[DocumentPlan], store: DocumentStore, *, pdf: bool) -> list[Action]:
    """The plans as the run's actions: each document, and its PDF copy where one is (re)made."""
    actions: list[Action] = []
    for plan in plans:
        actions.append(_document_action(plan, store))
        if pdf and _wants_pdf(plan, store):
            actions.append(_pdf_action(plan))
    return actions


def _wants_pdf(plan: DocumentPlan, store: DocumentStore) -> bool:
    if plan.action in (DocumentAction.CREATE, DocumentAction.UPDATE):
        return True
    # a skipped hand-edited document gets no fresh PDF: the person may not be done
    return (
        plan.action == DocumentAction.KEEP
        and plan.existing is not None
        and not store.pdf_current(plan.existing)
    )


def _document_action(plan: DocumentPlan, store: DocumentStore, link: ProtocolLink | None = None) -> Action:
    kind, done = DOCUMENT_KINDS[plan.action]
    name = plan.spec.name
    if plan.action == DocumentAction.KEEP and plan.existing is not None:
        text = f"документ «{name}» без изменений: {store.link(plan.existing).text}"
        return Action(kind, "", name, planned=text)
    done_text = f"{done} документ «{name}»: {link.text}" if done and link is not None else ""
    return Action(kind, "", name, planned=plan.describe(), done_text=done_text)


def _pdf_action(plan: DocumentPlan) -> Action:
    return Action(
        Kind.DOCUMENT_PDF, "", f"{plan.spec.name}.pdf", planned=f"сохранить PDF «{plan.spec.name}.pdf»"
    )


def apply_documents(
    plans: list[DocumentPlan],
    store: DocumentStore,
    templates: dict[str, tuple[str, bytes]],
    report: RunReport,
    *,
    pdf: bool = False,
) -> dict[str, ProtocolLink]:
    """Render and store what the plan says; one document's failure is its own problem. Links by key.

    Reports the same actions ``plan_actions`` lists for the dry run, each done or failed.
    """
    links: dict[str, ProtocolLink] = {}
    for plan in plans:
        stored = plan.existing
        place = f"Документ «{plan.spec.name}»"
        wants_pdf = pdf and _wants_pdf(plan, store)
        if plan.action in (DocumentAction.CREATE, DocumentAction.UPDATE):
            name, template = templates[plan.spec.kind]
            content = render_protocol(template, plan.spec.context, template_name=name)
            try:
                stored = store.save(plan.spec.key, plan.spec.name, content, plan.input_hash, plan.existing)
            except BackendError as error:
                report.problem(place, str(error))
                report.actions.append(_document_action(plan, store).with_status(Status.FAILED))
                if wants_pdf:
                    report.actions.append(_pdf_action(plan).with_status(Status.FAILED))
                continue
        if stored is None:
            continue
        link = store.link(stored)
        links[plan.spec.key] = link
        report.actions.append(_document_action(plan, store, link).with_status(Status.DONE))
        if plan.action == DocumentAction.SKIP:
            report.problem(place, plan.reason)
        if wants_pdf:
            try:
                made = store.export_pdf(stored) or f"{stored.name}.pdf"
            except BackendError as error:
                report.problem(place, str(error))
                report.actions.append(_pdf_action(plan).with_status(Status.FAILED))
                continue
            report.actions.append(
                _pdf_action(plan).with_status(Status.DONE, target=made, done_text=f"PDF «{made}»")
            )
    return links
