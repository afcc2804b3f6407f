"""What reading a large master workbook costs: `check` and a no-change `run`, against merely loading it.

The yardstick is a bare ``openpyxl.load_workbook`` of the same file in a fresh Python process — the least
any tool that reads the workbook pays, start-up included (gmo-sync's figures include its own start-up).
The three are interleaved, as the local race is, and the medians compared; CPU time is shown too, since
it does not depend on how busy the machine is.
"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from bench.child import ChildResult, gmo_command, product_env, run_child
from bench.workload import append_to_workbook, meetings

# One meeting a day from here stays in the past for 2,000 meetings, clear of the planned meeting
# `init --local` seeds a few weeks ahead (the same ID twice would be a problem on every run).
FIRST_DATE = dt.date(2012, 1, 2)
BARE_LOAD = "import sys, openpyxl; openpyxl.load_workbook(sys.argv[1])"


@dataclass
class ReadingStats:
    meetings: int
    workbook_kib: float
    first_run_seconds: float  # the set-up run that made every protocol and event (not compared)
    bare: list[ChildResult] = field(default_factory=list)
    check: list[ChildResult] = field(default_factory=list)
    rerun: list[ChildResult] = field(default_factory=list)

    @staticmethod
    def median(results: list[ChildResult], what: str = "wall_seconds") -> float:
        return statistics.median(getattr(r, what) for r in results) if results else 0.0

    def ratio(self, results: list[ChildResult], what: str = "wall_seconds") -> float:
        base = self.median(self.bare, what)
        return self.median(results, what) / base if base else 0.0


def measure_reading(count: int, source: Path, repeats: int) -> ReadingStats:
    with tempfile.TemporaryDirectory(prefix="gmo-bench-reading-") as tmp:
        root = Path(tmp)
        env = product_env(source, XDG_CONFIG_HOME=str(root / "config"), XDG_STATE_HOME=str(root / "state"))
        work = root / "ws"
        made = run_child([*gmo_command(), "init", "--local", str(work)], root, env)
        if made.exit_code != 0:
            raise RuntimeError(f"gmo-sync init --local failed: {made.stdout}{made.stderr}")
        book = work / "ГМО.xlsx"
        append_to_workbook(book, meetings(count, FIRST_DATE))
        first = run_child([*gmo_command(), "run", "-q"], work, env)
        if first.exit_code != 0:
            raise RuntimeError(f"gmo-sync run (set-up) failed ({first.exit_code}): {first.stdout[-800:]}")
        stats = ReadingStats(count, book.stat().st_size / 1024, first.wall_seconds)
        for _ in range(repeats):
            stamp = book.stat().st_mtime_ns
            stats.bare.append(run_child([sys.executable, "-c", BARE_LOAD, str(book)], work, env))
            stats.check.append(run_child([*gmo_command(), "check", "-q"], work, env))
            stats.rerun.append(run_child([*gmo_command(), "run", "-q"], work, env))
            failed = [r for r in (stats.bare[-1], stats.check[-1], stats.rerun[-1]) if r.exit_code != 0]
            if failed:
                raise RuntimeError(
                    f"exit {failed[0].exit_code}: {failed[0].stdout[-800:]}{failed[0].stderr[-800:]}"
                )
            if book.stat().st_mtime_ns != stamp:
                raise RuntimeError("the no-change run wrote the workbook: it was not a no-change run")
        return stats
