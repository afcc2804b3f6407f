"""The mailer contract, run for every Mailer: in memory, SMTP (a real server on loopback), Gmail (fake)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from gmo_sync.backends.google import connect
from gmo_sync.backends.google.gmail import GmailMailer
from gmo_sync.backends.mail.smtp import SmtpMailer
from gmo_sync.core.config import MailSettings, load_config
from gmo_sync.core.ports import Mailer
from tests.contract.mailer_contract import MailEnv, MailerContract
from tests.fakegoogle import clients
from tests.memory_backends import MemoryMailer
from tests.smtp_server import SmtpServer


class MemoryEnv:
    where = "в памяти"

    def __init__(self) -> None:
        self.outbox: list[EmailMessage] = []

    def make(self) -> Mailer:
        return MemoryMailer(self.outbox)

    def received(self) -> list[tuple[list[str], EmailMessage]]:
        return [([a.addr_spec for a in m["To"].addresses], m) for m in self.outbox]


class SmtpEnv:
    def __init__(self, server: SmtpServer) -> None:
        self.server = server
        self.where = f"127.0.0.1:{server.port}"

    def make(self) -> Mailer:
        settings = MailSettings(smtp_host="127.0.0.1", smtp_port=self.server.port, security="none",
                                from_address="gmo@example.org", timeout_seconds=5)  # fmt: skip
        return SmtpMailer(settings)

    def received(self) -> list[tuple[list[str], EmailMessage]]:
        return [(m.recipients, m.message) for m in self.server.inbox.messages]


class GmailEnv:
    where = "Gmail"

    def __init__(self, fake) -> None:  # type: ignore[no-untyped-def]
        self.fake = fake
        # the sign-in of `auth login` with [mail] via = "gmail": its token carries gmail.send
        token = Path(os.environ["XDG_CONFIG_HOME"]) / "gmo-sync" / "token.json"
        token.write_text(json.dumps(clients.authorized_user_info(fake.base_url)), encoding="utf-8")
        self.config = load_config(None, environ={**os.environ, "GMO_SYNC_MAIL_VIA": "gmail"})

    def make(self) -> Mailer:
        return GmailMailer(connect(self.config))

    def received(self) -> list[tuple[list[str], EmailMessage]]:
        return [
            (m["recipients"], message_from_bytes(m["raw"], policy=policy.default)) for m in self.fake.ws.mail
        ]


class TestMemoryMailer(MailerContract):
    @pytest.fixture
    def mail_env(self) -> MailEnv:
        return MemoryEnv()


class TestLocalSmtpMailer(MailerContract):
    @pytest.fixture
    def mail_env(self) -> Iterator[MailEnv]:
        with SmtpServer() as server:
            yield SmtpEnv(server)


class TestGoogleGmailMailer(MailerContract):
    @pytest.fixture
    def mail_env(self, google_home: Path, fake) -> MailEnv:  # type: ignore[no-untyped-def]
        return GmailEnv(fake)
