"""The actions a run plans and then carries out: one list, the same for ``--dry-run`` and the run.

Every effect of a run is an ``Action`` — a document written, an event changed, a cell set (link
write-backs included) — so the dry run can print exactly what the run will then report, and
``--json`` can hand scripts objects instead of sentences. The kinds are documented for scripts in
``docs/json.md``; their names are a contract: add new ones, never rename.

Not listed as actions: «Синхронизировано» stamps and the «Журнал» row. They accompany every
write and are counted in ``cells``, but they say nothing a person or a script would act on.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any


class Kind(StrEnum):
    SHEET_REPAIR = "sheet.repair"  # a tab or header of the tool's own, deleted by someone, put back
    SHEET_ID = "sheet.id"  # a blank meeting ID filled
    SHEET_NUMBER = "sheet.number"  # a blank protocol № filled
    DECISION_STATUS = "decision.status"  # a decision's Статус set («в работе» / «просрочено»)
    PROTOCOL_CREATE = "protocol.create"
    PROTOCOL_UPDATE = "protocol.update"
    PROTOCOL_SKIP = "protocol.skip"  # left alone, with the reason (edited by hand, not held, no №)
    PROTOCOL_PDF = "protocol.pdf"  # the PDF copy made or refreshed (--pdf)
    PROTOCOL_LINK = "protocol.link"  # the «Протокол» cell written
    EVENT_CREATE = "event.create"
    EVENT_UPDATE = "event.update"
    EVENT_CANCEL = "event.cancel"
    EVENT_LINK = "event.link"  # the «Событие» cell written
    EVENT_VIDEO = "event.video"  # the «Видеовстреча» cell written
    DOCUMENT_CREATE = "document.create"  # report …: a document made
    DOCUMENT_UPDATE = "document.update"  # report …: a changed document rendered again, in place
    DOCUMENT_SKIP = "document.skip"  # report …: left alone (edited by hand)
    DOCUMENT_KEEP = "document.keep"  # report …: nothing to write; says where the unchanged document is
    DOCUMENT_PDF = "document.pdf"  # report … --pdf: the PDF copy made or refreshed
    WORKSPACE_FILE = "workspace.file"  # init --local: a file or folder of the workspace created
    GOOGLE_SPREADSHEET = "google.spreadsheet"  # init --google: the master sheet created
    GOOGLE_REPAIR = "google.repair"  # init --google: a missing tab or column added to the sheet
    GOOGLE_FOLDER = "google.folder"  # init --google: the protocols folder created
    GOOGLE_TEMPLATE = "google.template"  # init --google: the shipped template uploaded as a Google Doc
    CONFIG_WRITE = "config.write"  # init --google: gmo-sync.toml written
    MAILING_TAB = "mailing.tab"  # remind, run: the «Рассылки» tab created (the sheet had none yet)
    MAILING_ROW = "mailing.row"  # remind, run: a letter's row recorded in «Рассылки» before it is sent
    LETTER_SEND = "letter.send"  # remind, run: a letter sent (its «Рассылки» rows get the outcome)
    NOTE = "note"  # a free-form line from a command that plans no actions of its own


class Status(StrEnum):
    PLANNED = "planned"  # --dry-run: what the run would do
    DONE = "done"
    FAILED = "failed"  # planned, but the run could not do it (the problem says why)


# What a link write-back shows in a dry run when the link exists only once the run has made it.
NEW_DOCUMENT = "ссылка на новый документ"
NEW_EVENT = "ссылка на новое событие"
NEW_VIDEO = "ссылка на новую видеовстречу"


@dataclass(frozen=True)
class Action:
    kind: Kind
    meeting: str  # the meeting's ID ("" when there is none yet, e.g. a row that gets its ID now)
    target: str  # what is written: document name, event summary, cell value
    cell: str = ""  # «Заседания!O2» for an action that writes a cell, else ""
    planned: str = ""  # the Russian sentence for the plan: «создать протокол …»
    done_text: str = ""  # the sentence once done («создан протокол …»); "" when it is the same
    status: Status = Status.PLANNED

    @property
    def key(self) -> tuple[str, str, str]:
        """What makes two actions «the same action»: a dry run's and the run's are compared by it."""
        return (self.kind.value, self.meeting, self.cell)

    @property
    def text(self) -> str:
        if self.status == Status.DONE:
            return self.done_text or self.planned
        if self.status == Status.FAILED:
            return f"не выполнено: {self.planned}"
        return self.planned

    def with_status(self, status: Status, **changes: str) -> Action:
        return replace(self, status=status, **changes)

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "status": self.status.value,
            "meeting": self.meeting,
            "target": self.target,
            "cell": self.cell,
            "text": self.text,
        }


def cell_action(kind: Kind, meeting: str, cell: str, header: str, value: str, old: str = "") -> Action:
    was = f" (было «{old}»)" if old else ""
    return Action(kind, meeting, value, cell, f"{cell}: {header} ← «{value}»{was}")


def note(text: str) -> Action:
    return Action(Kind.NOTE, "", "", "", text, status=Status.DONE)
