"""Run a child process and keep its own wall time and peak memory."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

HELPER = Path(__file__).with_name("_measure.py")


@dataclass
class ChildResult:
    args: list[str]
    exit_code: int
    stdout: str
    stderr: str
    wall_seconds: float
    peak_rss_mb: float  # ru_maxrss of the child alone, MiB (its largest process, when it starts workers)
    cpu_seconds: float = 0.0  # user + system time of the child and the processes it started
    peak_total_mb: float = 0.0  # the child and its workers together at their peak (PSS), MiB


def gmo_command() -> list[str]:
    """The installed ``gmo-sync`` beside this interpreter, else the same entry point through it."""
    script = Path(sys.executable).with_name("gmo-sync")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from gmo_sync.cli.main import main; main()"]


def product_env(source: Path, **extra: str) -> dict[str, str]:
    """The caller's environment minus any GMO_SYNC_* settings, importing gmo_sync from ``source``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GMO_SYNC_")}
    # PYTHONPATH wins over the editable install's finder: the benchmark can measure another checkout.
    env["PYTHONPATH"] = str(source)
    env.update(extra)
    return env


def run_child(args: list[str], cwd: Path, env: dict[str, str], timeout: float = 1800) -> ChildResult:
    with tempfile.TemporaryDirectory(prefix="gmo-bench-child-") as tmp:
        report = Path(tmp) / "measure.json"
        # -I: the helper ignores PYTHONPATH and the like; the child still gets ``env``.
        proc = subprocess.Popen(
            [sys.executable, "-I", str(HELPER), str(report), *args],
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # the helper and the child it started
            out, err = proc.communicate()
            raise RuntimeError(f"timed out after {timeout:.0f} s: {' '.join(args)}") from None
        measured = json.loads(report.read_text(encoding="utf-8"))
    # Linux reports ru_maxrss in KiB
    return ChildResult(
        args,
        int(measured["exit_code"]),
        out.decode("utf-8", "replace"),
        err.decode("utf-8", "replace"),
        float(measured["wall_seconds"]),
        measured["peak_rss_kib"] / 1024,
        float(measured["cpu_seconds"]),
        measured["peak_total_kib"] / 1024,
    )
