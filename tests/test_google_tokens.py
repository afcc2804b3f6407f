"""Access tokens as cron meets them: kept with their expiry, refreshed before a request, not after a 401."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import gspread

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
