"""Credentials → HTTP clients with bounded retries → the libraries' resource objects.

Everything Google-bound is built here, so the one setting that points the product
at the test stand-in (``[google] endpoint`` / ``GMO_SYNC_GOOGLE_ENDPOINT`` plus
``ca_bundle``) is honoured in one place and nothing else knows it exists:

* googleapiclient services are built from the discovery documents shipped with the
  library (no network), with ``api_endpoint`` moved when an endpoint is set;
* gspread imports its URL constants by value, so instead of patching them the
  session moves Google's hosts to the endpoint;
* google-auth ignores ``token_uri`` from authorized-user info, so it is set
  explicitly on the credentials — keeping the token's expiry, which the copy
  ``with_token_uri`` makes would drop.

Tokens are refreshed before a request, never after a 401: the saved expiry says
when the access token dies, and ``refresh_if_needed`` gets a new one once, up
front, before any (possibly parallel) API call would.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import google.auth.transport.requests
import google_auth_httplib2
import gspread
import httplib2
import requests
from google.auth.credentials import Credentials
from googleapiclient.discovery import build
from googleapiclient.http import BatchHttpRequest, HttpRequest

from gmo_sync.backends.google.pacing import Pacer, group_of
from gmo_sync.backends.google.retry import RetryPolicy

log = logging.getLogger(__name__)
T = TypeVar("T")

GOOGLE_HOSTS = ("https://sheets.googleapis.com", "https://www.googleapis.com", "https://docs.googleapis.com")
SERVICE_PATHS = {"drive": "/drive/v3/", "calendar": "/calendar/v3/"}
TIMEOUT = 60  # seconds; a hung connection must not hang cron


class _VerifyingSession(requests.Session):
    """Verifies against ``ca_bundle`` on every request: a session's ``verify`` alone loses to
    ``REQUESTS_CA_BUNDLE``/``CURL_CA_BUNDLE`` in the environment."""

    def __init__(self, ca_bundle: str | None, timeout: float = TIMEOUT) -> None:
        super().__init__()
        self.ca_bundle = ca_bundle
        self.timeout = timeout

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        if self.ca_bundle:
            kwargs.setdefault("verify", self.ca_bundle)
        kwargs.setdefault("timeout", self.timeout)
        return super().request(method, url, *args, **kwargs)


class _EndpointSession(google.auth.transport.requests.AuthorizedSession):
    """An authorized requests session that sends Google-bound URLs to ``endpoint`` (tests only)."""

    def __init__(
        self, credentials: Credentials, endpoint: str, ca_bundle: str | None, timeout: float = TIMEOUT
    ) -> None:
        token_session = _VerifyingSession(ca_bundle, timeout)
        super().__init__(credentials, auth_request=google.auth.transport.requests.Request(token_session))
        self.endpoint = endpoint.rstrip("/")
        self.ca_bundle = ca_bundle
        self.timeout = timeout

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        if self.endpoint:
            for host in GOOGLE_HOSTS:
                if url.startswith(host):
                    url = self.endpoint + url[len(host) :]
                    break
        if self.ca_bundle:
            # per request: REQUESTS_CA_BUNDLE in the environment would override session.verify
            kwargs.setdefault("verify", self.ca_bundle)
        kwargs.setdefault("timeout", self.timeout)
        return super().request(method, url, *args, **kwargs)


class _SendOnce(httplib2.Http):
    """httplib2 without its silent re-send of writes.

    When the first answer on a connection is a dropped one, httplib2 takes the connection for a stale
    keep-alive and sends the request again, whatever its method. For a ``files.create`` whose write
    Google applied before the answer was lost, that re-send makes a second document, and the caller
    never learns there was a failure to look up after. Here a write goes out once per call; a lost
    answer surfaces as a ``ConnectionResetError``, which the retry policy handles with its idempotency
    keys (Drive: look the document up first; Calendar: the event's own ID; Sheets: same cells again).
    """

    def _conn_request(self, conn: Any, request_uri: str, method: str, body: Any, headers: Any) -> Any:
        if method in ("GET", "HEAD"):
            return super()._conn_request(conn, request_uri, method, body, headers)
        send = conn.request
        sent = 0

        def once(*args: Any, **kwargs: Any) -> Any:
            nonlocal sent
            sent += 1
            if sent > 1:
                raise ConnectionResetError("соединение разорвано до ответа; запрос не отправлен повторно")
            return send(*args, **kwargs)

        conn.request = once
        try:
            return super()._conn_request(conn, request_uri, method, body, headers)
        finally:
            del conn.request  # connections are pooled: the next call gets the plain method back


class _RetryingHTTPClient(gspread.HTTPClient):
    """gspread's client with our bounded retries (its own BackOffHTTPClient never gives up) and pacing."""

    policy: RetryPolicy
    pacer: Pacer

    def request(self, method: str, endpoint: str, *args: Any, **kwargs: Any) -> requests.Response:
        group = group_of(method, endpoint)

        def attempt() -> requests.Response:
            if group:
                self.pacer.acquire(group)  # every attempt counts against the quota, retries too
            return super(_RetryingHTTPClient, self).request(method, endpoint, *args, **kwargs)

        return self.policy.call("Sheets", attempt)


class _Collections:
    """A googleapiclient service whose collections (``files()``, ``events()``) are built once.

    The library builds every method of a collection from the discovery document on each such call
    (about 20 ms): with hundreds of uploads or events each asking for ``files()`` / ``events()``, that
    was most of a large first run's CPU time, held under the GIL by the upload threads.
    """

    def __init__(self, service: Any) -> None:
        self._service = service
        self._built: dict[str, Any] = {}

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._service, name)
        if not callable(attribute):
            return attribute

        def collection(*args: Any, **kwargs: Any) -> Any:
            if args or kwargs:
                return attribute(*args, **kwargs)
            if name not in self._built:
                self._built[name] = attribute()
            return self._built[name]

        return collection


@dataclass
class GoogleConnection:
    credentials: Credentials
    endpoint: str = ""
    ca_bundle: str = ""
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    pacer: Pacer = field(default_factory=Pacer)
    timeout: float = TIMEOUT
    on_close: Callable[[], None] | None = field(default=None, repr=False)
    _services: dict[int, dict[str, Any]] = field(default_factory=dict, repr=False)  # by thread
    _refresh_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    token_requests: int = field(default=0, init=False)  # made by this run: a cron run an hour apart makes one

    def close(self) -> None:
        log.debug("Google: запросов токена за запуск: %d", self.token_requests)
        if self.on_close is not None:
            self.on_close()

    def __post_init__(self) -> None:
        if self.endpoint and hasattr(self.credentials, "with_token_uri"):
            moved = self.credentials.with_token_uri(self.endpoint.rstrip("/") + "/token")
            # The copy keeps the token but not its expiry: google-auth would then take the token for
            # valid forever and learn of its death from a 401 (401, token, retry on every first call).
            moved.expiry = self.credentials.expiry
            self.credentials = moved

    def refresh_if_needed(self, force: bool = False) -> bool:
        """Get a fresh access token now if the saved one is missing or (about to be) expired.

        One token request, before the first API call: the threads of a run share these credentials, and
        each would otherwise refresh on its own. Returns whether a token request was made. ``force``:
        refresh anyway (``doctor`` proves the refresh token works)."""
        with self._refresh_lock:
            if self.credentials.valid and not force:
                return False
            request = google.auth.transport.requests.Request(_VerifyingSession(self.ca_bundle or None,
                                                                               self.timeout))  # fmt: skip
            self.token_requests += 1
            self.credentials.refresh(request)
            return True

    def gspread(self) -> gspread.Client:
        session = _EndpointSession(self.credentials, self.endpoint, self.ca_bundle or None, self.timeout)
        client = gspread.Client(auth=self.credentials, session=session, http_client=_RetryingHTTPClient)
        client.http_client.policy = self.retry  # type: ignore[attr-defined]
        client.http_client.pacer = self.pacer  # type: ignore[attr-defined]
        return client

    def http(self) -> google_auth_httplib2.AuthorizedHttp:
        raw = _SendOnce(ca_certs=self.ca_bundle or None, timeout=self.timeout)
        return google_auth_httplib2.AuthorizedHttp(self.credentials, http=raw)

    def service(self, name: str, version: str) -> Any:
        """The API's resource object, one per thread: httplib2 connections must not be shared."""
        services = self._services.setdefault(threading.get_ident(), {})
        if name not in services:
            options = {}
            if self.endpoint:
                options["api_endpoint"] = self.endpoint.rstrip("/") + SERVICE_PATHS.get(name, "/")
            services[name] = _Collections(build(
                name, version, static_discovery=True, cache_discovery=False,
                client_options=options or None, http=self.http(),
            ))  # fmt: skip
        return services[name]

    def batch(self, name: str, callback: Callable[..., None]) -> BatchHttpRequest:
        # client_options do not move the batch URL; it must be given explicitly
        base = self.endpoint.rstrip("/") if self.endpoint else "https://www.googleapis.com"
        return BatchHttpRequest(callback=callback, batch_uri=f"{base}/batch/{name}/v3")

    def execute(self, what: str, request: HttpRequest) -> Any:
        group = group_of(request.method, request.uri)

        def attempt() -> Any:
            if group:
                self.pacer.acquire(group)
            return request.execute(num_retries=0)

        return self.retry.call(what, attempt)
