"""One API call through the fake: route, authenticate, validate, fault, quota, handle, log.

The HTTP server and the batch endpoint both feed requests through ``Dispatcher.call`` so a batch part is
validated and counted exactly like a standalone request.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from . import multipart
from .auth import Auth, Principal
from .discovery import Discovery, Match, apply_fields, parse_fields
from .errors import ApiError, bad_request, unauthenticated
from .faults import Faults, Latency, Quotas, error_for


@dataclass
class Call:
    method_id: str
    http_method: str
    path_params: dict[str, str]
    query: dict[str, Any]
    body: Any
    principal: Principal
    media: bytes | None = None
    media_type: str | None = None


@dataclass
class Response:
    status: int = 200
    body: Any = None  # dict/list → JSON; bytes → as is
    content_type: str = "application/json; charset=UTF-8"
    headers: dict[str, str] = field(default_factory=dict)
    drop: str | None = None  # "drop" or "timeout": the server closes the socket instead of answering
    hold_seconds: float = 0.0

    def payload(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        if self.body is None:
            return b""
        return json.dumps(self.body, ensure_ascii=False, indent=1).encode()


Handler = Callable[[Call], Any]


@dataclass
class UploadSession:
    match: Match
    principal: Principal
    metadata: Any
    media_type: str
    data: bytearray = field(default_factory=bytearray)


class Dispatcher:
    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.discovery = Discovery()
        self.auth = Auth(clock=clock)
        self.faults = Faults()
        self.latency = Latency()
        self.quotas = Quotas()
        self.handlers: dict[str, Handler] = {}
        # checks run once the caller is known, before validation (projects.py: API switched off, scopes)
        self.gates: list[Callable[[Match, Principal], None]] = []
        self.state_lock = threading.RLock()  # one lock for all stores: simple and race-free
        self._counter_lock = threading.Lock()
        self.request_count = 0
        self.log: list[dict[str, Any]] = []
        self.pending_actions: list[tuple[int, Callable[[], Any], dict[str, Any]]] = []
        self.uploads: dict[str, UploadSession] = {}
        self.clock = clock
        self.base_url = ""  # set by the server once it knows its port; used for resumable Location URLs

    def reset(self) -> None:
        with self._counter_lock:
            self.request_count = 0
            self.log.clear()
            self.pending_actions.clear()
            self.uploads.clear()
        self.faults.reset()
        self.latency.reset()
        self.quotas.reset()
        self.auth.reset()

    def schedule(self, before_request: int, action: Callable[[], Any], description: dict[str, Any]) -> None:
        with self._counter_lock:
            self.pending_actions.append((before_request, action, description))

    def _next_number(self) -> tuple[int, list[Callable[[], Any]]]:
        with self._counter_lock:
            self.request_count += 1
            n = self.request_count
            due = [a for k, a, _ in self.pending_actions if k <= n]
            self.pending_actions = [p for p in self.pending_actions if p[0] > n]
        return n, due

    # ------------------------------------------------------------------------------------------------------
    def call(
        self,
        http_method: str,
        path: str,
        query_string: str,
        headers: dict[str, str],
        body: bytes,
        fallback_principal: Principal | None = None,
        batch: str | None = None,
    ) -> Response:
        started = time.monotonic()
        number, due = self._next_number()
        for action in due:  # coordinator edits "between requests": before this one is looked at
            with self.state_lock:
                action()
        entry: dict[str, Any] = {
            "n": number,
            "time": dt.datetime.fromtimestamp(self.clock(), dt.UTC).isoformat(),
            "method": http_method,
            "path": path,
            "api_method": None,
            "status": None,
            "user": None,
            "fault": None,
        }
        if batch:
            entry["batch"] = batch
        try:
            response = self._call(
                http_method, path, query_string, headers, body, fallback_principal, entry, number
            )
        except ApiError as err:
            response = Response(err.code, err.body())
        entry["status"] = response.status if not response.drop else None
        entry["elapsed_ms"] = round((time.monotonic() - started) * 1000, 1)
        with self._counter_lock:
            self.log.append(entry)
        return response

    def _call(self, http_method, path, query_string, headers, body, fallback_principal, entry, number):
        raw_query = parse_qs(query_string, keep_blank_values=True)
        if path.startswith("/upload/") and "upload_id" in raw_query:
            return self._resumable_chunk(http_method, raw_query, headers, body, entry, number)
        match = self.discovery.match(http_method, path)
        entry["api_method"] = match.route.method_id
        principal = self.auth.principal(headers.get("authorization")) or fallback_principal
        if principal is None:
            raise unauthenticated()
        entry["user"] = principal.user
        for gate in self.gates:
            gate(match, principal)
        query = self.discovery.validate_query(match, raw_query)
        if "fields" in query:
            self.discovery.validate_fields_mask(match, query["fields"])
        metadata, media, media_type = self._read_body(match, query, headers, body)
        self.discovery.validate_body(match, metadata)
        if match.route.upload and query.get("uploadType") == "resumable":
            return self._start_resumable(match, principal, metadata, headers)
        return self._run(match, principal, http_method, metadata, media, media_type, entry, number)

    def _run(
        self, match, principal, http_method, metadata, media, media_type, entry, number, faults: bool = True
    ) -> Response:
        method_id = match.route.method_id
        fault = self.faults.check(number, method_id) if faults else None
        delay = self.latency.delay(method_id)
        if delay:
            time.sleep(delay)
        if fault:
            entry["fault"] = fault.kind
            if fault.kind in ("drop_after", "timeout_after"):
                with contextlib.suppress(ApiError):  # applied or refused: either way the answer is lost
                    self._run(
                        match, principal, http_method, metadata, media, media_type, {}, -1, faults=False
                    )
                if fault.kind == "timeout_after":
                    return Response(drop="timeout", hold_seconds=fault.hold_seconds)
                return Response(drop="drop")
            if fault.kind in ("drop", "timeout"):
                return Response(
                    drop=fault.kind, hold_seconds=fault.hold_seconds if fault.kind == "timeout" else 0
                )
            raise error_for(fault.kind)
        self.quotas.charge(principal.user, method_id, http_method)
        handler = self.handlers.get(method_id)
        if handler is None:
            raise ApiError(
                501,
                f"fakegoogle does not model {method_id} (valid request, no behaviour).",
                reason="notImplemented",
            )
        call = Call(
            method_id, http_method, match.path_params, match.query, metadata, principal, media, media_type
        )
        with self.state_lock:
            result = handler(call)
        response = result if isinstance(result, Response) else Response(200, result)
        if "fields" in match.query and isinstance(response.body, dict):
            response.body = apply_fields(response.body, parse_fields(match.query["fields"]))
        return response

    # -- bodies and uploads -----------------------------------------------------------------------------
    def _read_body(self, match: Match, query: dict[str, Any], headers: dict[str, str], body: bytes):
        content_type = headers.get("content-type", "")
        if not match.route.upload:
            return _json_body(body), None, None
        upload_type = query.get("uploadType")
        if upload_type == "multipart":
            boundary = multipart.boundary_of(content_type)
            found = multipart.parts(body, boundary) if boundary else []
            if len(found) != 2:
                raise bad_request("Multipart upload needs exactly a metadata part and a media part.")
            (_, meta), (media_headers, media) = found
            return _json_body(meta), media, media_headers.get("content-type", "application/octet-stream")
        if upload_type == "media":
            return None, body, content_type or "application/octet-stream"
        if upload_type == "resumable":
            return _json_body(body), None, None
        raise bad_request(
            f"Upload path needs uploadType=multipart|media|resumable, got {upload_type!r}.", reason="invalid"
        )

    def _start_resumable(self, match: Match, principal: Principal, metadata: Any, headers: dict[str, str]):
        upload_id = secrets.token_urlsafe(16)
        media_type = headers.get("x-upload-content-type", "application/octet-stream")
        self.uploads[upload_id] = UploadSession(match, principal, metadata, media_type)
        location = f"{self.base_url}/upload/session?uploadType=resumable&upload_id={upload_id}"
        return Response(200, None, headers={"Location": location})

    def _resumable_chunk(self, http_method, raw_query, headers, body, entry, number) -> Response:
        session = self.uploads.get(raw_query["upload_id"][0])
        if session is None or http_method != "PUT":
            raise ApiError(404, "Upload session not found or expired.", reason="notFound")
        entry["api_method"] = session.match.route.method_id
        entry["user"] = session.principal.user
        content_range = headers.get("content-range", "")
        session.data.extend(body)
        total = content_range.rsplit("/", 1)[-1] if "/" in content_range else str(len(session.data))
        if total != "*" and len(session.data) < int(total):
            return Response(308, None, headers={"Range": f"bytes=0-{len(session.data) - 1}"})
        del self.uploads[raw_query["upload_id"][0]]
        return self._run(
            session.match,
            session.principal,
            session.match.route.method["httpMethod"],
            session.metadata,
            bytes(session.data),
            session.media_type,
            entry,
            number,
        )


def _json_body(body: bytes) -> Any:
    if not body:
        return None
    try:
        return json.loads(body)
    except ValueError:
        raise bad_request("Invalid JSON payload received. Unexpected token.") from None
