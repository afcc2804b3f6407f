"""The local backend: `gmo-sync protocols` against the naive docxtpl loop, side by side, and its memory.

Side by side means interleaved in the same benchmark run (naive, gmo-sync, naive, gmo-sync, ...), each
from a fresh copy of the same workspace: on a shared machine the load changes from minute to minute, and
only runs that alternate see the same load. The ratio of the medians is the figure that counts.
"""

from __future__ import annotations

import json
import shutil
import statistics
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from bench.child import ChildResult, gmo_command, product_env, run_child
from bench.workload import append_to_workbook, meetings

NAIVE = Path(__file__).with_name("naive_local.py")


@dataclass
class LocalStats:
    """One `gmo-sync protocols` run from an empty protocols folder."""

    meetings: int
    protocols: int  # .docx files written (the seeded workbook adds its own held meeting)
    wall_seconds: float
    cpu_seconds: float
    peak_rss_mb: float  # the largest single process
    peak_total_mb: float  # the run and its render workers together (PSS)
    exit_code: int

    @property
    def per_second(self) -> float:
        return self.protocols / self.wall_seconds if self.wall_seconds else 0.0


@dataclass
class LocalRace:
    """gmo-sync and the naive loop over the same meetings, alternating."""

    meetings: int
    documents: int
    gmo: list[ChildResult] = field(default_factory=list)
    naive: list[ChildResult] = field(default_factory=list)

    @staticmethod
    def _median(results: list[ChildResult], what: str) -> float:
        return statistics.median(getattr(r, what) for r in results) if results else 0.0

    @property
    def gmo_wall(self) -> float:
        return self._median(self.gmo, "wall_seconds")

    @property
    def naive_wall(self) -> float:
        return self._median(self.naive, "wall_seconds")

    @property
    def gmo_cpu(self) -> float:
        return self._median(self.gmo, "cpu_seconds")

    @property
    def naive_cpu(self) -> float:
        return self._median(self.naive, "cpu_seconds")

    @property
    def speedup(self) -> float:
        return self.naive_wall / self.gmo_wall if self.gmo_wall else 0.0


class LocalWorkspace:
    """A pristine `init --local` workspace with ``count`` more held meetings, copied afresh for each run."""

    def __init__(self, root: Path, count: int, source: Path) -> None:
        self.root = root
        self.env = product_env(
            source, XDG_CONFIG_HOME=str(root / "config"), XDG_STATE_HOME=str(root / "state")
        )
        self.pristine = root / "pristine"
        made = run_child([*gmo_command(), "init", "--local", str(self.pristine)], root, self.env)
        if made.exit_code != 0:
            raise RuntimeError(f"gmo-sync init --local failed: {made.stdout}{made.stderr}")
        append_to_workbook(self.pristine / "ГМО.xlsx", meetings(count))
        self.runs = 0

    def fresh(self) -> Path:
        self.runs += 1
        work = self.root / f"run-{self.runs}"
        shutil.copytree(self.pristine, work)
        return work

    def gmo(self, work: Path, *args: str) -> ChildResult:
        return run_child([*gmo_command(), *args], work, self.env)


def contexts_of(workbook: Path, organisation: str, city: str) -> list[dict[str, object]]:
    """The variables gmo-sync renders each held meeting with (set-up for the naive loop, not timed)."""
    import datetime as dt

    from gmo_sync.backends.local.workbook import LocalWorkbook
    from gmo_sync.core.model import MeetingStatus
    from gmo_sync.core.plan.protocols import meeting_context
    from gmo_sync.core.plan.sync import plan_sync
    from gmo_sync.core.reading import parse_sheet

    today = dt.date.today()
    parsed = parse_sheet(LocalWorkbook(workbook).read(), today)
    _, ready = plan_sync(parsed, today, "academic")
    held = [m for m in ready if m.status == MeetingStatus.HELD and m.protocol_number is not None]
    return [meeting_context(m, organisation, city) for m in held]


def race(count: int, source: Path, repeats: int) -> LocalRace:
    with tempfile.TemporaryDirectory(prefix="gmo-bench-race-") as tmp:
        space = LocalWorkspace(Path(tmp), count, source)
        import tomllib

        config = tomllib.loads((space.pristine / "gmo-sync.toml").read_text(encoding="utf-8"))
        contexts = contexts_of(
            space.pristine / "ГМО.xlsx", config.get("organisation", ""), config.get("city", "Красноярск")
        )
        data = Path(tmp) / "contexts.json"
        data.write_text(json.dumps(contexts, ensure_ascii=False, default=str), encoding="utf-8")
        template = space.pristine / "templates" / "default.docx"
        result = LocalRace(count, len(contexts))
        for round_ in range(repeats):
            out = Path(tmp) / f"naive-{round_}"
            naive = run_child([sys.executable, str(NAIVE), str(data), str(template), str(out)], Path(tmp),
                              space.env)  # fmt: skip
            if naive.exit_code != 0 or len(list(out.glob("*.docx"))) != len(contexts):
                raise RuntimeError(f"the naive loop failed ({naive.exit_code}): {naive.stderr[-500:]}")
            result.naive.append(naive)
            work = space.fresh()
            mine = space.gmo(work, "protocols", "-q")
            written = len(list((work / "protocols").glob("*.docx")))
            if mine.exit_code != 0 or written != len(contexts):
                raise RuntimeError(f"gmo-sync protocols: exit {mine.exit_code}, {written} of {len(contexts)} "
                                   f"documents: {mine.stdout[-500:]}{mine.stderr[-500:]}")  # fmt: skip
            result.gmo.append(mine)
            shutil.rmtree(out)
            shutil.rmtree(work)
        return result


def measure_local(count: int, source: Path) -> LocalStats:
    """One `gmo-sync protocols` over ``count`` meetings, for its memory (and rate, for reference)."""
    with tempfile.TemporaryDirectory(prefix="gmo-bench-local-") as tmp:
        space = LocalWorkspace(Path(tmp), count, source)
        work = space.fresh()
        result = space.gmo(work, "protocols", "-q")
        if result.exit_code != 0:
            raise RuntimeError(
                f"gmo-sync protocols failed ({result.exit_code}): {result.stdout}{result.stderr}"
            )
        written = len(list((work / "protocols").glob("*.docx")))
        return LocalStats(count, written, result.wall_seconds, result.cpu_seconds, result.peak_rss_mb,
                          result.peak_total_mb, result.exit_code)  # fmt: skip
