"""Google Calendar events as gmo-sync writes and reads them: the ID a meeting's event has, the request
body an action sends, and what a stored event says back (``StoredEvent``).

Exactly once by construction: the event ID is a pure function of ``id_key(meeting ID)`` (base32hex, which
Calendar accepts as a client-supplied ID), so a second insert for the same meeting answers 409 instead of
making a duplicate. The event carries private extended properties (meeting ID, content hash, a kind
marker) so a listing finds exactly the events gmo-sync made. Calendar cuts a property value past 1024
characters without a word, so an ID longer than that is stored as a checked hash plus parts
(``properties.py``).
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from gmo_sync.backends.google import properties
from gmo_sync.core.model import id_key
from gmo_sync.core.ports import EventSpec, StoredEvent

# Private extended properties (keys ≤ 44 characters: Google drops longer ones without a word).
KIND_KEY, KIND = "gmoSyncKind", "meeting"
MEETING_KEY = "gmoSyncMeeting"
HASH_KEY = "gmoSyncHash"

ID_PREFIX = "gmo0"  # base32hex of the key follows; "gmo" and the digits are base32hex themselves
HASHED_ID_PREFIX = "gmo1"  # for keys too long to spell out in 1024 characters
MAX_ID = 1024

EVENT_FIELDS = (
    "id,status,htmlLink,sequence,summary,extendedProperties/private,"
    "conferenceData(createRequest(requestId,status),entryPoints(entryPointType,uri))"
)


def event_id(meeting_id: str) -> str:
    """The meeting's event ID: ``gmo0`` + lowercase unpadded base32hex of ``id_key``'s UTF-8 bytes.

    Readable back to the key, and within Calendar's rules (``[a-v0-9]{5,1024}``); a key too long for
    that gets a hashed ID under another prefix, so the two forms never collide.
    """
    key = id_key(meeting_id).encode("utf-8")
    spelled = ID_PREFIX + base64.b32hexencode(key).decode("ascii").lower().rstrip("=")
    if len(spelled) <= MAX_ID:
        return spelled
    digest = hashlib.sha256(key).digest()
    return HASHED_ID_PREFIX + base64.b32hexencode(digest).decode("ascii").lower().rstrip("=")


def meet_request_id(meeting_id: str) -> str:
    """Stable per meeting: Google ignores a repeated requestId, which makes re-sent requests safe."""
    return "gmo-meet-" + hashlib.sha256(f"{id_key(meeting_id)}\nmeet".encode()).hexdigest()[:32]


def video_link(event: dict[str, Any]) -> str:
    for point in (event.get("conferenceData") or {}).get("entryPoints") or []:
        if point.get("entryPointType") == "video" and point.get("uri"):
            return str(point["uri"])
    return ""


def conference_status(event: dict[str, Any]) -> str:
    """``pending`` / ``success`` / ``failure`` of the event's Meet request, or "" when it has none."""
    request = (event.get("conferenceData") or {}).get("createRequest") or {}
    return str((request.get("status") or {}).get("statusCode", ""))


def event_body(
    spec: EventSpec | None,
    *,
    cancelled: bool,
    zone_name: str,
    base: dict[str, Any] | None,
    patch: bool,
    invite: bool,
    video: bool,
) -> dict[str, Any]:
    """The request body of an insert or a patch. ``spec`` None: a deleted row's event, cancelled as it is
    (its contents kept); ``base``: the event a patch builds on (its SEQUENCE grows by one)."""
    body: dict[str, Any] = {"status": "cancelled" if cancelled else "confirmed"}
    if base is not None:
        # RFC 5545 SEQUENCE must grow with every change, or calendar apps ignore the revision.
        body["sequence"] = int(base.get("sequence") or 0) + 1
    if spec is None:
        return body
    body.update(
        summary=spec.summary,
        description=spec.description,
        location=spec.location,
        start={"dateTime": spec.start.isoformat(), "timeZone": zone_name},
        end={"dateTime": spec.end.isoformat(), "timeZone": zone_name},
        extendedProperties={"private": _marks(spec, base if patch else None)},
    )
    if spec.url:
        body["source"] = {"title": spec.summary, "url": spec.url}
    elif patch:
        body["source"] = None  # the meeting lost its own link: PATCH clears the field with null
    if invite:
        # Only when there are guests to invite: an empty list would also wipe guests a coordinator
        # added in Google Calendar while invitations are off in the config.
        body["attendees"] = [{"email": email} for email in spec.attendees]
    if video:
        body["conferenceData"] = {
            "createRequest": {
                "requestId": meet_request_id(spec.meeting_id),
                "conferenceSolutionKey": {"type": "hangoutsMeet"},
            }
        }
    return body


def _marks(spec: EventSpec, patched: dict[str, Any] | None) -> dict[str, str | None]:
    marks = {KIND_KEY: KIND, **properties.spell(MEETING_KEY, spec.meeting_id, properties.calendar_fits),
             HASH_KEY: spec.content_hash}  # fmt: skip
    if patched is None:
        return dict(marks)
    # PATCH merges properties: parts of a longer ID written before would linger (and use up room)
    return {**properties.stale(private(patched), MEETING_KEY, marks), **marks}


def meeting_of(event: dict[str, Any]) -> str:
    """The meeting ID an event of ours carries ("" for anybody else's)."""
    return properties.read(private(event), MEETING_KEY)


def private(event: dict[str, Any]) -> dict[str, str]:
    return (event.get("extendedProperties") or {}).get("private") or {}


def stored_event(event: dict[str, Any]) -> StoredEvent:
    marks = private(event)
    return StoredEvent(
        meeting_id=properties.read(marks, MEETING_KEY),
        event_id=str(event["id"]),
        link=str(event.get("htmlLink", "")),
        video_link=video_link(event),
        content_hash=marks.get(HASH_KEY, ""),
        cancelled=event.get("status") == "cancelled",
        sequence=int(event.get("sequence") or 0),
        summary=str(event.get("summary", "")),
    )
