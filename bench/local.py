"""The local backend: protocols rendered per second and the peak memory of one `gmo-sync protocols`."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from bench.child import gmo_command, product_env, run_child
from bench.workload import append_to_workbook, meetings


@dataclass
class LocalStats:
    meetings: int
    protocols: int  # .docx files written (the seeded workbook adds its own held meeting)
    wall_seconds: float
    peak_rss_mb: float
    exit_code: int

    @property
    def per_second(self) -> float:
        return self.protocols / self.wall_seconds if self.wall_seconds else 0.0


def measure_local(count: int, source: Path) -> LocalStats:
    with tempfile.TemporaryDirectory(prefix="gmo-bench-local-") as tmp:
        root = Path(tmp)
        env = product_env(source, XDG_CONFIG_HOME=str(root / "config"), XDG_STATE_HOME=str(root / "state"))
        work = root / "ws"
        made = run_child([*gmo_command(), "init", "--local", str(work)], root, env)
        if made.exit_code != 0:
            raise RuntimeError(f"gmo-sync init --local failed: {made.stdout}{made.stderr}")
        append_to_workbook(work / "ГМО.xlsx", meetings(count))
        result = run_child([*gmo_command(), "protocols", "-q"], work, env)
        if result.exit_code != 0:
            raise RuntimeError(
                f"gmo-sync protocols failed ({result.exit_code}): {result.stdout}{result.stderr}"
            )
        written = len(list((work / "protocols").glob("*.docx")))
        return LocalStats(count, written, result.wall_seconds, result.peak_rss_mb, result.exit_code)
