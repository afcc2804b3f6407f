"""The HTTP side of Google's OAuth endpoints: ``POST /token`` and the consent screen ``GET /o/oauth2/auth``.

Token requests are requests like any other for a client's budget, so they are counted: each gets the next
request number and a log entry (``api_method`` ``oauth2.token``, with ``client`` and ``grant``), the
configured latency (``per_method={"oauth2.token": ms}`` or the default), faults and a per-client rate
(config ``token_requests_per_client_per_minute``, 0 = unlimited). Faults without a ``method`` keep aiming
at API calls (so ``at=k`` sweeps and "the next request fails" rules written before tokens were counted
still hit what they meant to); a rule reaches the token endpoint only when its ``method`` glob matches
``oauth2.token``.

Errors have the OAuth shape ``{"error": ..., "error_description": ...}``: ``invalid_grant`` (revoked or
expired refresh token, 400) is Google's documented answer; the body of Google's token-endpoint rate limit
is not documented (429 ``rate_limit_exceeded`` here).

``/o/oauth2/auth`` stands in for the browser's visit to Google: a scripted "browser" GETs the authorization
URL and gets the 302 to ``redirect_uri?state=…&code=…&scope=…`` the real consent screen would send it to
(or ``error=access_denied`` with config ``consent_denied``). It is not an API call and is not logged.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, unquote_plus, urlencode, urlsplit

from .auth import JWT_GRANT, TokenError
from .core import Dispatcher, Response
from .errors import ApiError
from .faults import error_for
from .workspace import Config

METHOD_ID = "oauth2.token"
GRANTS = {
    JWT_GRANT: "jwt-bearer",
    "refresh_token": "refresh_token",
    "authorization_code": "authorization_code",
}


class TokenRate:
    """Token requests per client in a sliding minute, on the fake's clock."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self._lock = threading.Lock()
        self._hits: dict[str, deque[float]] = {}

    def reset(self) -> None:
        with self._lock:
            self._hits.clear()

    def charge(self, client: str, limit: int) -> None:
        if limit <= 0:
            return
        now = self.clock()
        with self._lock:
            hits = self._hits.setdefault(client, deque())
            while hits and hits[0] <= now - 60:
                hits.popleft()
            if len(hits) >= limit:
                raise TokenError(429, "rate_limit_exceeded", "Rate limit exceeded for this client.")
            hits.append(now)


class TokenEndpoint:
    def __init__(self, dispatcher: Dispatcher, config: Callable[[], Config]) -> None:
        self.d = dispatcher
        self.config = config
        self.rate = TokenRate(dispatcher.clock)

    def reset(self) -> None:
        self.rate.reset()

    # -- POST /token ------------------------------------------------------------------------------------
    def handle(self, body: bytes, headers: dict[str, str] | None = None) -> Response:
        started = time.monotonic()
        number, due = self.d._next_number()
        for action in due:  # a coordinator's edit scheduled "before request k" still happens in order
            with self.d.state_lock:
                action()
        form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
        form = {**_basic_auth((headers or {}).get("authorization", "")), **form}
        entry: dict[str, Any] = {
            "n": number,
            "time": dt.datetime.fromtimestamp(self.d.clock(), dt.UTC).isoformat(),
            "method": "POST",
            "path": "/token",
            "api_method": METHOD_ID,
            "status": None,
            "user": None,
            "fault": None,
            "client": self.d.auth.client_of(form),
            "grant": GRANTS.get(form.get("grant_type", ""), form.get("grant_type")),
        }
        response = self._answer(form, number, entry)
        entry["status"] = response.status if not response.drop else None
        entry["elapsed_ms"] = round((time.monotonic() - started) * 1000, 1)
        with self.d._counter_lock:
            self.d.log.append(entry)
        return response

    def _answer(self, form: dict[str, str], number: int, entry: dict[str, Any]) -> Response:
        fault = self.d.faults.check(number, METHOD_ID, explicit_only=True)
        delay = self.d.latency.delay(METHOD_ID)
        if delay:
            time.sleep(delay)
        if fault is not None:
            entry["fault"] = fault.kind
            if fault.kind in ("drop_after", "timeout_after"):
                with contextlib.suppress(TokenError):  # the token is issued, the answer is lost
                    self.d.auth.token_endpoint(form)
                hold = fault.hold_seconds if fault.kind == "timeout_after" else 0.0
                return Response(drop="timeout" if hold else "drop", hold_seconds=hold)
            if fault.kind in ("drop", "timeout"):
                return Response(
                    drop=fault.kind, hold_seconds=fault.hold_seconds if fault.kind == "timeout" else 0
                )
            return _oauth_error(error_for(fault.kind))
        try:
            self.rate.charge(entry["client"] or "?", self.config().token_requests_per_client_per_minute)
            answer = self.d.auth.token_endpoint(form)
        except TokenError as err:
            return Response(err.status, err.body)
        principal = self.d.auth.principal("Bearer " + answer["access_token"])
        entry["user"] = principal.user if principal else None
        # Google's token answers are never cached by intermediaries
        return Response(
            200, answer, headers={"Cache-Control": "no-cache, no-store, max-age=0, must-revalidate"}
        )

    # -- GET /o/oauth2/auth (the consent screen, as a scripted browser sees it) -------------------------
    def authorize(self, query: str) -> Response:
        params = {k: v[0] for k, v in parse_qs(query).items()}
        redirect_uri = params.get("redirect_uri", "")
        problem = _authorize_problem(params, redirect_uri)
        if problem:  # Google shows an error page and never redirects
            return Response(400, f"Error 400: invalid_request\n{problem}".encode(), content_type="text/plain")
        answer: dict[str, str] = {}
        if "state" in params:
            answer["state"] = params["state"]
        if self.config().consent_denied:
            answer["error"] = "access_denied"
        else:
            scopes = params["scope"].split()
            answer["code"] = self.d.auth.consent(
                params["client_id"], redirect_uri, scopes,
                params.get("code_challenge", ""), params.get("code_challenge_method", "plain"),
            )  # fmt: skip
            answer["scope"] = " ".join(scopes)
        location = redirect_uri + ("&" if "?" in redirect_uri else "?") + urlencode(answer)
        return Response(302, b"", content_type="text/html", headers={"Location": location})


def _basic_auth(header: str) -> dict[str, str]:
    """Client credentials sent as HTTP Basic (RFC 6749 §2.3.1: requests-oauthlib's default), which Google
    accepts as well as client_id/client_secret in the body."""
    if not header.lower().startswith("basic "):
        return {}
    try:
        decoded = base64.b64decode(header.split(" ", 1)[1]).decode("utf-8")
    except ValueError:
        return {}
    client_id, _, secret = decoded.partition(":")
    return {"client_id": unquote_plus(client_id), "client_secret": unquote_plus(secret)}


def _authorize_problem(params: dict[str, str], redirect_uri: str) -> str:
    if params.get("response_type") != "code":
        return "response_type must be code"
    if not params.get("client_id"):
        return "Missing required parameter: client_id"
    if not params.get("scope"):
        return "Missing required parameter: scope"
    parts = urlsplit(redirect_uri)
    # a desktop client may only redirect to the loopback interface (Google's "loopback IP address" flow)
    if parts.scheme != "http" or parts.hostname not in ("localhost", "127.0.0.1", "::1"):
        return f"redirect_uri must be a loopback address, got {redirect_uri!r}"
    return ""


def _oauth_error(error: ApiError) -> Response:
    names = {429: "rate_limit_exceeded", 500: "internal_failure", 503: "temporarily_unavailable"}
    return Response(
        error.code, {"error": names.get(error.code, "access_denied"), "error_description": error.message}
    )
