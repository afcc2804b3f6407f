"""Signing in to Google from a desktop, a server without a browser, or a laptop for a server.

Google's desktop flow redirects the browser to ``http://localhost:PORT/?state=…&code=…`` — localhost of the
machine where the URL was *opened*. On a server reached over ssh that is the wrong machine, so besides the
loopback listener (which a browser on this machine, or ``ssh -L PORT:localhost:PORT`` with a fixed
``--port``, reaches) the flow also takes the redirected address pasted into the terminal: the code is in it.
Whichever arrives first completes the sign-in. The pasted address must carry the ``state`` this sign-in
sent, or it is refused: an address from another sign-in (or someone else's) never installs a token.

The out-of-band copy-the-code flow Google shut down in 2023 is not needed for any of this.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import queue
import threading
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
from google.oauth2.credentials import Credentials
from oauthlib.oauth2.rfc6749.errors import OAuth2Error

from gmo_sync.backends.google.auth import SCOPES, AuthError, store_token, token_path
from gmo_sync.backends.google.diagnosis import GoogleSetupError, missing_scope_message

DONE_PAGE = "Готово: gmo-sync получил доступ. Это окно можно закрыть.".encode()
DENIED_PAGE = "Доступ не разрешён. Вернитесь в терминал.".encode()


@dataclass(frozen=True)
class Redirect:
    """What the browser was sent back with: a code, or Google's error."""

    state: str
    code: str = ""
    error: str = ""


def parse_redirect(address: str) -> Redirect | None:
    """The redirected address (``http://localhost:PORT/?state=…&code=…``), or None if it is not one."""
    params = parse_qs(urlsplit(address.strip()).query)
    if "state" not in params or not ({"code", "error"} & params.keys()):
        return None
    return Redirect(params["state"][0], params.get("code", [""])[0], params.get("error", [""])[0])


def client_config(path: Path, endpoint: str = "") -> dict[str, Any]:
    """The OAuth client JSON (a «Desktop app» client), checked; with ``endpoint`` its URIs move there."""
    if not path.exists():
        raise AuthError(
            f"Файл OAuth-клиента {path} не найден. Создайте в Google Cloud Console клиент "
            f"типа «Desktop app» и скачайте JSON (см. README, раздел о настройке Google)."
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise AuthError(f"Файл OAuth-клиента {path} не читается как JSON ({type(error).__name__}).") from None
    if not isinstance(data, dict) or "installed" not in data:
        kind = "web" if isinstance(data, dict) and "web" in data else "не OAuth-клиент"
        raise AuthError(
            f"Файл {path} — {kind}: нужен OAuth-клиент типа «Desktop app» (Credentials → Create credentials "
            f"→ OAuth client ID → Desktop app)."
        )
    installed = dict(data["installed"])
    missing = [k for k in ("client_id", "client_secret", "auth_uri", "token_uri") if not installed.get(k)]
    if missing:
        raise AuthError(f"В файле OAuth-клиента {path} нет полей: {', '.join(missing)}; скачайте его заново.")
    if endpoint:
        installed["auth_uri"] = endpoint.rstrip("/") + "/o/oauth2/auth"
        installed["token_uri"] = endpoint.rstrip("/") + "/token"
    return {"installed": installed}


class _Listener(BaseHTTPRequestHandler):
    """The loopback redirect target: hands the address it was called with to the waiting sign-in."""

    server: _LoopbackServer

    def do_GET(self) -> None:
        redirect = parse_redirect(self.path)
        if redirect is None:  # a favicon, a probe: not the redirect
            self.send_response(404)
            self.end_headers()
            return
        page = DENIED_PAGE if redirect.error else DONE_PAGE
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(page)))
        self.end_headers()
        self.wfile.write(page)
        self.server.arrived.put(("browser", f"http://localhost:{self.server.server_port}{self.path}"))

    def log_message(self, format: str, *args: Any) -> None:  # the address carries the code: never logged
        pass


class _LoopbackServer(ThreadingHTTPServer):
    daemon_threads = True
    arrived: queue.Queue[tuple[str, str | None]]


def _listen(port: int, arrived: queue.Queue[tuple[str, str | None]]) -> _LoopbackServer:
    try:
        server = _LoopbackServer(("localhost", port), _Listener)
    except OSError as error:
        raise AuthError(
            f"Порт {port} на этом компьютере занят ({error.strerror}); укажите другой: --port НОМЕР."
        ) from None
    server.arrived = arrived
    threading.Thread(target=server.serve_forever, name="gmo-sync-signin", daemon=True).start()
    return server


def _read_pasted(read_line: Callable[[], str], arrived: queue.Queue[tuple[str, str | None]]) -> None:
    while True:
        line = read_line()
        if not line:  # end of input: nothing more will be pasted
            arrived.put(("terminal", None))
            return
        if line.strip():
            arrived.put(("terminal", line.strip()))


def sign_in(client_secrets: Path, *, open_browser: bool, port: int, say: Callable[[str], None],
            read_line: Callable[[], str], endpoint: str = "", ca_bundle: str = "",
            scopes: list[str] = SCOPES) -> Credentials:  # fmt: skip
    """The desktop OAuth flow with PKCE; the redirect arrives at the loopback listener or is pasted."""
    from google_auth_oauthlib.flow import Flow

    config = client_config(client_secrets, endpoint)
    arrived: queue.Queue[tuple[str, str | None]] = queue.Queue()
    server = _listen(port, arrived)
    try:
        port = server.server_port
        flow = Flow.from_client_config(config, scopes, redirect_uri=f"http://localhost:{port}/")
        url, state = flow.authorization_url(access_type="offline", prompt="consent")
        if open_browser:
            say(f"Откройте в браузере и разрешите доступ (если он не открылся сам):\n{url}")
            webbrowser.open(url, new=1, autoraise=True)
        else:
            say(_headless_instructions(url, port))
            threading.Thread(target=_read_pasted, args=(read_line, arrived), daemon=True).start()
        redirect = _wait(arrived, state, say)
    finally:
        server.shutdown()
        server.server_close()
    # Google returns the scopes the user left ticked; oauthlib would raise on any difference
    os.environ.setdefault("OAUTHLIB_RELAX_TOKEN_SCOPE", "1")
    try:
        flow.fetch_token(code=redirect.code, verify=ca_bundle or True)
    except OAuth2Error as error:  # Google refused the exchange: the client file or a stale code
        raise AuthError(
            f"Google не выдал токен в обмен на код ({error.error}): скачайте файл OAuth-клиента заново из "
            f"Google Cloud Console (тип «Desktop app») и запустите gmo-sync auth login ещё раз."
        ) from None
    except requests.RequestException as error:
        raise AuthError(f"Нет связи с Google ({type(error).__name__}): повторите вход позже.") from None
    creds = flow.credentials
    granted = set(getattr(creds, "granted_scopes", None) or scopes)
    missing = [scope for scope in scopes if scope not in granted]
    if missing:  # saving it would only make every later run fail halfway
        raise GoogleSetupError(missing_scope_message(missing))
    return creds


def _wait(arrived: queue.Queue[tuple[str, str | None]], state: str, say: Callable[[str], None]) -> Redirect:
    while True:
        source, address = arrived.get()
        if address is None:
            raise AuthError("Вход не завершён: адрес из браузера не был вставлен. Запустите gmo-sync auth "
                            "login ещё раз.")  # fmt: skip
        redirect = parse_redirect(address)
        if redirect is None:
            say("Это не тот адрес: нужен адрес, на который браузер перешёл после «Разрешить», целиком "
                "(он начинается с http://localhost: и содержит state= и code=). Вставьте его ещё раз:")
            continue
        if redirect.state != state:
            raise AuthError(
                "Адрес не от этого входа (state не совпадает): откройте ссылку, напечатанную сейчас, и "
                "вставьте адрес, на который перейдёт браузер. Токен не сохранён."
            )
        if redirect.error:
            raise AuthError(
                f"Google не выдал доступ ({redirect.error}): запустите gmo-sync auth login ещё раз и на "
                f"экране Google нажмите «Разрешить» / «Continue»."
            )
        if source == "browser":
            say("Адрес получен от браузера.")
        return redirect


def _headless_instructions(url: str, port: int) -> str:
    return (
        "Откройте эту ссылку в браузере на любом компьютере и разрешите доступ:\n"
        f"{url}\n\n"
        f"После «Разрешить» браузер перейдёт на адрес http://localhost:{port}/?state=…&code=… . Если "
        "страница не откроется (на другом компьютере так и будет), скопируйте этот адрес из адресной строки "
        "целиком и вставьте сюда.\n"
        f"(С туннелем ssh -L {port}:localhost:{port} вставлять ничего не нужно: адрес придёт сам.)\n"
        "Адрес из браузера:"
    )


def login(client_secrets: Path, *, open_browser: bool, port: int, say: Callable[[str], None],
          read_line: Callable[[], str], now: dt.datetime, endpoint: str = "",
          ca_bundle: str = "", scopes: list[str] | None = None) -> Path:  # fmt: skip
    """Sign in and keep the token in the user's config folder, owner-only."""
    creds = sign_in(client_secrets, open_browser=open_browser, port=port, say=say, read_line=read_line,
                    endpoint=endpoint, ca_bundle=ca_bundle, scopes=scopes or SCOPES)  # fmt: skip
    path = token_path()
    store_token(path, creds, now.astimezone(dt.UTC).isoformat(timespec="seconds"))
    return path
