"""Shared fixtures: a frozen clock, a fresh local workspace, a CLI runner bound to both."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from gmo_sync.backends.local.setup import create_local_workspace
from gmo_sync.cli.main import Settings, cli
from gmo_sync.core.clock import fixed_clock
from tests.frozen import NOW, TODAY

# The fake Google Workspace fixtures, for tests of the google backend
from tests.google_env import coordinator, fake, fake_server, gmo_google, google_home  # noqa: F401


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    folder = tmp_path / "ws"
    create_local_workspace(folder, TODAY)
    return folder


Invoke = Callable[..., Result]


@pytest.fixture
def gmo(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> Invoke:
    """Run a gmo-sync command in the workspace with the frozen clock."""
    monkeypatch.chdir(workspace)
    for name in list(__import__("os").environ):
        if name.startswith("GMO_SYNC_"):
            monkeypatch.delenv(name)

    def invoke(*args: str, now: dt.datetime = NOW) -> Result:
        runner = CliRunner()
        return runner.invoke(cli, list(args), obj=Settings(clock=fixed_clock(now)), catch_exceptions=False)

    return invoke


# -- slow tests (the full crash sweep): skipped unless asked for with --run-slow or -m slow
def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--run-slow", action="store_true", default=False, help="also run tests marked slow")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--run-slow") or "slow" in (config.getoption("-m") or ""):
        return
    skip = pytest.mark.skip(reason="slow: run with --run-slow (or -m slow)")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
