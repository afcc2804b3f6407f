"""A real SMTP server on loopback for the mail tests (aiosmtpd), running in the test process.

gmo-sync talks to it with smtplib exactly as it would talk to Яндекс or Mail.ru: no mocks.
The handler keeps every message it received and can refuse recipients, refuse data, or
hold a message after receiving it (a run killed while waiting for the server's answer).
"""

from __future__ import annotations

import asyncio
import re
import socket
import ssl
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.header import decode_header, make_header
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage
    raw: bytes = b""

    @property
    def text(self) -> str:
        part = self.message.get_body(("plain",))
        return part.get_content() if part is not None else ""

    def header(self, name: str) -> str:
        """A header decoded the way mail programs show it (RFC 2047 words joined across folds).

        The stdlib's address-header parser inserts a space between adjacent encoded words of a
        folded display name («Дмитриев на»); mail programs do not, and neither does this.
        """
        source = self.raw.split(b"\r\n\r\n", 1)[0].decode("ascii", "replace")
        unfolded = re.sub(r"\r\n[ \t]+", " ", source)
        for line in unfolded.split("\r\n"):
            if line.lower().startswith(name.lower() + ":"):
                return str(make_header(decode_header(line.split(":", 1)[1].strip())))
        return ""

    @property
    def html(self) -> str:
        part = self.message.get_body(("html",))
        return part.get_content() if part is not None else ""


@dataclass
class Inbox:
    """The aiosmtpd handler: what arrived, and how the server should misbehave."""

    messages: list[Received] = field(default_factory=list)
    refuse_recipients: set[str] = field(default_factory=set)
    refuse_data: str = ""  # e.g. "554 5.7.1 Message rejected as spam"
    hold_seconds: float = 0.0  # after storing a message, before answering 250
    received: threading.Event = field(default_factory=threading.Event)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address in self.refuse_recipients:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse_data:
            return self.refuse_data
        raw = envelope.original_content or envelope.content
        parsed = message_from_bytes(raw, policy=policy.default)
        self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), parsed, raw))  # type: ignore[arg-type]
        self.received.set()
        if self.hold_seconds:
            await asyncio.sleep(self.hold_seconds)
        return "250 2.0.0 Ok: queued"

    def to(self, address: str) -> list[Received]:
        return [m for m in self.messages if address in m.recipients]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class SmtpServer:
    """``with SmtpServer() as server:`` — ``server.port``, ``server.inbox``."""

    def __init__(
        self,
        *,
        users: dict[str, str] | None = None,
        tls: ssl.SSLContext | None = None,
        implicit_tls: bool = False,
    ) -> None:
        self.inbox = Inbox()
        self.port = free_port()
        self.users = users
        kwargs: dict[str, Any] = {}
        if users is not None:
            kwargs.update(authenticator=self._authenticate, auth_require_tls=tls is not None)
        if tls is not None and not implicit_tls:
            kwargs.update(tls_context=tls, require_starttls=True)
        self.controller = Controller(
            self.inbox,
            hostname="127.0.0.1",
            port=self.port,
            ssl_context=tls if implicit_tls else None,
            **kwargs,
        )

    def _authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        known = self.users or {}
        if isinstance(data, LoginPassword) and known.get(data.login.decode()) == data.password.decode():
            return AuthResult(success=True)
        return AuthResult(success=False, handled=False)

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()
