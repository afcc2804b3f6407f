"""Access tokens as cron meets them: kept with their expiry, refreshed before a request, not after a 401."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import gspread
import requests

from tests.google_env import GoogleInvoke
from tests.test_google import MEETING, config_ids


def token_file(google_home: Path) -> Path:
    return google_home.parent / "config" / "gmo-sync" / "token.json"


def an_hour_later(fake, google_home: Path) -> None:
    """An hour passes: Google has forgotten the access token, and the token file's expiry is behind us."""
    fake.expire_tokens()
    path = token_file(google_home)
    saved = json.loads(path.read_text(encoding="utf-8"))
    expiry = dt.datetime.fromisoformat(saved["expiry"].removesuffix("Z"))
    saved["expiry"] = (expiry - dt.timedelta(hours=1)).isoformat() + "Z"
    path.write_text(json.dumps(saved), encoding="utf-8")


def entries_since(fake, start: int) -> list[tuple[str, int]]:
    return [(e["api_method"], e["status"]) for e in fake.request_log() if e["n"] > start]


def test_a_cron_run_an_hour_later_refreshes_first_and_once(
    gmo_google: GoogleInvoke, google_home: Path, fake, coordinator: gspread.Client
) -> None:
    assert gmo_google("init", "--google").exit_code == 0
    book = coordinator.open_by_key(config_ids(google_home)["spreadsheet_id"])
    book.worksheet("Заседания").update([MEETING], "A2", value_input_option="USER_ENTERED")
    assert gmo_google("run").exit_code == 0
    saved = json.loads(token_file(google_home).read_text(encoding="utf-8"))
    assert saved["token"] and saved["expiry"], "the token and its expiry are kept for the next run"

    start = fake.request_count
    assert gmo_google("run").exit_code == 0  # a minute later: the saved token is still good
    assert "oauth2.token" not in [name for name, _ in entries_since(fake, start)]

    an_hour_later(fake, google_home)
    start = fake.request_count
    result = gmo_google("run")
    assert result.exit_code == 0, result.output
    log = entries_since(fake, start)
    assert log[0] == ("oauth2.token", 200), log  # refreshed before the first API request
    assert [name for name, _ in log].count("oauth2.token") == 1, log
    assert 401 not in [status for _, status in log], log
    assert len(log) - 1 <= 3, log  # a run with nothing to do: at most 3 API requests
    refreshed = json.loads(token_file(google_home).read_text(encoding="utf-8"))
    assert refreshed["token"] != saved["token"] and refreshed["expiry"] > saved["expiry"]


def test_a_revoked_sign_in_stops_before_any_api_request(gmo_google: GoogleInvoke, google_home: Path, fake):
    assert gmo_google("init", "--google").exit_code == 0
    fake.expire_tokens(revoke_refresh_tokens=["fake-refresh-token"])
    token = token_file(google_home)
    saved = json.loads(token.read_text(encoding="utf-8"))
    saved["expiry"] = "2020-01-01T00:00:00Z"  # long expired: the run must ask for a new one
    token.write_text(json.dumps(saved), encoding="utf-8")
    start = fake.request_count
    result = gmo_google("run")
    assert result.exit_code == 2
    assert "invalid_grant" in result.output and "gmo-sync auth login" in result.output
    assert "Traceback" not in result.output
    assert entries_since(fake, start) == [("oauth2.token", 400)]


def test_a_disabled_api_is_one_sentence_with_the_link_and_exit_2(
    gmo_google: GoogleInvoke, google_home: Path, fake, coordinator: gspread.Client
) -> None:
    assert gmo_google("init", "--google").exit_code == 0
    book = coordinator.open_by_key(config_ids(google_home)["spreadsheet_id"])
    book.worksheet("Заседания").update([MEETING], "A2", value_input_option="USER_ENTERED")
    fake.configure(disabled_apis=["calendar"])
    result = gmo_google("run")
    assert result.exit_code == 2, result.output
    link = "https://console.developers.google.com/apis/api/calendar-json.googleapis.com/overview?project="
    (line,) = [line for line in result.output.splitlines() if line.startswith("Ошибка:")]
    assert line == (
        f"Ошибка: Google Calendar API выключен в проекте Google Cloud, через который работает gmo-sync: "
        f"включите его на странице {link}123456789012 (кнопка «Включить» / «Enable»), подождите несколько "
        f"минут и запустите снова."
    )
    assert "Traceback" not in result.output
    fake.configure(disabled_apis=[])
    assert gmo_google("run").exit_code == 0  # switched on: the same run goes through


def test_a_sign_in_without_the_calendar_says_so_before_any_api_call(
    gmo_google: GoogleInvoke, google_home: Path, fake
) -> None:
    assert gmo_google("init", "--google").exit_code == 0
    fake.narrow_scopes(["https://www.googleapis.com/auth/spreadsheets",
                        "https://www.googleapis.com/auth/drive.file"])  # fmt: skip
    an_hour_later(fake, google_home)
    start = fake.request_count
    result = gmo_google("run")
    assert result.exit_code == 2, result.output
    assert result.output.splitlines()[-1] == (
        "Ошибка: Вход в Google выполнен без разрешения на Google Календарь (calendar.events) — на экране "
        "согласия Google была снята галочка: выполните gmo-sync auth login заново и оставьте отмеченными все "
        "разрешения."
    )
    assert "Not all requested scopes" not in result.output
    assert entries_since(fake, start) == [("oauth2.token", 200)]


def test_a_saved_token_without_the_scope_is_explained_by_the_403(
    gmo_google: GoogleInvoke, google_home: Path, fake
) -> None:
    assert gmo_google("init", "--google").exit_code == 0
    fake.narrow_scopes(["https://www.googleapis.com/auth/spreadsheets",
                        "https://www.googleapis.com/auth/drive.file"])  # fmt: skip
    # what a sign-in with the calendar box unticked leaves behind: a valid token, without the scope
    path = token_file(google_home)
    saved = json.loads(path.read_text(encoding="utf-8"))
    form = {"grant_type": "refresh_token", "refresh_token": saved["refresh_token"],
            "client_id": saved["client_id"], "client_secret": saved["client_secret"]}  # fmt: skip
    answer = requests.post(fake.base_url + "/token", data=form, verify=fake.ca_path, timeout=10).json()
    expiry = dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(seconds=answer["expires_in"])
    narrow = {**saved, "token": answer["access_token"], "expiry": expiry.isoformat() + "Z"}
    path.write_text(json.dumps(narrow), encoding="utf-8")
    start = fake.request_count
    result = gmo_google("calendar")  # a valid token: no refresh, Google's 403 is what tells
    assert result.exit_code == 2, result.output
    assert "без разрешения на Google Календарь (calendar.events)" in result.output
    assert ("calendar.events.list", 403) in entries_since(fake, start)
    assert "oauth2.token" not in [name for name, _ in entries_since(fake, start)]
