"""Drive ``python -m tests.fakegoogle`` in a subprocess over its ``/_fake/`` control API.

One client for everything that needs the fake in another process: the crash suite
(which kills the gmo-sync CLI mid-request) and the benchmark.
"""

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

REPO = Path(__file__).resolve().parents[2]


class StandaloneFake:
    def __init__(self, workdir: Path | None = None, repo: Path = REPO) -> None:
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the server
        command = [sys.executable, "-m", "tests.fakegoogle"]
        if workdir is not None:
            command += ["--workdir", str(workdir)]
        # The fake is imported from the repo's tests package: run it with the repo on the path.
        self.proc = subprocess.Popen(
            command, cwd=repo, stdout=subprocess.PIPE, stderr=self._stderr, text=True,
            env={**os.environ, "PYTHONPATH": str(repo)},
        )  # fmt: skip
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the fake did not start: {self.stderr_text()}")
        info = json.loads(line)
        self.base_url: str = info["base_url"]
        self.ca_path: str = info["ca_path"]
        self.http = requests.Session()

    def stderr_text(self) -> str:
        self._stderr.seek(0)
        return self._stderr.read().decode("utf-8", "replace")[-2000:]

    def control(self, method: str, name: str, body: dict[str, Any] | None = None) -> Any:
        # verify per request: REQUESTS_CA_BUNDLE in the environment would override a session's verify
        response = self.http.request(
            method, f"{self.base_url}/_fake/{name}", json=body, verify=self.ca_path, timeout=120
        )
        if response.status_code != 200:
            raise RuntimeError(f"/_fake/{name}: {response.status_code} {response.text[:500]}")
        return response.json()

    def request_count(self) -> int:
        return int(self.control("GET", "health")["request_count"])

    def log(self, since: int = 0) -> list[dict[str, Any]]:
        return list(self.control("GET", f"log?since={since}")["entries"])

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

    def __enter__(self) -> StandaloneFake:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()
