"""All stored state of the fake, shared by the per-API modules (a spreadsheet is also a Drive file)."""

from __future__ import annotations

import datetime as dt
import secrets
import string
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Config:
    """Behaviour switches; every one is settable at runtime through ``/_fake/config``."""

    # A Meet request stays "pending" for this many reads (events.get/list) AND at least this many seconds.
    meet_ready_after_reads: int = 1
    meet_ready_after_seconds: float = 0.0
    service_account_restrictions: bool = True  # SA cannot create Meet links or invite attendees
    service_account_storage_quota_exceeded: bool = False  # SAs made after April 2025 own no Drive files
    sort_moves_row_metadata: bool = True  # undocumented by Google: switch off to test the other outcome
    default_locale: str = "ru_RU"
    default_time_zone: str = "Europe/Moscow"
    # OAuth (tokens.py): access tokens live this long; token requests per client per minute (0: no limit);
    # the user presses «Cancel» on the consent screen.
    access_token_lifetime_seconds: float = 3600.0
    token_requests_per_client_per_minute: int = 0
    consent_denied: bool = False
    # The Cloud project (projects.py): APIs not enabled, by discovery name ("sheets", "drive", "calendar",
    # "docs"); they answer 403 accessNotConfigured / SERVICE_DISABLED.
    disabled_apis: list[str] = field(default_factory=list)
    # drive.file sees only what its OAuth client created or was opened with (visibility.py)
    per_client_visibility: bool = True

    def update(self, values: dict[str, Any]) -> None:
        for key, value in values.items():
            if not hasattr(self, key):
                raise ValueError(f"unknown config key {key!r}")
            if isinstance(getattr(self, key), list) and not isinstance(value, list | tuple):
                raise ValueError(f"config key {key!r} takes a list, got {value!r}")
            setattr(self, key, type(getattr(self, key))(value))


@dataclass
class Workspace:
    clock: Callable[[], float] = time.time
    config: Config = field(default_factory=Config)
    spreadsheets: dict[str, Any] = field(default_factory=dict)
    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    contents: dict[str, bytes] = field(default_factory=dict)  # Drive file id -> bytes (docx for Docs)
    calendars: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)  # cal id -> id -> event
    mail: list[dict[str, Any]] = field(default_factory=list)  # letters sent through Gmail
    _last: float = 0.0

    def now(self) -> dt.datetime:
        """Strictly increasing timestamps (ms resolution), so modifiedTime/updated always advance."""
        t = max(self.clock(), self._last + 0.001)
        self._last = t
        return dt.datetime.fromtimestamp(t, dt.UTC)

    def now_iso(self) -> str:
        return rfc3339(self.now())


def rfc3339(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def drive_id() -> str:
    alphabet = string.ascii_letters + string.digits + "-_"
    return "1" + "".join(secrets.choice(alphabet) for _ in range(43))
