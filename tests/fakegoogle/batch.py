"""HTTP batch (multipart/mixed) for Drive and Calendar: each part goes through the normal dispatcher."""

from __future__ import annotations

import secrets
from http import HTTPStatus
from urllib.parse import urlsplit

from . import limits, multipart
from .core import Dispatcher, Response
from .errors import ApiError, bad_request, unauthenticated

PREFIXES = {"/batch/drive/v3": "/drive/v3/", "/batch/calendar/v3": "/calendar/v3/"}


def handle_batch(d: Dispatcher, path: str, headers: dict[str, str], body: bytes) -> Response:
    prefix = PREFIXES[path]
    try:
        principal = d.auth.principal(headers.get("authorization"))
        if principal is None:
            raise unauthenticated()
        boundary = multipart.boundary_of(headers.get("content-type", ""))
        if not boundary or not headers.get("content-type", "").startswith("multipart/mixed"):
            raise bad_request("A batch request must be multipart/mixed with a boundary.")
        found = multipart.parts(body, boundary)
        if not found:
            raise bad_request("A batch request needs at least one part.")
        if path == "/batch/calendar/v3" and len(found) > limits.CALENDAR_BATCH_PARTS:
            raise limits.calendar_batch_overflow(len(found))
    except ApiError as err:
        return Response(err.code, err.body())
    answers = []
    batch_id = secrets.token_hex(4)
    for index, (part_headers, payload) in enumerate(found):
        if path == "/batch/drive/v3" and index >= limits.DRIVE_BATCH_PARTS:
            # Drive's limit is "soft": the parts past it fail alone, and nothing of them is applied.
            err = limits.drive_batch_overflow()
            response = Response(err.code, err.body())
        else:
            response = _one(d, prefix, path, payload, principal, batch_id)
        if response.drop:
            return response  # a dropped connection or timeout takes the whole batch with it
        content_id = part_headers.get("content-id", "")
        inner = f"HTTP/1.1 {response.status} {HTTPStatus(response.status).phrase}\r\n"
        for name, value in response.headers.items():
            inner += f"{name}: {value}\r\n"
        data = response.payload()
        if response.status != 204:
            inner += f"Content-Type: {response.content_type}\r\n"
        inner += f"Content-Length: {len(data)}\r\n\r\n"
        out_headers = {"Content-Type": "application/http"}
        if content_id:
            out_headers["Content-ID"] = "<response-" + content_id.strip("<>") + ">"
        answers.append((out_headers, inner.encode() + data))
    reply_boundary = "batch_" + secrets.token_hex(12)
    return Response(
        200,
        multipart.build(answers, reply_boundary),
        content_type=f"multipart/mixed; boundary={reply_boundary}",
    )


def _one(d: Dispatcher, prefix: str, batch_path: str, payload: bytes, principal, batch_id: str) -> Response:
    head, _, rest = payload.replace(b"\r\n", b"\n").partition(b"\n")
    inner_headers, inner_body = multipart.split_headers(rest)
    try:
        method, target, _version = head.decode().split(" ", 2)
    except ValueError:
        err = bad_request("Malformed batch part: expected 'METHOD /path HTTP/1.1'.")
        return Response(err.code, err.body())
    url = urlsplit(target)
    if url.path.startswith("/upload/"):
        err = bad_request("Media uploads are not supported in batch requests.")
        return Response(err.code, err.body())
    if not url.path.startswith(prefix):
        err = bad_request(f"Batch part {url.path} does not belong to {batch_path}.")
        return Response(err.code, err.body())
    return d.call(
        method, url.path, url.query, inner_headers, inner_body, fallback_principal=principal, batch=batch_id
    )
