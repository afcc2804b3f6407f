"""Calendar v3 events: client-supplied ids, cancelled-but-kept deletes, extended properties, Meet links."""

from __future__ import annotations

import base64
import copy
import datetime as dt
import hashlib
import re
import secrets
import string
import time
from typing import Any

from . import limits
from .core import Call, Dispatcher, Response
from .discovery import parse_rfc3339
from .errors import ApiError, bad_request, not_found
from .workspace import Workspace

_ID = re.compile(r"[a-v0-9]{5,1024}")
_SERVER_KEYS = (
    "kind",
    "etag",
    "id",
    "htmlLink",
    "iCalUID",
    "created",
    "updated",
    "creator",
    "organizer",
    "sequence",
    "status",
)


def _merge(old: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """PATCH semantics: objects merge recursively, arrays and scalars replace, null clears."""
    out = copy.deepcopy(old)
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _event_time(value: dict[str, Any] | None, name: str) -> dt.datetime:
    return limits.event_time(value, name)


class Calendar:
    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self._reads: dict[str, int] = {}
        self._pending_since: dict[str, float] = {}

    def register(self, d: Dispatcher) -> None:
        for name, fn in {
            "insert": self.insert,
            "get": self.get,
            "list": self.list,
            "patch": self.patch,
            "update": self.update,
            "delete": self.delete,
        }.items():
            d.handlers["calendar.events." + name] = fn

    def _calendar(self, call: Call) -> tuple[str, dict[str, dict[str, Any]]]:
        cal_id = call.path_params["calendarId"]
        if cal_id == "primary":
            cal_id = call.principal.user
        return cal_id, self.ws.calendars.setdefault(cal_id, {})

    def _event(self, call: Call) -> tuple[str, dict[str, Any]]:
        cal_id, events = self._calendar(call)
        event = events.get(call.path_params["eventId"])
        if event is None:
            raise not_found("Not Found")
        return cal_id, event

    # -- the service-account rules ----------------------------------------------------------------------
    def _check_principal(self, call: Call, event: dict[str, Any]) -> None:
        if not (call.principal.service_account and self.ws.config.service_account_restrictions):
            return
        if event.get("attendees"):
            raise ApiError(
                403,
                "Service accounts cannot invite attendees without Domain-Wide Delegation of Authority.",
                reason="forbiddenForServiceAccounts",
            )

    def _conference(self, call: Call, event: dict[str, Any], requested: dict[str, Any] | None) -> None:
        """Only with conferenceDataVersion=1; otherwise Google silently drops conferenceData changes."""
        if call.query.get("conferenceDataVersion", 0) < 1 or requested is None:
            return
        create = requested.get("createRequest")
        if not create:
            event["conferenceData"] = copy.deepcopy(requested)
            return
        old = event.get("conferenceData", {}).get("createRequest", {})
        if old.get("requestId") == create.get("requestId"):
            return  # a repeated requestId is ignored: that is what makes retries safe
        kind = (create.get("conferenceSolutionKey") or {}).get("type")
        if kind != "hangoutsMeet" or (
            call.principal.service_account and self.ws.config.service_account_restrictions
        ):
            raise bad_request("Invalid conference type value.", reason="invalid")
        event["conferenceData"] = {
            "createRequest": {
                "requestId": create.get("requestId"),
                "conferenceSolutionKey": {"type": kind},
                "status": {"statusCode": "pending"},
            }
        }
        self._reads[event["id"]] = 0
        self._pending_since[event["id"]] = time.monotonic()

    def _progress_meet(self, event: dict[str, Any]) -> None:
        """Reads move a pending Meet request to success, as Google's asynchronous provisioning does."""
        conf = event.get("conferenceData", {})
        if conf.get("createRequest", {}).get("status", {}).get("statusCode") != "pending":
            return
        eid = event["id"]
        self._reads[eid] = self._reads.get(eid, 0) + 1
        cfg = self.ws.config
        waited = time.monotonic() - self._pending_since.get(eid, 0)
        if self._reads[eid] <= cfg.meet_ready_after_reads or waited < cfg.meet_ready_after_seconds:
            return
        digest = hashlib.sha1(eid.encode()).hexdigest()
        letters = "".join(string.ascii_lowercase[int(c, 16) % 26] for c in digest)
        code = f"{letters[:3]}-{letters[3:7]}-{letters[7:10]}"
        conf["createRequest"]["status"]["statusCode"] = "success"
        conf["conferenceId"] = code
        conf["entryPoints"] = [
            {
                "entryPointType": "video",
                "uri": f"https://meet.google.com/{code}",
                "label": f"meet.google.com/{code}",
            }
        ]
        conf["conferenceSolution"] = {
            "key": {"type": "hangoutsMeet"},
            "name": "Google Meet",
            "iconUri": "https://fonts.gstatic.com/s/i/productlogo/meet_2020q4/v6/web-512dp/"
            "logo_meet_2020q4_color_2x_web_512dp.png",
        }
        event["hangoutLink"] = f"https://meet.google.com/{code}"

    # -- methods ----------------------------------------------------------------------------------------
    def _validate(self, event: dict[str, Any]) -> None:
        """What Google checks in an event body it is about to store (LIMITS.md, Calendar rows)."""
        limits.check_event_text(event)
        limits.clip_extended_properties(event)
        start = _event_time(event.get("start"), "start")
        end = _event_time(event.get("end"), "end")
        if end < start:
            raise bad_request("The specified time range is empty.", reason="timeRangeEmpty")

    def _stamp(self, event: dict[str, Any], cal_id: str, changed: bool) -> None:
        event["updated"] = self.ws.now_iso()
        if changed:
            event["sequence"] = event.get("sequence", 0) + 1
        event["etag"] = '"' + str(int(time.time() * 1000)) + secrets.token_hex(2) + '"'

    def insert(self, call: Call) -> dict[str, Any]:
        cal_id, events = self._calendar(call)
        body = dict(call.body or {})
        event_id = body.get("id")
        if event_id is not None:
            if not _ID.fullmatch(event_id):
                raise bad_request("Invalid resource id value.", reason="invalid")
            if event_id in events:
                raise ApiError(409, "The requested identifier already exists.", reason="duplicate")
        else:
            event_id = "".join(secrets.choice("abcdefghijklmnopqrstuv0123456789") for _ in range(26))
        requested_conf = body.pop("conferenceData", None)
        self._validate(body)
        self._check_principal(call, body)
        now = self.ws.now_iso()
        eid = base64.urlsafe_b64encode(f"{event_id} {cal_id}".encode()).decode().rstrip("=")
        event = {
            **{k: v for k, v in body.items() if k not in _SERVER_KEYS},
            "kind": "calendar#event",
            "id": event_id,
            "status": body.get("status", "confirmed"),
            "htmlLink": f"https://www.google.com/calendar/event?eid={eid}",
            "created": now,
            "creator": {"email": call.principal.user},
            "organizer": {"email": cal_id, "self": True},
            "iCalUID": body.get("iCalUID") or f"{event_id}@google.com",
            "sequence": int(body.get("sequence", 0)),
            "reminders": body.get("reminders", {"useDefault": True}),
            "eventType": body.get("eventType", "default"),
        }
        self._conference(call, event, requested_conf)
        self._stamp(event, cal_id, changed=False)
        events[event_id] = event
        return copy.deepcopy(event)

    def get(self, call: Call) -> dict[str, Any]:
        _, event = self._event(call)
        self._progress_meet(event)
        return copy.deepcopy(event)

    def _change(self, call: Call, new: dict[str, Any], old: dict[str, Any], cal_id: str) -> dict[str, Any]:
        requested_conf = new.pop("conferenceData", None)
        new["conferenceData"] = old.get("conferenceData")
        if new["conferenceData"] is None:
            new.pop("conferenceData")
        for key in _SERVER_KEYS:
            if key in old:
                new[key] = old[key]
            elif key in new and key != "status":
                new.pop(key)
        self._validate(new)
        self._check_principal(call, new)
        self._conference(call, new, requested_conf)
        changed = {k: v for k, v in new.items() if k not in ("etag", "updated")} != {
            k: v for k, v in old.items() if k not in ("etag", "updated")
        }
        self._stamp(new, cal_id, changed)
        self.ws.calendars[cal_id][old["id"]] = new
        return copy.deepcopy(new)

    def patch(self, call: Call) -> dict[str, Any]:
        cal_id, old = self._event(call)
        body = dict(call.body or {})
        status = body.pop("status", None)
        new = _merge(old, body)
        out = self._change(call, new, old, cal_id)
        if status:
            self.ws.calendars[cal_id][old["id"]]["status"] = status
            out["status"] = status
        return out

    def update(self, call: Call) -> dict[str, Any]:
        cal_id, old = self._event(call)
        body = dict(call.body or {})
        status = body.pop("status", old["status"])
        out = self._change(call, body, old, cal_id)
        self.ws.calendars[cal_id][old["id"]]["status"] = status
        out["status"] = status
        return out

    def delete(self, call: Call) -> Response:
        cal_id, event = self._event(call)
        if event["status"] == "cancelled":
            raise ApiError(410, "Resource has been deleted", reason="deleted")
        event["status"] = "cancelled"
        self._stamp(event, cal_id, changed=True)
        return Response(204, None)

    def list(self, call: Call) -> dict[str, Any]:
        cal_id, events = self._calendar(call)
        q = call.query
        items = list(events.values())
        if not q.get("showDeleted"):
            items = [e for e in items if e["status"] != "cancelled"]
        for prop in q.get("privateExtendedProperty", []):
            key, sep, value = prop.partition("=")
            if not sep:
                raise bad_request(
                    f"Invalid privateExtendedProperty {prop!r}: expected key=value.", reason="invalid"
                )
            items = [e for e in items if e.get("extendedProperties", {}).get("private", {}).get(key) == value]
        for prop in q.get("sharedExtendedProperty", []):
            key, _, value = prop.partition("=")
            items = [e for e in items if e.get("extendedProperties", {}).get("shared", {}).get(key) == value]
        if "timeMin" in q:
            low = parse_rfc3339(q["timeMin"], "timeMin")
            items = [e for e in items if _event_time(e.get("end"), "end") > low]
        if "timeMax" in q:
            high = parse_rfc3339(q["timeMax"], "timeMax")
            items = [e for e in items if _event_time(e.get("start"), "start") < high]
        if "syncToken" in q:
            raise ApiError(
                501, "fakegoogle does not model incremental sync (syncToken).", reason="notImplemented"
            )
        if "q" in q:  # free text over the fields Google documents for q
            words = q["q"].lower().split()
            items = [
                e
                for e in items
                if all(
                    w in " ".join(str(e.get(k, "")) for k in ("summary", "description", "location")).lower()
                    for w in words
                )
            ]
        if "iCalUID" in q:
            items = [e for e in items if e.get("iCalUID") == q["iCalUID"]]
        if "updatedMin" in q:
            low = parse_rfc3339(q["updatedMin"], "updatedMin")
            items = [e for e in items if parse_rfc3339(e["updated"]) >= low]
        if q.get("orderBy") == "startTime":
            if not q.get("singleEvents"):
                raise bad_request(
                    "The requested ordering is not available for the particular query.", reason="invalid"
                )
            items.sort(key=lambda e: _event_time(e.get("start"), "start"))
        elif q.get("orderBy") == "updated":
            items.sort(key=lambda e: e["updated"])
        size = min(q.get("maxResults", 250), 2500)
        start = int(base64.urlsafe_b64decode(q["pageToken"]).decode()) if "pageToken" in q else 0
        page = items[start : start + size]
        for event in page:
            self._progress_meet(event)
        out: dict[str, Any] = {
            "kind": "calendar#events",
            "etag": '"fake-list"',
            "summary": cal_id,
            "updated": self.ws.now_iso(),
            "timeZone": self.ws.config.default_time_zone,
            "accessRole": "owner",
            "defaultReminders": [],
            "items": copy.deepcopy(page),
        }
        if start + size < len(items):
            out["nextPageToken"] = base64.urlsafe_b64encode(str(start + size).encode()).decode()
        else:
            out["nextSyncToken"] = "fake-sync-" + secrets.token_hex(4)
        return out
