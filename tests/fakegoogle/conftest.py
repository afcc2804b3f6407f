"""Fixtures: one fake server per test session, reset before every test; real clients wired to it."""

from __future__ import annotations

import pytest

from . import clients
from .server import FakeGoogle


@pytest.fixture(scope="session")
def _server():
    fake = FakeGoogle().start()
    yield fake
    fake.stop()


@pytest.fixture
def fake(_server: FakeGoogle) -> FakeGoogle:
    _server.reset()
    return _server


@pytest.fixture(scope="session")
def sa_info(_server: FakeGoogle) -> dict:
    return clients.service_account_info(_server.base_url)  # one RSA key per session: keygen is slow


@pytest.fixture
def user_creds(fake: FakeGoogle):
    return clients.credentials(fake.base_url, "user")


@pytest.fixture
def sa_creds(fake: FakeGoogle, sa_info: dict):
    return clients.credentials(fake.base_url, "service_account", **sa_info)


@pytest.fixture
def svc(fake: FakeGoogle, user_creds):
    """``svc("drive", "v3")`` → a googleapiclient service talking to the fake as a normal user."""

    def make(name: str, version: str, creds=None, timeout: float | None = 30, batch_safe: bool = False):
        return clients.service(
            name, version, fake.base_url, fake.ca_path, creds or user_creds, timeout, batch_safe
        )

    return make


@pytest.fixture
def gc(fake: FakeGoogle, user_creds):
    return clients.gspread_client(fake.base_url, fake.ca_path, user_creds)
