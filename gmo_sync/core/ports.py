"""The contracts every backend implements: sheet, protocol store (calendar comes later)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from gmo_sync.core.sheet import CellWrite, SheetSnapshot


@dataclass(frozen=True)
class WriteReport:
    written: int
    skipped: list[str]  # places not written because their row moved or vanished (Russian messages)


class SheetBackend(Protocol):
    """The master sheet."""

    def describe(self) -> str:
        """Where the sheet is, for messages (a path or a spreadsheet title)."""
        ...

    def read(self) -> SheetSnapshot:
        """Every tab, in one read."""
        ...

    def ensure_writable(self) -> None:
        """Raise ``WorkbookBusyError`` when writing now would race an editor."""
        ...

    def write(self, writes: Sequence[CellWrite]) -> WriteReport:
        """Apply all writes at once, as plain values (never formulas)."""
        ...


@dataclass(frozen=True)
class StoredProtocol:
    """A protocol document that exists in the store."""

    meeting_id: str
    name: str  # file or document name
    location: str  # path relative to the workspace, or a Drive file ID
    input_hash: str  # hash of the data it was rendered from
    edited_by_hand: bool  # changed since the tool last wrote it


@dataclass(frozen=True)
class ProtocolLink:
    text: str  # what the cell shows
    url: str  # the hyperlink target (relative path locally, webViewLink on Google)


class ProtocolStore(Protocol):
    def describe(self) -> str: ...

    def existing(self) -> dict[str, StoredProtocol]:
        """Protocols already in the store, by meeting ID."""
        ...

    def save(
        self, meeting_id: str, name: str, content: bytes, input_hash: str, replaces: StoredProtocol | None
    ) -> StoredProtocol:
        """Create a protocol, or replace ``replaces`` in place (renaming it to ``name``)."""
        ...

    def link(self, stored: StoredProtocol) -> ProtocolLink: ...

    def template(self) -> tuple[str, bytes]:
        """The template's name (for messages) and its .docx bytes."""
        ...
