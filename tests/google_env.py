"""A gmo-sync workspace wired to the fake Google Workspace: real libraries, real HTTPS on loopback."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from gmo_sync.cli.main import Settings, cli
from gmo_sync.core.clock import fixed_clock
from tests.fakegoogle import clients
from tests.fakegoogle.server import FakeGoogle
from tests.frozen import NOW


@pytest.fixture(scope="session")
def fake_server():
    fake = FakeGoogle().start()
    yield fake
    fake.stop()


@pytest.fixture
def fake(fake_server: FakeGoogle) -> FakeGoogle:
    fake_server.reset()
    return fake_server


@pytest.fixture
def google_home(fake: FakeGoogle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A coordinator's machine after `gmo-sync auth login`: an OAuth token whose token_uri is the fake's."""
    for name in list(__import__("os").environ):
        if name.startswith("GMO_SYNC_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    token = tmp_path / "config" / "gmo-sync" / "token.json"
    token.parent.mkdir(parents=True)
    token.write_text(json.dumps(clients.authorized_user_info(fake.base_url)), encoding="utf-8")
    token.chmod(0o600)
    monkeypatch.setenv("GMO_SYNC_GOOGLE_ENDPOINT", fake.base_url)
    monkeypatch.setenv("GMO_SYNC_GOOGLE_CA_BUNDLE", fake.ca_path)
    monkeypatch.setenv("GMO_SYNC_GOOGLE_RETRY_BASE_SECONDS", "0.01")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return work


GoogleInvoke = Callable[..., Result]


@pytest.fixture
def gmo_google(google_home: Path) -> GoogleInvoke:
    def invoke(*args: str, now: dt.datetime = NOW) -> Result:
        return CliRunner().invoke(
            cli, list(args), obj=Settings(clock=fixed_clock(now)), catch_exceptions=False
        )

    return invoke


@pytest.fixture
def coordinator(fake: FakeGoogle, google_home: Path):
    """gspread as a coordinator's browser would type: USER_ENTERED."""
    creds = clients.credentials(fake.base_url, "user")
    return clients.gspread_client(fake.base_url, fake.ca_path, creds)
