"""The ``/_fake/...`` control API (JSON, no auth) that standalone-mode tests drive over HTTP.

GET  /_fake/health                   → {"ok": true, "base_url", "ca_path", "request_count"}
POST /_fake/reset                    → forget state, faults, latency, quotas, log, tokens, config
GET  /_fake/state                    → dump of spreadsheets, Drive files, events, doc texts
GET  /_fake/log[?since=N]            → request log entries (n, time, method, path, api_method, status, ...)
POST /_fake/faults   {"rules": [...], "seed": 1, "replace": false}; DELETE /_fake/faults; GET lists rules
POST /_fake/latency  {"ms": 50, "per_method": {"drive.*": 200}}
POST /_fake/quotas   {"enabled": true, "limits": {"sheets.write": 5}, "window_seconds": 60}
POST /_fake/config   {"meet_ready_after_reads": 2, "service_account_restrictions": false, ...}
POST /_fake/visibility {"open_with": {"file_id": "...", "client_id": "..."}} → drive.file sees that file
POST /_fake/actions  {"action": "insert_row", ..., "before_request": 12}  → {"result": ...}
POST /_fake/tokens   {"revoke_refresh_tokens": ["..."]} → expire all access tokens (and revoke those);
                     {"narrow_scopes": {"scopes": [...], "refresh_token": "*"}} → the user unticked the rest
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs

from .core import Response
from .docs import docx_text
from .errors import ApiError
from .faults import FaultRule


def dump_state(fake) -> dict[str, Any]:
    with fake.dispatcher.state_lock:
        books = {}
        for book_id, book in fake.ws.spreadsheets.items():
            rendered = fake.sheets.render_book(book, include_grid=False)
            for sheet, entry in zip(book.sheets, rendered["sheets"], strict=True):
                entry["values"] = book.read(
                    sheet, 0, 0, len(sheet.rows), len(sheet.col_uids), "FORMULA", "SERIAL_NUMBER", "ROWS"
                )
            books[book_id] = rendered
        files = {
            fid: {k: v for k, v in f.items() if not k.startswith("_")} for fid, f in fake.ws.files.items()
        }
        docs = {
            fid: docx_text(data)
            for fid, data in fake.ws.contents.items()
            if fake.ws.files.get(fid, {}).get("mimeType") == "application/vnd.google-apps.document"
        }
        return {
            "spreadsheets": books,
            "files": files,
            "docs": docs,
            "calendars": json.loads(json.dumps(fake.ws.calendars)),
            "request_count": fake.request_count,
        }


def handle_control(fake, method: str, path: str, query: str, body: bytes) -> Response:
    try:
        data = json.loads(body) if body else {}
        return Response(200, _route(fake, method, path.removeprefix("/_fake/"), parse_qs(query), data))
    except ApiError as err:
        return Response(err.code, err.body())
    except (ValueError, KeyError, TypeError) as err:
        return Response(
            400, {"error": {"code": 400, "message": f"control: {err}", "status": "INVALID_ARGUMENT"}}
        )


def _route(fake, method: str, name: str, query: dict[str, list[str]], data: dict[str, Any]) -> Any:
    if name == "health":
        return {"ok": True, **fake.describe(), "request_count": fake.request_count}
    if name == "reset" and method == "POST":
        fake.reset()
        return {"ok": True}
    if name == "state":
        return dump_state(fake)
    if name == "log":
        since = int(query.get("since", ["0"])[0])
        return {"entries": [e for e in fake.request_log() if e["n"] > since]}
    if name == "faults":
        if method == "DELETE":
            fake.clear_faults(data.get("seed"))
            return {"ok": True}
        if method == "POST":
            if data.get("replace"):
                fake.clear_faults(data.get("seed"))
            elif "seed" in data:
                fake.dispatcher.faults.reset(data["seed"])
            rules = [fake.dispatcher.faults.add(FaultRule(**rule)) for rule in data.get("rules", [])]
            return {"rules": [r.to_json() for r in rules]}
        return {"rules": [r.to_json() for r in fake.dispatcher.faults.rules]}
    if name == "latency" and method == "POST":
        fake.set_latency(data.get("ms", 0), data.get("per_method"))
        return {"ok": True}
    if name == "quotas" and method == "POST":
        fake.set_quotas(data.get("enabled", True), data.get("limits"), data.get("window_seconds", 60))
        return {"ok": True}
    if name == "config" and method == "POST":
        fake.configure(**data)
        return {"ok": True}
    if name == "tokens" and method == "POST":
        if "narrow_scopes" in data:
            narrow = data["narrow_scopes"]
            fake.narrow_scopes(list(narrow["scopes"]), narrow.get("refresh_token", "*"))
        else:
            fake.expire_tokens(data.get("revoke_refresh_tokens"))
        return {"ok": True}
    if name == "visibility" and method == "POST":
        opened = data["open_with"]
        fake.open_with(opened["file_id"], opened["client_id"])
        return {"ok": True}
    if name == "actions" and method == "POST":
        before = data.pop("before_request", None)
        return {"result": fake.act(data, before_request=before)}
    raise ValueError(f"unknown control endpoint {method} /_fake/{name}")
