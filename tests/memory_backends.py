"""In-memory implementations of the core's ports, for fast core tests and the contract suites."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import replace
from email.message import EmailMessage
from email.utils import getaddresses

from gmo_sync.core.ports import (
    MailError,
    ProtocolCopy,
    ProtocolLink,
    StoredDocument,
    StoredProtocol,
    WriteReport,
)
from gmo_sync.core.repair import SheetRepair, apply_to_snapshot
from gmo_sync.core.seed import headers, seed_rows
from gmo_sync.core.sheet import CellWrite, SheetSnapshot, TabData, place_writes
from gmo_sync.rendering import template_bytes


class MemorySheet:
    def __init__(self, snapshot: SheetSnapshot) -> None:
        self.snapshot = snapshot
        self.writes: list[list[CellWrite]] = []  # every batch written, for "writes nothing" checks

    @classmethod
    def seeded(cls, today: object) -> MemorySheet:
        tabs = {}
        for name, rows in seed_rows(today).items():  # type: ignore[arg-type]
            names = headers(name)
            tabs[name] = TabData(name, [list(names)] + [[r.get(h) for h in names] for r in rows])
        return cls(SheetSnapshot(tabs))

    def describe(self) -> str:
        return "память"

    def read(self) -> SheetSnapshot:
        return copy.deepcopy(self.snapshot)

    def ensure_writable(self) -> None:
        pass

    def write(self, writes: Sequence[CellWrite]) -> WriteReport:
        current = {name: tab.rows for name, tab in self.snapshot.tabs.items()}
        placed, skipped = place_writes(writes, current)
        for where in placed:
            write = where.write
            self.set(write.tab, where.row, write.column, write.value)
            if write.link:
                self.snapshot.tabs[write.tab].links[(where.row, write.column)] = write.link
        if writes:
            self.writes.append(list(writes))
        return WriteReport(len(placed), skipped)

    def repair(self, repairs: Sequence[SheetRepair]) -> None:
        apply_to_snapshot(self.snapshot, list(repairs))

    def set(self, tab: str, row: int, column: int, value: object) -> None:
        rows = self.snapshot.tabs[tab].rows
        while len(rows) < row:
            rows.append([])
        cells = rows[row - 1]
        while len(cells) < column:
            cells.append(None)
        cells[column - 1] = value


class MemoryProtocolStore:
    def __init__(self, documents: dict[str, tuple[StoredProtocol, bytes]] | None = None) -> None:
        # share ``documents`` between stores to "re-open" the same store
        self.documents: dict[str, tuple[StoredProtocol, bytes]] = {} if documents is None else documents
        self.saves = 0

    def edit_by_hand(self, meeting_id: str) -> None:
        stored, content = self.documents[meeting_id]
        self.documents[meeting_id] = (replace(stored, edited_by_hand=True), content)

    def describe(self) -> str:
        return "память"

    def template(self) -> tuple[str, bytes]:
        return "default.docx", template_bytes("default")

    def existing(self) -> dict[str, StoredProtocol]:
        return {k: v[0] for k, v in self.documents.items()}

    def copies(self) -> list[ProtocolCopy]:
        return []  # nobody copies files in memory

    def stamp(self, meeting_id: str, input_hash: str, name: str = "", replaces: object = None) -> None:
        return None

    def save(self, meeting_id: str, name: str, content: bytes, input_hash: str,
             replaces: StoredProtocol | None) -> StoredProtocol:  # fmt: skip
        stored = StoredProtocol(meeting_id, name, f"mem:{meeting_id}", input_hash, False)
        self.documents[meeting_id] = (stored, content)
        self.saves += 1
        return stored

    def link(self, stored: StoredProtocol) -> ProtocolLink:
        return ProtocolLink(stored.name, stored.location)

    def planned_link(self, meeting_id: str, name: str, replaces: StoredProtocol | None) -> ProtocolLink:
        return ProtocolLink(name, f"mem:{meeting_id}")

    def pdf_current(self, stored: StoredProtocol) -> bool:
        return True  # no PDF copies in memory

    def export_pdf(self, stored: StoredProtocol) -> str | None:
        return None


class MemoryDocumentStore:
    """Reports and extracts in memory; share ``documents`` between stores to "re-open" the same one."""

    def __init__(self, documents: dict[str, tuple[StoredDocument, bytes]] | None = None) -> None:
        self.documents: dict[str, tuple[StoredDocument, bytes]] = {} if documents is None else documents

    def describe(self) -> str:
        return "документы в памяти"

    def template(self, kind: str) -> tuple[str, bytes]:
        return f"{kind}.docx", template_bytes(kind)

    def find(self, key: str) -> StoredDocument | None:
        entry = self.documents.get(key)
        return entry[0] if entry else None

    def save(self, key: str, name: str, content: bytes, input_hash: str,
             replaces: StoredDocument | None) -> StoredDocument:  # fmt: skip
        stored = StoredDocument(key, name, f"mem:{key}", input_hash, False)
        self.documents[key] = (stored, content)
        return stored

    def edit_by_hand(self, key: str) -> None:
        stored, content = self.documents[key]
        self.documents[key] = (replace(stored, edited_by_hand=True), content)

    def link(self, stored: StoredDocument) -> ProtocolLink:
        return ProtocolLink(stored.name, stored.location)

    def pdf_current(self, stored: StoredDocument) -> bool:
        return True  # no PDF copies in memory

    def export_pdf(self, stored: StoredDocument) -> str | None:
        return None


class MemoryMailer:
    """Letters kept in a list; ``refuse`` names addresses the «server» refuses for certain."""

    def __init__(self, outbox: list[EmailMessage], refuse: frozenset[str] = frozenset()) -> None:
        self.outbox, self.refuse = outbox, refuse
        self.open = False

    def describe(self) -> str:
        return "почта в памяти"

    def send(self, message: EmailMessage) -> None:
        recipients = [a for _, a in getaddresses(message.get_all("To", []) + message.get_all("Cc", []))]
        accepted = [a for a in recipients if a and a not in self.refuse]
        if not accepted:
            raise MailError("сервер отказался принять адрес " + ", ".join(recipients or ["(нет адреса)"]))
        self.open = True
        self.outbox.append(copy.deepcopy(message))

    def close(self) -> None:
        self.open = False
