"""Keep credentials out of logs: a filter on the CLI's log handlers that redacts them.

``-v`` turns on DEBUG logging for every library. google-auth logs its token requests
at DEBUG with the request body as a structured extra (``httpRequest``); it hashes
``access_token``/``refresh_token``/``client_secret`` but not a service account's signed
JWT ``assertion``, which can be exchanged for an access token until it expires. The
CLI's own format prints only the message, but a handler with a structured (JSON)
formatter — a log file, a host application's logging — would write every extra.
So every record is scrubbed before any handler formats it: message, arguments,
extras and traceback text.
"""

from __future__ import annotations

import logging
import re
from typing import Any

REDACTED = "[скрыто]"
SECRET_KEYS = frozenset(
    {"access_token", "accesstoken", "refresh_token", "client_secret", "id_token", "assertion", "private_key",
     "authorization", "token"}
)  # fmt: skip
_PATTERNS = (
    # PEM blocks, with real or JSON-escaped («\n») line breaks
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?-----END [A-Z ]*PRIVATE KEY-----", re.DOTALL),
    re.compile(r"(?i)\b(bearer\s+)[\w.~+/=-]+"),
    re.compile(
        r"(?i)\b((?:access_token|refresh_token|client_secret|id_token|assertion|private_key)"
        r"""["']?\s*[:=]\s*["']?)[^"'&\s,}]+"""
    ),
    re.compile(r"\beyJ[\w-]+\.[\w-]+\.[\w-]*"),  # a JWT (signed grant or ID token)
    re.compile(r"\bya29\.[\w-]+"),  # a Google OAuth access token
)
# attributes every LogRecord has; anything else on a record is an ``extra``
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


def redact(text: str) -> str:
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: (m.group(1) if m.groups() else "") + REDACTED, text)
    return text


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {k: REDACTED if str(k).lower() in SECRET_KEYS and v else _scrub(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_scrub(v) for v in value)
    return value


class RedactSecrets(logging.Filter):
    """Rewrites each record in place, so every handler after it sees the redacted text."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is the logging module's to report, not ours
            return True
        record.msg, record.args = redact(message), None
        for key, value in list(vars(record).items()):
            if key not in _STANDARD:
                setattr(record, key, _scrub(value))
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


def install(logger: logging.Logger | None = None) -> None:
    """Put the filter on every handler of ``logger`` (the root by default) that lacks it."""
    for handler in (logger or logging.getLogger()).handlers:
        if not any(isinstance(f, RedactSecrets) for f in handler.filters):
            handler.addFilter(RedactSecrets())
