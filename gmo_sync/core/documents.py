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

from gmo_sync.core.config import Config
from gmo_sync.core.ports import DocumentStore, ProtocolLink, StoredDocument
from gmo_sync.core.problems import BackendError
from gmo_sync.core.protocols import content_hash
from gmo_sync.core.report import RunReport
from gmo_sync.rendering import date_in_words, render_protocol

DOCUMENTS = "документы"  # the step's name in reports and messages


class DocumentAction(StrEnum):
    CREATE = "создать"
    UPDATE = "обновить"
    SKIP = "пропустить"
    KEEP = "без изменений"


COUNTS = {
    DocumentAction.CREATE: "documents_created",
    DocumentAction.UPDATE: "documents_updated",
    DocumentAction.SKIP: "documents_skipped",
    DocumentAction.KEEP: "documents_unchanged",
}


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
    return {
        "организация": config.organisation,
        "город": config.city.removeprefix("г.").strip(),
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


def count_plans(report: RunReport, plans: list[DocumentPlan]) -> None:
    for plan in plans:
        report.count(COUNTS[plan.action])


def apply_documents(
    plans: list[DocumentPlan],
    store: DocumentStore,
    templates: dict[str, tuple[str, bytes]],
    report: RunReport,
    *,
    pdf: bool = False,
) -> dict[str, ProtocolLink]:
    """Render and store what the plan says; one document's failure is its own problem. Links by key."""
    links: dict[str, ProtocolLink] = {}
    for plan in plans:
        stored = plan.existing
        place = f"Документ «{plan.spec.name}»"
        if plan.action in (DocumentAction.CREATE, DocumentAction.UPDATE):
            name, template = templates[plan.spec.kind]
            content = render_protocol(template, plan.spec.context, template_name=name)
            try:
                stored = store.save(plan.spec.key, plan.spec.name, content, plan.input_hash, plan.existing)
            except BackendError as error:
                report.problem(place, str(error))
                report.count("documents_failed")
                continue
        report.count(COUNTS[plan.action])
        if stored is None:
            continue
        link = store.link(stored)
        links[plan.spec.key] = link
        verb = {DocumentAction.CREATE: "создан", DocumentAction.UPDATE: "обновлён"}.get(plan.action)
        if verb:
            report.lines.append(f"{verb} документ «{stored.name}»: {link.text}")
        elif plan.action == DocumentAction.KEEP:
            report.lines.append(f"документ «{stored.name}» без изменений: {link.text}")
        else:
            report.lines.append(plan.describe())
            report.problem(place, plan.reason)
        if pdf and plan.action != DocumentAction.SKIP:
            try:
                made = store.export_pdf(stored)
            except BackendError as error:
                report.problem(place, str(error))
                continue
            if made is not None:
                report.lines.append(f"PDF «{made}»")
                report.count("pdf")
    return links
