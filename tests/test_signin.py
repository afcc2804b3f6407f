"""Signing in where cron runs: the redirected address pasted back, a fixed port for ssh -L, a token imported.

The "browser" is scripted: it GETs the printed authorization URL from the fake's consent screen, which
answers with the 302 Google would send, and either pastes the Location into the waiting prompt (the
browser's machine cannot reach the server's localhost) or follows it (the ssh -L case).
"""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from tests.google_env import GoogleInvoke

CLIENT_ID = "fake-client.apps.googleusercontent.com"
CLIENT_SECRET = "GOCSPX-fake-client-secret"


def client_secrets(folder: Path) -> Path:
    """A «Desktop app» client as the Cloud Console downloads it (Google's URIs: the endpoint moves them)."""
    path = folder / "client_secret.json"
    installed = {
        "client_id": CLIENT_ID,
        "project_id": "fake-project",
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": "https://oauth2.googleapis.com/token",
        "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
        "client_secret": CLIENT_SECRET,
        "redirect_uris": ["http://localhost"],
    }
    path.write_text(json.dumps({"installed": installed}), encoding="utf-8")
    return path


def token_file(google_home: Path) -> Path:
    return google_home.parent / "config" / "gmo-sync" / "token.json"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Login:
    """`gmo-sync auth login` in a real process, read line by line as a person at the terminal would."""

    def __init__(self, google_home: Path, fake, *args: str) -> None:
        command = [sys.executable, "-c", "from gmo_sync.cli.main import main; main()", "auth", "login",
                   "--client-secrets", str(client_secrets(google_home)), *args]  # fmt: skip
        pipe = subprocess.PIPE
        self.proc = subprocess.Popen(command, cwd=google_home, env=dict(os.environ), text=True,
                                     stdin=pipe, stdout=pipe, stderr=pipe)  # fmt: skip
        self.fake = fake
        self.seen: list[str] = []

    def authorization_url(self) -> str:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.seen.append(line)
            if line.startswith(self.fake.base_url + "/o/oauth2/auth?"):
                return line.strip()
        raise AssertionError("no URL printed: " + "".join(self.seen) + self.proc.stderr.read())

    def browser(self, url: str) -> str:
        """Google's consent screen, as a browser meets it: the address it is sent to next."""
        answer = requests.get(url, allow_redirects=False, verify=self.fake.ca_path, timeout=10)
        assert answer.status_code == 302, answer.text
        return answer.headers["Location"]

    def paste(self, text: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(text + "\n")
        self.proc.stdin.flush()

    def finish(self) -> tuple[int, str, str]:
        # read through the same buffered pipe objects: communicate() would skip what they read ahead
        assert self.proc.stdin is not None and self.proc.stdout is not None and self.proc.stderr is not None
        self.proc.stdin.close()
        out, err = self.proc.stdout.read(), self.proc.stderr.read()
        self.proc.wait(timeout=60)
        return self.proc.returncode, "".join(self.seen) + out, err


def test_no_browser_completes_by_pasting_the_redirected_address(google_home: Path, fake) -> None:
    before = token_file(google_home).read_text(encoding="utf-8")
    login = Login(google_home, fake, "--no-browser")
    url = login.authorization_url()
    redirected = login.browser(url)  # http://localhost:PORT/?state=…&code=…: nothing listens there for us
    assert redirected.startswith("http://localhost:")
    login.paste(redirected)
    code, out, err = login.finish()
    assert code == 0, out + err
    assert "Вход выполнен. Токен сохранён в" in out and "Адрес из браузера:" in out
    saved = json.loads(token_file(google_home).read_text(encoding="utf-8"))
    assert token_file(google_home).read_text(encoding="utf-8") != before
    assert saved["refresh_token"].startswith("1//fake-") and saved["client_id"] == CLIENT_ID
    assert saved["signed_in"] and saved["expiry"]
    assert stat.S_IMODE(token_file(google_home).stat().st_mode) == 0o600
    for secret in (saved["refresh_token"], saved["token"], CLIENT_SECRET, parse_qs(urlsplit(redirected).query)
                   ["code"][0]):  # fmt: skip
        assert secret not in out + err
    grants = [e["grant"] for e in fake.request_log() if e["api_method"] == "oauth2.token"]
    assert grants == ["authorization_code"]


def test_a_fixed_port_takes_the_redirect_through_an_ssh_tunnel(google_home: Path, fake) -> None:
    port = free_port()
    login = Login(google_home, fake, "--no-browser", "--port", str(port))
    url = login.authorization_url()
    assert parse_qs(urlsplit(url).query)["redirect_uri"] == [f"http://localhost:{port}/"]
    redirected = login.browser(url)
    # ssh -L PORT:localhost:PORT: the laptop's browser reaches the server's listener, nothing is pasted
    session = requests.Session()
    session.trust_env = False
    page = session.get(redirected, timeout=10)
    assert page.status_code == 200 and "Готово" in page.text
    code, out, err = login.finish()
    assert code == 0, out + err
    assert "Адрес получен от браузера." in out
    assert json.loads(token_file(google_home).read_text(encoding="utf-8"))["refresh_token"].startswith("1//")


def test_a_pasted_address_of_another_sign_in_is_refused(google_home: Path, fake) -> None:
    before = token_file(google_home).read_text(encoding="utf-8")
    login = Login(google_home, fake, "--no-browser")
    redirected = login.browser(login.authorization_url())
    login.paste("это не адрес")
    forged = redirected.replace("state=", "state=x", 1)
    login.paste(forged)
    code, out, err = login.finish()
    assert code == 2, out + err
    assert "Это не тот адрес" in out
    assert err.splitlines()[0] == (
        "Ошибка: Адрес не от этого входа (state не совпадает): откройте ссылку, напечатанную сейчас, и "
        "вставьте адрес, на который перейдёт браузер. Токен не сохранён."
    )
    assert token_file(google_home).read_text(encoding="utf-8") == before
    assert not [e for e in fake.request_log() if e["api_method"] == "oauth2.token"]  # the code was not used


def test_pressing_cancel_or_unticking_a_box_saves_nothing(google_home: Path, fake) -> None:
    before = token_file(google_home).read_text(encoding="utf-8")
    fake.configure(consent_denied=True)
    login = Login(google_home, fake, "--no-browser")
    login.paste(login.browser(login.authorization_url()))
    code, out, err = login.finish()
    assert code == 2 and "Google не выдал доступ (access_denied)" in err, out + err
    fake.configure(consent_denied=False)
    fake.narrow_scopes(
        ["https://www.googleapis.com/auth/spreadsheets", "https://www.googleapis.com/auth/drive.file"]
    )
    login = Login(google_home, fake, "--no-browser")
    login.paste(login.browser(login.authorization_url()))
    code, out, err = login.finish()
    assert code == 2, out + err
    assert "без разрешения на Google Календарь (calendar.events)" in err and "Traceback" not in err
    assert token_file(google_home).read_text(encoding="utf-8") == before


def test_end_of_input_without_an_address(gmo_google: GoogleInvoke, google_home: Path, fake) -> None:
    secrets = client_secrets(google_home)
    result = gmo_google("auth", "login", "--no-browser", "--client-secrets", str(secrets))
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == (
        "Ошибка: Вход не завершён: адрес из браузера не был вставлен. Запустите gmo-sync auth login ещё раз."
    )


def test_a_busy_port_and_a_web_client_are_named(gmo_google: GoogleInvoke, google_home: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = gmo_google("auth", "login", "--no-browser", "--port", str(port),
                            "--client-secrets", str(client_secrets(google_home)))  # fmt: skip
    assert result.exit_code == 2 and f"Порт {port} на этом компьютере занят" in result.output, result.output
    web = google_home / "web.json"
    web.write_text(json.dumps({"web": {"client_id": "x"}}), encoding="utf-8")
    result = gmo_google("auth", "login", "--client-secrets", str(web))
    assert result.exit_code == 2 and "нужен OAuth-клиент типа «Desktop app»" in result.output


def test_import_installs_a_laptop_token_owner_only(gmo_google: GoogleInvoke, google_home: Path, fake) -> None:
    laptop = google_home / "from-laptop.json"
    info = {"token": "ya29.old", "refresh_token": "1//laptop-refresh", "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET, "token_uri": "https://oauth2.googleapis.com/token",
            "scopes": ["https://www.googleapis.com/auth/spreadsheets"],
            "signed_in": "2026-11-20T10:00:00+00:00"}  # fmt: skip
    laptop.write_text(json.dumps(info), encoding="utf-8")
    laptop.chmod(0o644)
    result = gmo_google("auth", "import", str(laptop))
    assert result.exit_code == 0, result.output
    path = token_file(google_home)
    assert result.output.splitlines()[0] == (
        f"Токен установлен в {path} (доступ только у владельца). Удалите копию {laptop}."
    )
    assert json.loads(path.read_text(encoding="utf-8")) == info
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "1//laptop-refresh" not in result.output and CLIENT_SECRET not in result.output
    assert gmo_google("auth", "status").exit_code == 0  # the imported sign-in works


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ({"type": "service_account", "private_key": "-----BEGIN"}, "ключ сервисного аккаунта"),
        ({"installed": {"client_id": "x"}}, "OAuth-клиент, а не токен"),
        ({"refresh_token": "1//r", "client_id": CLIENT_ID}, "нет полей: client_secret"),
        ([1, 2], "ожидается JSON-объект"),
        ("not json", "не читается как JSON"),
    ],
)
def test_import_refuses_what_is_not_a_token(gmo_google: GoogleInvoke, google_home: Path, content, expected):
    before = token_file(google_home).read_text(encoding="utf-8")
    source = google_home / "thing.json"
    source.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    result = gmo_google("auth", "import", str(source))
    assert result.exit_code == 2 and expected in result.output, result.output
    assert "BEGIN" not in result.output and "Traceback" not in result.output
    assert token_file(google_home).read_text(encoding="utf-8") == before
