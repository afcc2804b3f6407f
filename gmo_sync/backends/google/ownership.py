"""Which Google Doc in the protocols folder *is* a meeting's protocol, and which only claims to be.

«Сделать копию» in Docs or Drive makes a new file next to the original. Whether the copy keeps the
original's ``appProperties`` (our meeting ID) Google does not document, so both cases are handled:

* a copy that keeps them claims the meeting like the original. The protocol is the document whose
  ID the tool recorded when it wrote it (the state file); with no record (a new machine, a lost state
  folder) it is the oldest claimant — a copy is always younger than what it copies. The rest are
  copies: never updated, never linked;
* a copy that loses them claims nothing, so it is never touched anyway; it is still reported when its
  name contains a protocol's name («Копия 2021-10-13 Протокол № 2»).

A recorded protocol that is gone (deleted by someone) is not replaced by a copy: the meeting gets a
new protocol, and the copies stay the copies they are.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

File = dict[str, Any]


def _props(file: File) -> dict[str, str]:
    return file.get("appProperties") or {}


def choose_protocols(
    files: list[File],
    meeting_of: Callable[[File], str],
    recorded: Callable[[str], str | None],
    template_id: str = "",
) -> tuple[dict[str, File], list[tuple[str, File]]]:
    """(meeting ID → its protocol, [(meeting ID, copy)]) among the folder's Google Docs."""
    claims: dict[str, list[File]] = {}
    for file in files:
        if _props(file).get("gmoKind") == "protocol":
            claims.setdefault(meeting_of(file), []).append(file)
    owners: dict[str, File] = {}
    copies: list[tuple[str, File]] = []
    for meeting_id, candidates in claims.items():
        record = recorded(meeting_id)
        if record is not None:
            owner = next((f for f in candidates if f["id"] == record), None)
        else:
            owner = min(candidates, key=lambda f: (f.get("createdTime") or "", f["id"]))
        if owner is not None:
            owners[meeting_id] = owner
        copies.extend((meeting_id, f) for f in candidates if f is not owner)
    # copies that lost the marks: recognised by the protocol's name inside their own
    for file in files:
        if _props(file).get("gmoKind") or file["id"] == template_id:
            continue
        for meeting_id, owner in owners.items():
            if owner.get("name") and owner["name"] in file.get("name", ""):
                copies.append((meeting_id, file))
                break
    return owners, sorted(copies, key=lambda c: (c[0], c[1].get("name", ""), c[1]["id"]))
