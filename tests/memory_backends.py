"""In-memory implementations of the core's ports, for fast core tests and the contract suites."""

from __future__ import annotations

import copy
from collections.abc import Sequence

from gmo_sync.core.parsing import normalize_text
from gmo_sync.core.ports import ProtocolCopy, ProtocolLink, StoredProtocol, WriteReport
from gmo_sync.core.problems import cell_ref
from gmo_sync.core.repair import SheetRepair, apply_to_snapshot
from gmo_sync.core.seed import headers, seed_rows
from gmo_sync.core.sheet import CellWrite, SheetSnapshot, TabData
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
        holding = [self._anchor_holds(w) for w in writes]
        skipped = [cell_ref(w.tab, w.row, w.column) + ": строка изменилась"
                   for w, ok in zip(writes, holding, strict=True) if not ok]  # fmt: skip
        for write, ok in zip(writes, holding, strict=True):
            if ok:
                self.set(write.tab, write.row, write.column, write.value)
                if write.link:
                    self.snapshot.tabs[write.tab].links[(write.row, write.column)] = write.link
        if writes:
            self.writes.append(list(writes))
        return WriteReport(sum(holding), skipped)

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

    def _anchor_holds(self, write: CellWrite) -> bool:
        data = self.snapshot.tabs[write.tab]
        return all(
            normalize_text("" if data.cell(write.row, c) is None else str(data.cell(write.row, c)))
            == normalize_text(expected)
            for c, expected in write.anchor
        )


class MemoryProtocolStore:
    def __init__(self) -> None:
        self.documents: dict[str, tuple[StoredProtocol, bytes]] = {}
        self.saves = 0

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
