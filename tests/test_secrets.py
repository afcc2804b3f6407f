"""Secrets: no access token, refresh token, client secret or private key leaks anywhere.

The google backend runs against the fake Workspace with ``-v`` (DEBUG logging) through
``init --google``, ``sync``, ``protocols``, ``auth status`` and ``--json``; then through
failures (a stale access token answered with 401, a permanent 403, a revoked refresh
token) and with a service-account key. Every secret that existed during the run — each
access token the fake issued, the refresh token, the OAuth client secret, the private key
and every line of its base64 body — is then looked for in stdout, stderr, every captured
log record (message, arguments, extras and traceback, at DEBUG, ``google`` loggers
included), the whole fake Workspace (the Журнал, every tab, every document and file), the
files the tool wrote in the workspace and state folders, and the log file when one is
configured (``GMO_SYNC_LOG_FILE`` is set; the CLI does not write a log file yet, so that
check starts to bite when it does). One run goes through a subprocess too, so the CLI's
own stderr handler (installed by ``-v``) is what is checked, not pytest's capture.

What the suite found: google-auth puts a service account's signed JWT grant into its DEBUG
request log (an ``httpRequest`` extra) unhashed; ``gmo_sync.cli.redact`` scrubs it.
"""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import gspread
import pytest
from click.testing import Result

from gmo_sync.cli.redact import REDACTED, RedactSecrets
from tests.fakegoogle import clients
from tests.google_env import GoogleInvoke

MEETING = ["ГМО-2021-10-13", "", "13.10.2021", "14:00", "", "онлайн", "", "Заседание рабочей группы",
           "Замятина Е.Д.", "Попыхова Т.Ю.", "Замятина Е.Д.", "руководители РМО", "13 человек",
           "проведено"]  # fmt: skip
SHAPES = re.compile(r"eyJ[\w-]{8,}\.[\w-]+\.[\w-]*|[Bb]earer [\w.~+/-]{8,}|ya29\.[\w-]+|PRIVATE KEY-----")
REFRESH_TOKEN = "fake-refresh-token"
CLIENT_SECRET = "fake-secret"


class Secrets:
    """Every secret seen during a test, and every text the tool produced, checked at the end."""

    def __init__(self, fake: Any, home: Path) -> None:
        self.fake, self.home = fake, home
        self.values: set[str] = {REFRESH_TOKEN, CLIENT_SECRET}
        self.texts: list[tuple[str, str]] = []  # (where, text)

    @property
    def token_file(self) -> Path:
        return self.home.parent / "config" / "gmo-sync" / "token.json"

    def harvest(self) -> None:
        # The fake forgets its tokens on expire_tokens(), so they are collected after every command.
        self.values.update(self.fake.dispatcher.auth.tokens)
        if self.token_file.exists():
            saved = json.loads(self.token_file.read_text(encoding="utf-8"))
            self.values.update(
                v for k, v in saved.items() if k in ("token", "refresh_token", "client_secret")
            )

    def add_key(self, info: dict[str, str]) -> None:
        pem = info["private_key"]
        self.values.add(pem.strip())
        body = [line for line in pem.splitlines() if line and not line.startswith("-----")]
        self.values.update(body)  # each 64-character line of the key's base64 alone is a leak
        self.values.add("".join(body)[200:260])

    def record(self, where: str, result: Result) -> None:
        self.texts += [(f"{where} stdout", result.stdout), (f"{where} stderr", result.stderr)]

    def leaks(self) -> list[str]:
        found = []
        for where, text in self.texts:
            for secret in self.values:
                if secret and secret in text:
                    found.append(f"{where}: {secret[:12]}…")
            # secrets never handed to the test: a service account's signed JWT grant, any bearer token
            found += [f"{where}: {m.group(0)[:24]}…" for m in SHAPES.finditer(text)]
        return found


@pytest.fixture
def secrets(fake: Any, google_home: Path, caplog: pytest.LogCaptureFixture, monkeypatch) -> Secrets:
    caplog.set_level(logging.DEBUG)
    # google-auth logs requests and responses (with headers) only when the «google» logger is
    # configured, e.g. by GOOGLE_SDK_PYTHON_LOGGING_SCOPE; configure it so those records are checked too.
    google = logging.getLogger("google")
    monkeypatch.setattr(google, "propagate", True)
    caplog.set_level(logging.DEBUG, logger="google")
    # a log file, when the CLI writes one (config: log_file)
    monkeypatch.setenv("GMO_SYNC_LOG_FILE", str(google_home / "gmo-sync.log"))
    return Secrets(fake, google_home)


def log_texts(caplog: pytest.LogCaptureFixture) -> list[tuple[str, str]]:
    """Every captured record as text: message, arguments, extras (google-auth's httpRequest), traceback."""
    formatter = logging.Formatter()
    texts = []
    for record in caplog.records:
        parts = [record.getMessage(), repr(record.args), repr(vars(record))]
        if record.exc_info:
            parts.append(formatter.formatException(record.exc_info))
        texts.append((f"log {record.name}", "\n".join(parts)))
    return texts


def files_written(*folders: Path, skip: tuple[Path, ...] = ()) -> list[tuple[str, str]]:
    texts = []
    for folder in folders:
        for path in sorted(folder.rglob("*")) if folder.exists() else []:
            if path.is_file() and path not in skip:
                texts.append((str(path), path.read_bytes().decode("utf-8", errors="replace")))
    return texts


def run(gmo_google: GoogleInvoke, secrets: Secrets, *args: str, code: int | tuple[int, ...] = 0) -> Result:
    """One CLI command; its secrets are collected and its output kept for the final check."""
    result = gmo_google(*args)
    secrets.harvest()
    secrets.record(" ".join(args), result)
    assert "Traceback" not in result.output, result.output
    assert result.exit_code in (code if isinstance(code, tuple) else (code,)), result.output
    return result


@pytest.fixture
def coordinator(fake: Any, google_home: Path) -> gspread.Client:
    """The coordinator's own browser session: its refresh token is not the one the tests revoke."""
    info = clients.authorized_user_info(fake.base_url, refresh_token="coordinator-refresh-token")
    return clients.gspread_client(fake.base_url, fake.ca_path, clients.credentials(fake.base_url, **info))


def coordinator_fills(coordinator: gspread.Client, spreadsheet_id: str) -> gspread.Spreadsheet:
    book = coordinator.open_by_key(spreadsheet_id)
    book.worksheet("Заседания").update([MEETING], "A2", value_input_option="USER_ENTERED")
    book.worksheet("Решения").update(
        [["ГМО-2021-10-13", 1, "Создать чек-лист «Библиошкола»", "Замятина Е.Д.", "01.11.2021"]],
        "A2", value_input_option="USER_ENTERED",
    )  # fmt: skip
    book.worksheet("Участники").update([["Замятина Елена Дмитриевна", "методист"]], "A2")  # the responsible
    return book


def check_everywhere(secrets: Secrets, caplog: pytest.LogCaptureFixture, book: gspread.Spreadsheet) -> None:
    journal = book.worksheet("Журнал").get_all_values()
    assert len(journal) > 1, "the runs with problems must have written Журнал rows"
    secrets.texts.append(("Журнал", json.dumps(journal, ensure_ascii=False)))
    secrets.texts.append(
        ("fake Workspace", json.dumps(secrets.fake.state(), ensure_ascii=False, default=str))
    )
    secrets.texts += log_texts(caplog)
    token_file = secrets.token_file
    secrets.texts += files_written(secrets.home, secrets.home.parent / "state",
                                   skip=(secrets.home / "sa.json",))  # fmt: skip
    assert any(r.levelno == logging.DEBUG for r in caplog.records), "-v must log at DEBUG"
    assert not secrets.leaks(), secrets.leaks()
    assert oct(token_file.stat().st_mode & 0o777) == "0o600"


def test_oauth_runs_and_failures_leak_nothing(
    gmo_google: GoogleInvoke, google_home: Path, fake: Any, coordinator: gspread.Client,
    secrets: Secrets, caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    run(gmo_google, secrets, "init", "--google", "--title", "ГМО секреты", "-v")
    book = coordinator_fills(coordinator, _config(google_home)["spreadsheet_id"])
    run(gmo_google, secrets, "sync", "-v")
    run(gmo_google, secrets, "protocols", "-v")
    run(gmo_google, secrets, "auth", "status", "-v")
    # a coordinator mistake: exit 1 and a Журнал row, so the Журнал has something to check
    book.worksheet("Заседания").update([["тринадцать"]], "M2", value_input_option="USER_ENTERED")
    problems = run(gmo_google, secrets, "sync", "-v", "--json", code=1)
    assert json.loads(problems.stdout)["problems"], problems.output

    # 401: the fake forgets every access token; the saved one is refused and refreshed
    fake.expire_tokens()
    run(gmo_google, secrets, "protocols", "-v", code=1)
    assert 401 in [e["status"] for e in fake.request_log()]

    # 403: a permanent «The caller does not have permission»
    fake.add_fault("403_denied", at=fake.request_count + 1)
    denied = run(gmo_google, secrets, "protocols", "-v", "--force", code=2)
    assert "Google отказал в доступе (403" in denied.stderr, denied.output

    # a revoked refresh token: exit 2 with the way out, in every output form
    fake.expire_tokens(revoke_refresh_tokens=[REFRESH_TOKEN])
    revoked = run(gmo_google, secrets, "sync", "-v", code=2)
    assert "invalid_grant" in revoked.stderr and "gmo-sync auth login" in revoked.stderr, revoked.output
    run(gmo_google, secrets, "sync", "-v", "--json", code=2)
    status = run(gmo_google, secrets, "auth", "status", "-v", code=2)  # the check failed: exit 2
    assert "invalid_grant" in status.output

    check_everywhere(secrets, caplog, book)
    assert len(secrets.values) > 4, "the fake must have issued access tokens to look for"


def test_service_account_runs_leak_no_key(
    gmo_google: GoogleInvoke, google_home: Path, fake: Any, coordinator: gspread.Client,
    secrets: Secrets, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    info = clients.service_account_info(fake.base_url)
    key = google_home / "sa.json"
    key.write_text(json.dumps(info), encoding="utf-8")
    secrets.add_key(info)
    monkeypatch.setenv("GMO_SYNC_GOOGLE_CREDENTIALS", str(key))
    run(gmo_google, secrets, "init", "--google", "--title", "ГМО ключ", "-v")
    book = coordinator_fills(coordinator, _config(google_home)["spreadsheet_id"])
    book.worksheet("Заседания").update([["в обед"]], "D2", value_input_option="USER_ENTERED")
    run(gmo_google, secrets, "sync", "-v", code=1)
    run(gmo_google, secrets, "protocols", "-v", "--json", code=1)
    run(gmo_google, secrets, "auth", "status", "-v")
    fake.expire_tokens()  # a service account has no refresh token: a new JWT is signed and sent
    fake.add_fault("403_denied", at=fake.request_count + 1)
    assert "403" in run(gmo_google, secrets, "sync", "-v", code=2).stderr
    # a damaged key: the error names the file, never its content
    broken = dict(info, private_key=info["private_key"].replace("MII", "XXX", 1))
    key.write_text(json.dumps(broken), encoding="utf-8")
    damaged = run(gmo_google, secrets, "sync", "-v", code=2)
    assert f"Ключ сервисного аккаунта {key} повреждён" in damaged.stderr
    check_everywhere(secrets, caplog, book)


def test_verbose_stderr_of_a_real_process_leaks_nothing(
    google_home: Path, fake: Any, coordinator: gspread.Client, gmo_google: GoogleInvoke, secrets: Secrets
) -> None:
    """pytest owns the root logger in-process; a subprocess shows what -v really writes to stderr."""
    run(gmo_google, secrets, "init", "--google", "--title", "ГМО процесс")
    coordinator_fills(coordinator, _config(google_home)["spreadsheet_id"])
    fake.expire_tokens()  # the saved access token is stale: the process must refresh (and may log it)
    env = dict(os.environ, HTTPLIB2_CA_CERTS=fake.ca_path)
    process = subprocess.run(
        [sys.executable, "-c", "from gmo_sync.cli.main import main; main()", "protocols", "-v"],
        capture_output=True, text=True, env=env, cwd=google_home, timeout=120,
    )  # fmt: skip
    secrets.harvest()
    assert process.returncode == 0, process.stderr
    assert "DEBUG" in process.stderr, "-v must turn on DEBUG logging"
    secrets.texts += [("process stdout", process.stdout), ("process stderr", process.stderr)]
    assert not secrets.leaks(), secrets.leaks()


def _config(work: Path) -> dict[str, str]:
    import tomllib

    return tomllib.loads((work / "gmo-sync.toml").read_text(encoding="utf-8"))["google"]


def test_redaction_filter_scrubs_message_arguments_extras_and_traceback() -> None:
    jwt = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4In0.c2lnbmF0dXJl"
    try:
        raise ValueError("refresh_token=1//0g-secret&client_id=x")
    except ValueError:
        args = ("Bearer ya29.a0-tok",)
        record = logging.LogRecord("google.auth", logging.DEBUG, __file__, 1, "sent %s", args, sys.exc_info())
    record.httpRequest = {"body": {"assertion": jwt, "grant_type": "jwt"}, "headers": {"Authorization": "x"}}
    assert RedactSecrets().filter(record)
    text = logging.Formatter("%(message)s %(httpRequest)s").format(record)
    for secret in ("ya29.a0-tok", jwt, "1//0g-secret", "'x'"):
        assert secret not in text, secret
    assert f"sent Bearer {REDACTED}" in text and "'grant_type': 'jwt'" in text and "client_id=x" in text
