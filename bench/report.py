"""Markdown tables per N, the local and reading figures, and issue 10's targets as PASS/FAIL lines."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from bench.local import LocalRace, LocalStats
from bench.reading import ReadingStats
from bench.stats import QUOTA_GROUPS, RunStats

LOCAL_SPEEDUP = 2.5  # gmo-sync protocols against the naive docxtpl loop, same run
FLAT_MEMORY_RATIO = 1.2  # peak memory from the smallest to the largest N
READING_RATIO = 3.0  # a no-change local run against a bare openpyxl load of the workbook
MERGE_SPEEDUP = 8.0  # first run at N = 100 against the naive merge
OVERLAP = 0.4  # first run at N = 500: wall time against (its requests × the latency)


@dataclass
class SizeResult:
    n: int
    online: int
    cold: RunStats | None = None  # first run without a token or a cached template
    runs: list[RunStats] = field(default_factory=list)  # warm: first, no-change, an hour later, one edit
    problems: list[str] = field(default_factory=list)  # correctness after the first runs
    baseline: RunStats | None = None
    baseline_problems: list[str] = field(default_factory=list)

    @property
    def bound(self) -> int:
        return self.n + math.ceil(self.n / 50) + 8


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}" if b else "–"


def size_table(result: SizeResult, latency_ms: float) -> str:
    runs = ([result.cold] if result.cold is not None else []) + list(result.runs)
    heads = [r.label for r in runs]
    base = result.baseline
    if base is not None:
        runs.append(base)
        heads += ["baseline: first run", "first run / baseline"]
    first = result.cold or (result.runs[0] if result.runs else None)

    def row(name: str, values: list[str], ratio: str = "") -> str:
        cells = values + ([ratio] if base is not None else [])
        return "| " + " | ".join([name, *cells]) + " |"

    def ratio(get: Callable[[RunStats], float]) -> str:
        return _ratio(get(first), get(base)) if first is not None and base is not None else "–"

    lines = [
        f"### N = {result.n} ({result.online} online, {result.n - result.online} in person)",
        "",
        "| | " + " | ".join(heads) + " |",
        "|---|" + "---:|" * len(heads),
        row("**HTTP requests, token requests included**", [f"**{r.http_requests}**" for r in runs],
            ratio(lambda r: r.http_requests)),
        row("  of them token requests (`oauth2.token`)", [str(r.token_requests) for r in runs]),
        row("API calls (batch parts each)", [str(r.api_calls) for r in runs], ratio(lambda r: r.api_calls)),
        row("**wall time, s**", [f"**{r.wall_seconds:.1f}**" for r in runs], ratio(lambda r: r.wall_seconds)),
        row("CPU time of gmo-sync, s", [f"{r.cpu_seconds:.1f}" if r.cpu_seconds is not None else "–"
                                        for r in runs]),
        row("latency floor of the run's requests, s", [f"{r.network_seconds:.1f}" for r in runs]),
        row("wall / floor", [f"{r.floor_ratio:.2f}" for r in runs]),
        row(f"requests × {latency_ms:g} ms, s", [f"{r.http_requests * latency_ms / 1000:.1f}" for r in runs]),
        row("429 answers", [str(r.too_many) for r in runs]),
        row("peak memory, MiB", [f"{r.peak_rss_mb:.0f}" if r.peak_rss_mb else "–" for r in runs]),
    ]  # fmt: skip
    for group in QUOTA_GROUPS:
        if any(r.quota.get(group) for r in runs):
            cells = [f"{r.quota.get(group, 0)} ({r.quota_peak.get(group, 0)})" for r in runs]
            lines.append(
                row(f"quota {group} (peak in 60 s)", cells, ratio(lambda r, g=group: r.quota.get(g, 0)))
            )
    for method in sorted({m for r in runs for m in r.by_method}):
        lines.append(row(f"`{method}`", [str(r.by_method.get(method, 0)) for r in runs]))
        if method.startswith("HTTP batch"):
            api = method.removeprefix("HTTP batch ")
            for inner in sorted({m for r in runs for m in r.batch_inner if m.startswith(api + ".")}):
                lines.append(
                    row(f"  ↳ `{inner}` (inside batches)", [str(r.batch_inner.get(inner, 0)) for r in runs])
                )
    for error in sorted({e for r in runs for e in r.other_errors}):
        lines.append(row(f"answered {error}", [str(r.other_errors.get(error, 0)) for r in runs]))
    lines.append("")
    if result.runs or result.cold or result.problems:
        verdict = "OK" if not result.problems else "FAILED: " + "; ".join(result.problems[:5])
        lines.append(
            "Correctness after gmo-sync's first runs (one protocol per meeting, one event per online "
            f"meeting, every link written back): {verdict}"
        )
    if base is not None:
        verdict = "OK" if not result.baseline_problems else "; ".join(result.baseline_problems[:5])
        lines.append(f"Baseline made its documents and events: {verdict}")
    for r in runs:
        lines.extend(f"Note ({r.label}): {note}" for note in r.notes)
    lines.append("")
    return "\n".join(lines)


def race_table(races: list[LocalRace]) -> str:
    lines = [
        "| N meetings | documents | runs each | naive loop: wall, s (CPU, s) | gmo-sync: wall, s (CPU, s) "
        "| naive / gmo-sync, wall | naive / gmo-sync, CPU |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in races:
        lines.append(
            f"| {r.meetings} | {r.documents} | {len(r.gmo)} | {r.naive_wall:.1f} ({r.naive_cpu:.1f}) | "
            f"{r.gmo_wall:.1f} ({r.gmo_cpu:.1f}) | **{r.speedup:.2f}** | {_ratio(r.naive_cpu, r.gmo_cpu)} |"
        )
    each = "; ".join(
        f"N={r.meetings}: naive {', '.join(f'{x.wall_seconds:.1f}' for x in r.naive)}, "
        f"gmo-sync {', '.join(f'{x.wall_seconds:.1f}' for x in r.gmo)}"
        for r in races
    )
    return "\n".join(lines) + f"\n\nEvery run, wall seconds, in the order they ran: {each}.\n"


def memory_table(local: list[LocalStats]) -> str:
    lines = [
        "| N meetings | protocols written | wall time, s | CPU time, s | protocols per second "
        "| peak memory, all processes (PSS), MiB | largest process (RSS), MiB |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for s in local:
        lines.append(
            f"| {s.meetings} | {s.protocols} | {s.wall_seconds:.1f} | {s.cpu_seconds:.1f} | "
            f"{s.per_second:.1f} | {s.peak_total_mb:.0f} | {s.peak_rss_mb:.0f} |"
        )
    return "\n".join(lines) + "\n"


def reading_table(stats: ReadingStats) -> str:
    def cell(results: list, what: str = "wall_seconds") -> str:
        return f"{ReadingStats.median(results, what):.2f}"

    lines = [
        f"A workbook of {stats.meetings} meetings (plus `init`'s samples; {stats.workbook_kib:.0f} KiB, "
        f"{2 * stats.meetings} agenda rows, {stats.meetings} decisions), every protocol and event made "
        f"(that first run took {stats.first_run_seconds:.0f} s and is not compared). Medians of "
        f"{len(stats.bare)} interleaved runs each:",
        "",
        "| | wall, s | CPU, s | wall ratio | CPU ratio |",
        "|---|---:|---:|---:|---:|",
        f"| bare `openpyxl.load_workbook` (fresh process) | {cell(stats.bare)} | "
        f"{cell(stats.bare, 'cpu_seconds')} | 1.00 | 1.00 |",
        f"| `gmo-sync check` | {cell(stats.check)} | {cell(stats.check, 'cpu_seconds')} | "
        f"**{stats.ratio(stats.check):.2f}** | {stats.ratio(stats.check, 'cpu_seconds'):.2f} |",
        f"| `gmo-sync run`, nothing to change | {cell(stats.rerun)} | {cell(stats.rerun, 'cpu_seconds')} | "
        f"**{stats.ratio(stats.rerun):.2f}** | {stats.ratio(stats.rerun, 'cpu_seconds'):.2f} |",
    ]  # fmt: skip
    return "\n".join(lines) + "\n"


def _line(ok: bool, text: str) -> str:
    return f"{'PASS' if ok else 'FAIL'}  {text}"


def targets(results: list[SizeResult], latency_ms: float, races: list[LocalRace], local: list[LocalStats],
            reading: ReadingStats | None) -> list[str]:  # fmt: skip
    lines: list[str] = []
    for r in races:
        lines.append(
            _line(
                r.speedup >= LOCAL_SPEEDUP,
                (
                    f"local at N={r.meetings}: gmo-sync protocols {r.gmo_wall:.1f} s vs the naive docxtpl "
                    f"loop {r.naive_wall:.1f} s, same run = {r.speedup:.2f}× faster "
                    f"(target ≥ {LOCAL_SPEEDUP}×)"
                ),
            )
        )
    if len(local) >= 2:
        low, high = local[0], local[-1]
        ratio = high.peak_total_mb / low.peak_total_mb if low.peak_total_mb else math.inf
        lines.append(
            _line(
                ratio <= FLAT_MEMORY_RATIO,
                (
                    f"local peak memory (all processes) {low.peak_total_mb:.0f} MiB at N={low.meetings}, "
                    f"{high.peak_total_mb:.0f} MiB at N={high.meetings} = ×{ratio:.2f} "
                    f"(target ≤ ×{FLAT_MEMORY_RATIO}); "
                    f"largest process ×{high.peak_rss_mb / low.peak_rss_mb:.2f}"
                ),
            )
        )
    if reading is not None:
        rerun, check = reading.ratio(reading.rerun), reading.ratio(reading.check)
        lines.append(
            _line(
                rerun <= READING_RATIO,
                (
                    f"no-change local run at N={reading.meetings}: {rerun:.2f}× a bare openpyxl load of "
                    "the workbook "
                    f"(target ≤ {READING_RATIO:g}×; CPU {reading.ratio(reading.rerun, 'cpu_seconds'):.2f}×; "
                    f"check {check:.2f}×)"
                ),
            )
        )
    for r in results:
        quiet = [s for s in r.runs if s.label.startswith("no-change")]
        for s in quiet:
            lines.append(
                _line(
                    s.api_requests <= 3 and s.token_requests <= 1,
                    (
                        f"{s.label} at N={r.n}: {s.api_requests} API requests + {s.token_requests} "
                        "token requests "
                        f"(target ≤ 3 + 1)"
                    ),
                )
            )
        if r.cold is not None:
            lines.append(
                _line(
                    r.cold.http_requests <= r.bound,
                    (
                        f"cold first run at N={r.n}: {r.cold.http_requests} requests in all, "
                        f"{r.cold.token_requests} token request(s) and "
                        f"{r.cold.by_method.get('drive.files.export', 0)} template export(s) included "
                        f"(target ≤ N + ⌈N/50⌉ + 8 = {r.bound}; warm: "
                        f"{r.runs[0].http_requests if r.runs else '–'})"
                    ),
                )
            )
    pairs = [r for r in results if r.baseline is not None and (r.cold or r.runs)]
    if pairs:
        at = next((r for r in pairs if r.n == 100), pairs[-1])
        assert at.baseline is not None
        first = at.cold or at.runs[0]
        speedup = at.baseline.wall_seconds / first.wall_seconds if first.wall_seconds else math.inf
        where = "" if at.n == 100 else f" (measured at N={at.n}; the issue names N=100)"
        lines.append(
            _line(
                speedup >= MERGE_SPEEDUP,
                (
                    f"first run at N={at.n}: gmo-sync {first.wall_seconds:.1f} s ({first.label}) vs the "
                    f"naive merge {at.baseline.wall_seconds:.1f} s = {speedup:.1f}× faster "
                    f"(target ≥ {MERGE_SPEEDUP:g}×){where}"
                ),
            )
        )
    measured = [r for r in results if r.cold is not None]
    if measured:
        at = next((r for r in measured if r.n == 500), measured[-1])
        assert at.cold is not None
        serial = at.cold.http_requests * latency_ms / 1000
        share = at.cold.wall_seconds / serial if serial else math.inf
        where = "" if at.n == 500 else f" (measured at N={at.n}; the issue names N=500)"
        lines.append(
            _line(
                share <= OVERLAP,
                (
                    f"first run at N={at.n}: wall {at.cold.wall_seconds:.1f} s = {share:.2f} × "
                    f"({at.cold.http_requests} requests × {latency_ms:g} ms = {serial:.1f} s) "
                    f"(target ≤ {OVERLAP}); latency floor of its own requests "
                    f"{at.cold.network_seconds:.1f} s, wall / floor {at.cold.floor_ratio:.2f}{where}"
                ),
            )
        )
        total = sum(s.too_many for r in measured for s in [*r.runs, *([r.cold] if r.cold else [])])
        lines.append(_line(total == 0, f"gmo-sync 429 answers, all runs: {total} (target 0)"))
    return lines
