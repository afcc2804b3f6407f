"""The standalone fake Workspace as a subprocess, driven over its ``/_fake/`` control API."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from types import TracebackType
from typing import Any

import requests

# Google's published per-user limits (GOOGLE-NOTES.md); the fake leaves Drive unlimited, like Google's
# per-user view of it (Drive counts query units per project).
GOOGLE_USER_QUOTAS = {"sheets.read": 60, "sheets.write": 60, "docs.write": 60, "calendar": 600}


class FakeServer:
    def __init__(self, repo: Path) -> None:
        self.repo = repo
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the server
        # The fake is imported from the repo's tests package: run it with the repo on the path.
        env = {**os.environ, "PYTHONPATH": str(repo)}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.fakegoogle"],
            cwd=repo,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
            env=env,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the fake did not start: {self.stderr_text()}")
        info = json.loads(line)
        self.base_url: str = info["base_url"]
        self.ca_path: str = info["ca_path"]
        self.session = requests.Session()

    def stderr_text(self) -> str:
        self._stderr.seek(0)
        return self._stderr.read().decode("utf-8", "replace")[-2000:]

    def control(self, method: str, name: str, body: dict[str, Any] | None = None) -> Any:
        # verify per request: REQUESTS_CA_BUNDLE in the environment would override a session's verify
        response = self.session.request(
            method, f"{self.base_url}/_fake/{name}", json=body, verify=self.ca_path, timeout=120
        )
        if response.status_code != 200:
            raise RuntimeError(f"/_fake/{name}: {response.status_code} {response.text[:500]}")
        return response.json()

    def prepare(self, latency_ms: float, quotas: bool = True) -> None:
        """Forget everything (state, log, quota windows), then set latency and Google's user quotas."""
        self.control("POST", "reset")
        self.control("POST", "latency", {"ms": latency_ms})
        if quotas:
            self.control(
                "POST", "quotas", {"enabled": True, "limits": GOOGLE_USER_QUOTAS, "window_seconds": 60}
            )

    def request_count(self) -> int:
        return int(self.control("GET", "health")["request_count"])

    def log_since(self, count: int) -> list[dict[str, Any]]:
        return list(self.control("GET", f"log?since={count}")["entries"])

    def state(self) -> dict[str, Any]:
        return dict(self.control("GET", "state"))

    def act(self, action: dict[str, Any]) -> Any:
        return self.control("POST", "actions", action)["result"]

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._stderr.close()

    def __enter__(self) -> FakeServer:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()
