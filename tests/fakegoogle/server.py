"""The HTTPS server and the ``FakeGoogle`` object tests hold.

One ThreadingHTTPServer with a trustme certificate for 127.0.0.1/localhost serves every API on Google's
paths, the token endpoint, HTTP batch and the ``/_fake`` control API.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import socket
import ssl
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import trustme

from .core import Dispatcher, Response
from .faults import FaultRule
from .projects import ProjectGate
from .tokens import TokenEndpoint
from .visibility import Visibility
from .workspace import Workspace


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    fake: FakeGoogle


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as Google's front ends do
    disable_nagle_algorithm = True  # headers and body go out in separate writes: avoid 40 ms ACK stalls
    server: _Server

    def do_GET(self) -> None:
        self._handle()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    def log_message(self, format: str, *args: Any) -> None:  # the request log replaces stderr noise
        pass

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _handle(self) -> None:
        fake = self.server.fake
        parts = urlsplit(self.path)
        body = self._read_body()
        headers = {k.lower(): v for k, v in self.headers.items()}
        path = parts.path
        try:
            if path == "/token" and self.command == "POST":
                response = fake.tokens.handle(body, headers)
            elif path == "/o/oauth2/auth" and self.command == "GET":
                response = fake.tokens.authorize(parts.query)
            elif path.startswith("/_fake/"):
                from .control import handle_control

                response = handle_control(fake, self.command, path, parts.query, body)
            elif path in ("/batch/drive/v3", "/batch/calendar/v3"):
                from .batch import handle_batch

                response = handle_batch(fake.dispatcher, path, headers, body)
            else:
                response = fake.dispatcher.call(self.command, path, parts.query, headers, body)
        except Exception as exc:  # a bug in the fake must still answer, loudly
            response = Response(
                500, {"error": {"code": 500, "message": f"fakegoogle crashed: {exc!r}", "status": "INTERNAL"}}
            )
            fake.crashes.append(repr(exc))
        self._send(response)

    def _send(self, response: Response) -> None:
        if response.drop:
            if response.hold_seconds:
                time.sleep(response.hold_seconds)
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        payload = response.payload()
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        if response.status != 204:
            if payload or response.body is not None:
                self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if response.status != 204:
            self.wfile.write(payload)


class FakeGoogle:
    """A strict fake of the Google Workspace APIs gmo-sync uses, over real HTTPS.

    >>> with FakeGoogle() as fake:  # doctest: +SKIP
    ...     fake.base_url, fake.ca_path
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0, seed: int = 0, workdir: str | None = None):
        self.host = host
        self.requested_port = port
        self.ws = Workspace()
        self.dispatcher = Dispatcher()
        self.dispatcher.faults.reset(seed)
        self.dispatcher.auth.lifetime = lambda: self.ws.config.access_token_lifetime_seconds
        self.tokens = TokenEndpoint(self.dispatcher, lambda: self.ws.config)
        self.dispatcher.gates.append(ProjectGate(lambda: self.ws.config))
        self.crashes: list[str] = []
        self._own_workdir = workdir is None
        self.workdir = Path(workdir or tempfile.mkdtemp(prefix="fakegoogle-"))
        self.workdir.mkdir(parents=True, exist_ok=True)  # --workdir D: D need not exist yet
        self.ca_path = str(self.workdir / "fakegoogle-ca.pem")
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._register()

    def _register(self) -> None:
        from .calendar import Calendar
        from .docs import Docs
        from .drive import Drive
        from .gmail import Gmail
        from .sheets import Sheets

        self.sheets = Sheets(self.ws)
        self.drive = Drive(self.ws, self.sheets)
        self.calendar = Calendar(self.ws)
        self.docs = Docs(self.ws)
        self.docs.drive = self.drive
        self.gmail = Gmail(self.ws)
        for service in (self.sheets, self.drive, self.calendar, self.docs, self.gmail):
            service.register(self.dispatcher)
        self.visibility = Visibility(self.ws)
        self.visibility.install(self.dispatcher, self.drive)

    # -- lifecycle --------------------------------------------------------------------------------------
    def start(self) -> FakeGoogle:
        ca = trustme.CA()
        cert = ca.issue_cert("127.0.0.1", "localhost")
        ca.cert_pem.write_to_path(self.ca_path)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        cert.configure_cert(context)
        server = _Server((self.host, self.requested_port), _Handler)
        # Handshake lazily in the worker thread: a client that connects and stalls must not block accept().
        server.socket = context.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
        server.fake = self
        self._server = server
        self.dispatcher.base_url = self.base_url
        self._thread = threading.Thread(target=server.serve_forever, name="fakegoogle", daemon=True)
        self._thread.start()
        return self

    @property
    def port(self) -> int:
        assert self._server is not None, "FakeGoogle.start() first"
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._own_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> FakeGoogle:
        return self.start() if self._server is None else self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- control (the same operations /_fake/... exposes over HTTP) -----------------------------------
    def reset(self) -> None:
        """Forget all state, faults, latency, quotas, log and tokens (config back to defaults)."""
        with self.dispatcher.state_lock:
            self.ws.spreadsheets.clear()
            self.ws.files.clear()
            self.ws.contents.clear()
            self.ws.calendars.clear()
            self.ws.mail.clear()
            self.ws.config.__init__()
            self.docs.reset()
        self.dispatcher.reset()
        self.tokens.reset()
        self.crashes.clear()

    @property
    def request_count(self) -> int:
        return self.dispatcher.request_count

    def request_log(self, tokens: bool = True) -> list[dict[str, Any]]:
        """Every request in order; ``tokens=False`` leaves out the token endpoint's (``oauth2.token``)."""
        return [dict(e) for e in self.dispatcher.log if tokens or e["api_method"] != "oauth2.token"]

    def add_fault(
        self,
        kind: str,
        *,
        at: int | None = None,
        probability: float | None = None,
        method: str | None = None,
        times: int | None = None,
        hold_seconds: float = 5.0,
    ) -> FaultRule:
        return self.dispatcher.faults.add(FaultRule(kind, at, probability, method, times, hold_seconds))

    def clear_faults(self, seed: int | None = None) -> None:
        self.dispatcher.faults.reset(seed)

    def set_latency(self, ms: float = 0.0, per_method: dict[str, float] | None = None) -> None:
        self.dispatcher.latency.default_ms = ms
        self.dispatcher.latency.per_method = dict(per_method or {})

    def set_quotas(
        self, enabled: bool = True, limits: dict[str, int] | None = None, window_seconds: float = 60.0
    ) -> None:
        quotas = self.dispatcher.quotas
        quotas.enabled = enabled
        quotas.window_seconds = window_seconds
        if limits:
            quotas.limits.update(limits)

    def expire_tokens(self, revoke_refresh_tokens: list[str] | None = None) -> None:
        """Expire every issued access token now (a client that still holds one gets 401; one that knows
        its token's expiry refreshes first); optionally revoke refresh tokens so the refresh fails with
        invalid_grant, like an OAuth app left in "Testing" after 7 days."""
        self.dispatcher.auth.expire_all(revoke_refresh_tokens)

    def narrow_scopes(self, scopes: list[str], refresh_token: str = "*") -> None:
        """The user left only ``scopes`` ticked on the consent screen: tokens from this refresh token (``*``:
        every one, and every sign-in from now on) carry at most these; API calls needing another answer
        403 ACCESS_TOKEN_SCOPE_INSUFFICIENT."""
        self.dispatcher.auth.narrow(scopes, refresh_token)

    def open_with(self, file_id: str, client_id: str) -> None:
        """The user opened the file with this OAuth client (Picker, «Открыть с помощью»): drive.file
        sees it from now on."""
        with self.dispatcher.state_lock:
            self.visibility.open_with(file_id, client_id)

    def configure(self, **values: Any) -> None:
        self.ws.config.update(values)

    def act(self, action: dict[str, Any], before_request: int | None = None) -> Any:
        """Run a coordinator action now, or just before API request number ``before_request``."""
        from .actions import run_action, validate_action

        validate_action(self, action)
        if before_request is None:
            with self.dispatcher.state_lock:
                return run_action(self, action)
        self.dispatcher.schedule(before_request, lambda: run_action(self, action), action)
        return None

    def state(self) -> dict[str, Any]:
        from .control import dump_state

        return dump_state(self)

    def describe(self) -> dict[str, Any]:
        return {"base_url": self.base_url, "ca_path": self.ca_path, "port": self.port}

    def __repr__(self) -> str:
        return f"FakeGoogle({json.dumps(self.describe()) if self._server else 'stopped'})"
