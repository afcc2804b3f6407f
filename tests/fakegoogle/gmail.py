"""Gmail v1, the one method gmo-sync uses: ``users.messages.send`` (a letter as base64url RFC 822).

Strict like the rest: the request is validated against ``gmail.v1.json`` by the dispatcher; here
Gmail's own checks follow — a ``raw`` message is required, it must decode, it must name a recipient —
and a service account acting as itself is refused as Gmail refuses it (no mailbox without
domain-wide delegation). Sent letters are kept in ``Workspace.mail``.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from email import message_from_bytes, policy
from email.utils import getaddresses
from typing import Any

from .core import Call, Dispatcher
from .errors import ApiError
from .workspace import Workspace


class Gmail:
    def __init__(self, ws: Workspace) -> None:
        self.ws = ws

    def register(self, d: Dispatcher) -> None:
        d.handlers["gmail.users.messages.send"] = self.send

    def send(self, call: Call) -> dict[str, Any]:
        user = call.path_params.get("userId", "")
        if user not in ("me", call.principal.user):
            raise ApiError(403, "Delegation denied for " + call.principal.user, reason="forbidden")
        if call.principal.service_account:
            raise ApiError(400, "Precondition check failed.", reason="failedPrecondition")
        raw = call.media if call.media is not None else (call.body or {}).get("raw")
        if not raw:
            raise ApiError(400, "'raw' RFC822 payload message string or uploading message via /upload/* URL "
                                "required", reason="invalidArgument")  # fmt: skip
        if isinstance(raw, str):
            try:
                raw = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
            except (binascii.Error, ValueError):
                raise ApiError(400, "Invalid value for ByteString: raw", reason="invalidArgument") from None
        message = message_from_bytes(raw, policy=policy.default)
        recipients = [
            a for _, a in getaddresses([str(v) for k in ("To", "Cc", "Bcc") for v in message.get_all(k, [])])
        ]
        if not any(recipients):
            raise ApiError(400, "Recipient address required", reason="invalidArgument")
        sent = {"id": secrets.token_hex(8), "threadId": secrets.token_hex(8), "labelIds": ["SENT"]}
        self.ws.mail.append({**sent, "user": call.principal.user, "recipients": recipients, "raw": raw})
        return sent
