"""`gmo-sync auth status` and credentials handling, against the fake (no secrets in output)."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from tests.fakegoogle import clients
from tests.google_env import GoogleInvoke


def token_file(google_home: Path) -> Path:
    return google_home.parent / "config" / "gmo-sync" / "token.json"


def test_status_of_an_oauth_login(gmo_google: GoogleInvoke, google_home: Path, fake) -> None:
    result = gmo_google("auth", "status")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"Вход через OAuth: токен в {token_file(google_home)}"
    assert lines[1] == "Права: spreadsheets, drive.file, calendar.events"
    assert lines[2].startswith("Аккаунт Google:") and "@" in lines[2]
    assert "«Testing»" in result.output and "7 дней" in result.output
    saved = json.loads(token_file(google_home).read_text(encoding="utf-8"))
    assert saved["token"] and saved["token"] not in result.output  # refreshed and kept, never printed
    assert saved["refresh_token"] not in result.output
    assert stat.S_IMODE(token_file(google_home).stat().st_mode) == 0o600


def test_status_of_a_service_account(gmo_google: GoogleInvoke, google_home: Path, fake, monkeypatch) -> None:
    info = clients.service_account_info(fake.base_url)
    key = google_home / "sa.json"
    key.write_text(json.dumps(info), encoding="utf-8")
    monkeypatch.setenv("GMO_SYNC_GOOGLE_CREDENTIALS", str(key))
    result = gmo_google("auth", "status", "-v")
    assert result.exit_code == 0, result.output
    assert f"Сервисный аккаунт: {info['client_email']} (ключ: {key})" in result.output
    assert "общем диске" in result.output and "Google Meet" in result.output
    assert "PRIVATE KEY" not in result.output and info["private_key"][40:80] not in result.output


def test_no_login_is_a_clear_exit_2(gmo_google: GoogleInvoke, google_home: Path) -> None:
    token_file(google_home).unlink()
    result = gmo_google("auth", "status")
    assert (result.exit_code, result.output) == (
        2,
        "Ошибка: Нет входа в Google. Выполните: gmo-sync auth login (или укажите google.credentials).\n",
    )


def test_revoked_refresh_token_explains_invalid_grant(gmo_google: GoogleInvoke, fake) -> None:
    fake.expire_tokens(revoke_refresh_tokens=["fake-refresh-token"])
    result = gmo_google("auth", "status")
    assert "invalid_grant" in result.output and "gmo-sync auth login" in result.output
