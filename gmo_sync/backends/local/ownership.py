"""Which file in the protocols folder *is* a meeting's protocol, and which only claims to be.

A copy of a .docx carries everything inside the original, the tool's meeting ID included, so the ID
alone cannot tell «2021-10-13 Протокол № 2.docx» from «Копия 2021-10-13 Протокол № 2.docx». What a
copy cannot carry is its own file name: the tool records the name it gave the file inside the file
(next to the hashes in the core properties). A file whose recorded name is not its name is a copy —
renamed, edited or not — and is never overwritten, deleted or linked; it is reported once.

Renames are crash-safe by the same record: the new content and marks are written under the *old*
name first (recording the new name and the old one), then one atomic ``rename`` moves the file. A run
killed in between leaves one file at its old name that says where it was going; the next run sees
it is the protocol (its recorded previous name is where it lies) and finishes the move. There is
never a moment with two files that both are the protocol.

Files written before names were recorded carry none: each is its meeting's protocol as before; when
several claim one meeting, the shortest name wins (a copy's name is the original's plus «Копия»,
« (1)» …) and the others are reported as copies.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote

ID_PREFIX = "gmo-sync:"


@dataclass(frozen=True)
class Marks:
    """What the tool wrote into a protocol's core properties."""

    meeting_id: str
    input_hash: str
    text_hash: str
    crc: str = ""  # of word/document.xml as written (hex): a file with it is unchanged, unread
    name: str = ""  # the file name the tool gave it; "" in files written before names were recorded
    previous: str = ""  # its name before the rename that gave it ``name``

    def version(self) -> str:
        """The ``cp:version`` text: hashes, CRC and names, «:»-separated (names escaped, no «:» inside)."""
        parts = [self.input_hash, self.text_hash]
        if self.crc or self.name:
            parts.append(self.crc)
        if self.name:
            parts += [_escape(self.name), _escape(self.previous)]
        return ":".join(parts)


def _escape(name: str) -> str:
    return name.replace("%", "%25").replace(":", "%3A")


def read_marks(identifier: str, version: str) -> Marks | None:
    if not identifier.startswith(ID_PREFIX):
        return None
    input_hash, text_hash, crc, name, previous, *_ = [*version.split(":"), "", "", "", "", ""]
    meeting_id = identifier.removeprefix(ID_PREFIX)
    return Marks(meeting_id, input_hash, text_hash, crc, unquote(name), unquote(previous))


@dataclass(frozen=True)
class Claim:
    """A file in the folder that carries a meeting's marks."""

    file_name: str
    marks: Marks

    @property
    def rank(self) -> int | None:
        """0: the file the tool named so; 1: a rename the crash interrupted (it lies at its previous
        name); 2: a file from before names were recorded; None: a copy."""
        if self.marks.name == self.file_name:
            return 0
        if self.marks.name and self.marks.previous == self.file_name:
            return 1
        if not self.marks.name:
            return 2
        return None


def choose_owners(claims: list[Claim]) -> tuple[dict[str, Claim], list[Claim]]:
    """Each meeting's protocol, and every other file that claims a meeting (copies, never touched)."""
    by_meeting: dict[str, list[Claim]] = {}
    copies: list[Claim] = []
    for claim in claims:
        if claim.rank is None:
            copies.append(claim)
        else:
            by_meeting.setdefault(claim.marks.meeting_id, []).append(claim)
    owners: dict[str, Claim] = {}
    for meeting_id, candidates in by_meeting.items():
        first, *others = sorted(candidates, key=lambda c: (c.rank, len(c.file_name), c.file_name))
        owners[meeting_id] = first
        copies.extend(others)
    return owners, sorted(copies, key=lambda c: (c.marks.meeting_id, c.file_name))
