"""The standalone fake Workspace as a subprocess, driven over its ``/_fake/`` control API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.fakegoogle.standalone import StandaloneFake

# Google's published per-user limits (GOOGLE-NOTES.md); the fake leaves Drive unlimited, like Google's
# per-user view of it (Drive counts query units per project).
GOOGLE_USER_QUOTAS = {"sheets.read": 60, "sheets.write": 60, "docs.write": 60, "calendar": 600}


class FakeServer(StandaloneFake):
    """The standalone fake, plus the benchmark's set-up: latency and Google's per-user quotas."""

    def __init__(self, repo: Path) -> None:
        super().__init__(repo=repo)

    def prepare(self, latency_ms: float, quotas: bool = True) -> None:
        """Forget everything (state, log, quota windows), then set latency and Google's user quotas."""
        self.control("POST", "reset")
        self.control("POST", "latency", {"ms": latency_ms})
        if quotas:
            self.control(
                "POST", "quotas", {"enabled": True, "limits": GOOGLE_USER_QUOTAS, "window_seconds": 60}
            )

    def log_since(self, count: int) -> list[dict[str, Any]]:
        return self.log(count)
