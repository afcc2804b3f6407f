"""Markdown tables per N, the issue's targets as PASS/FAIL lines, and the local-backend figures."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from bench.local import LocalStats
from bench.stats import QUOTA_GROUPS, RunStats

FLAT_MEMORY_RATIO = 1.25  # "flat in N": peak memory at the largest N within a quarter of the smallest N's
LOCAL_RATE_TARGET = 20.0  # protocols per second (issue 7)
SPEEDUP_TARGET = 4.0


@dataclass
class SizeResult:
    n: int
    online: int
    runs: list[RunStats] = field(default_factory=list)  # gmo-sync: first, no-change, one edit
    problems: list[str] = field(default_factory=list)  # correctness after the first run
    baseline: RunStats | None = None
    baseline_problems: list[str] = field(default_factory=list)


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}" if b else "–"


def _seconds(value: float) -> str:
    return f"{value:.1f}"


def size_table(result: SizeResult) -> str:
    runs = list(result.runs)
    heads = ["gmo-sync: first run", "no-change rerun", "after one edit"][: len(runs)]
    base = result.baseline
    if base is not None:
        runs.append(base)
        heads += ["baseline: first run", "gmo-sync / baseline"]
    first = result.runs[0] if result.runs else None

    def row(name: str, values: list[str], ratio: str = "") -> str:
        cells = values + ([ratio] if base is not None else [])
        return "| " + " | ".join([name, *cells]) + " |"

    lines = [
        f"### N = {result.n} ({result.online} online, {result.n - result.online} in person)",
        "",
        "| | " + " | ".join(heads) + " |",
        "|---|" + "---:|" * len(heads),
    ]

    def ratio(get: Callable[[RunStats], float]) -> str:
        return _ratio(get(first), get(base)) if first is not None and base is not None else "–"

    lines.append(
        row("**HTTP requests**", [f"**{r.http_requests}**" for r in runs], ratio(lambda r: r.http_requests))
    )
    lines.append(
        row("API calls (batch parts each)", [str(r.api_calls) for r in runs], ratio(lambda r: r.api_calls))
    )
    lines.append(
        row(
            "**wall time, s**",
            [f"**{_seconds(r.wall_seconds)}**" for r in runs],
            ratio(lambda r: r.wall_seconds),
        )
    )
    lines.append(row("429 answers", [str(r.too_many) for r in runs]))
    lines.append(row("peak memory, MiB", [f"{r.peak_rss_mb:.0f}" if r.peak_rss_mb else "–" for r in runs]))
    for group in QUOTA_GROUPS:
        if any(r.quota.get(group) for r in runs):
            cells = [f"{r.quota.get(group, 0)} ({r.quota_peak.get(group, 0)})" for r in runs]
            lines.append(
                row(f"quota {group} (peak in 60 s)", cells, ratio(lambda r, g=group: r.quota.get(g, 0)))
            )
    methods = sorted({m for r in runs for m in r.by_method})
    for method in methods:
        lines.append(row(f"`{method}`", [str(r.by_method.get(method, 0)) for r in runs]))
        if method.startswith("HTTP batch"):
            api = method.removeprefix("HTTP batch ")
            for inner in sorted({m for r in runs for m in r.batch_inner if m.startswith(api + ".")}):
                lines.append(
                    row(f"  ↳ `{inner}` (inside batches)", [str(r.batch_inner.get(inner, 0)) for r in runs])
                )
    errors = sorted({e for r in runs for e in r.other_errors})
    for error in errors:
        lines.append(row(f"answered {error}", [str(r.other_errors.get(error, 0)) for r in runs]))
    lines.append("")
    if result.runs or result.problems:
        verdict = "OK" if not result.problems else "FAILED: " + "; ".join(result.problems[:5])
        lines.append(
            f"Correctness after gmo-sync's first run (one protocol per meeting, one event per online "
            f"meeting, every link written back): {verdict}"
        )
    if base is not None:
        verdict = "OK" if not result.baseline_problems else "; ".join(result.baseline_problems[:5])
        lines.append(f"Baseline made its documents and events: {verdict}")
    for r in runs:
        lines.extend(f"Note ({r.label}): {note}" for note in r.notes)
    lines.append("")
    return "\n".join(lines)


def _line(ok: bool, text: str) -> str:
    return f"{'PASS' if ok else 'FAIL'}  {text}"


def targets(results: list[SizeResult], local: list[LocalStats]) -> list[str]:
    lines: list[str] = []
    measured = [r for r in results if len(r.runs) == 3]  # all three runs done
    if measured:
        at = next((r for r in measured if r.n == 500), measured[-1])
        quiet = at.runs[1]
        where = "" if at.n == 500 else f" (measured at N={at.n}; the issue names N=500)"
        detail = ", ".join(f"{m} {c}" for m, c in sorted(quiet.by_method.items()))
        lines.append(
            _line(
                quiet.http_requests <= 3,
                f"no-change rerun at N={at.n}: {quiet.http_requests} HTTP "
                f"requests (target ≤ 3){where} — {detail}",
            )
        )
        for r in measured:
            bound = r.n + math.ceil(r.n / 50) + 8
            first = r.runs[0]
            lines.append(
                _line(
                    first.http_requests <= bound,
                    f"first run at N={r.n}: {first.http_requests} HTTP "
                    f"requests (target ≤ N + ⌈N/50⌉ + 8 = {bound})",
                )
            )
    pairs = [r for r in measured if r.baseline is not None]
    if pairs:
        at = next((r for r in pairs if r.n == 100), pairs[-1])
        assert at.baseline is not None
        speedup = at.baseline.wall_seconds / at.runs[0].wall_seconds if at.runs[0].wall_seconds else math.inf
        where = "" if at.n == 100 else f" (measured at N={at.n}; the issue names N=100)"
        lines.append(
            _line(
                speedup >= SPEEDUP_TARGET,
                f"first-run wall time at N={at.n}: gmo-sync "
                f"{at.runs[0].wall_seconds:.1f} s vs baseline {at.baseline.wall_seconds:.1f} s = "
                f"{speedup:.1f}× faster (target ≥ {SPEEDUP_TARGET:.0f}×){where}",
            )
        )
    if measured:
        per = [f"N={r.n}: {sum(s.too_many for s in r.runs)}" for r in measured]
        total = sum(s.too_many for r in measured for s in r.runs)
        apis = sorted({m for r in measured for s in r.runs for m in s.too_many_by_method})
        cause = f" — from {', '.join(apis)}" if apis else ""
        lines.append(
            _line(total == 0, f"gmo-sync 429 answers, all runs: {total} ({', '.join(per)}; target 0){cause}")
        )
    for stats in local:
        lines.append(
            _line(
                stats.per_second >= LOCAL_RATE_TARGET,
                f"local protocols at N={stats.meetings}: "
                f"{stats.per_second:.1f} per second, {stats.protocols} in {stats.wall_seconds:.1f} s "
                f"including start-up (target ≥ {LOCAL_RATE_TARGET:.0f}/s)",
            )
        )
    if len(local) >= 2:
        low, high = local[0], local[-1]
        ratio = high.peak_rss_mb / low.peak_rss_mb
        lines.append(
            _line(
                ratio <= FLAT_MEMORY_RATIO,
                f"local memory flat in N: peak {low.peak_rss_mb:.0f} MiB "
                f"at N={low.meetings}, {high.peak_rss_mb:.0f} MiB at N={high.meetings} (×{ratio:.2f}; "
                f"flat means ≤ ×{FLAT_MEMORY_RATIO})",
            )
        )
    return lines


def local_table(local: list[LocalStats]) -> str:
    lines = [
        "| N meetings | protocols written | wall time, s | protocols per second | peak memory, MiB |",
        "|---:|---:|---:|---:|---:|",
    ]
    for s in local:
        lines.append(
            f"| {s.meetings} | {s.protocols} | {s.wall_seconds:.1f} | {s.per_second:.1f} | "
            f"{s.peak_rss_mb:.0f} |"
        )
    if len(local) >= 2 and local[-1].wall_seconds > local[0].wall_seconds:
        low, high = local[0], local[-1]
        rate = (high.protocols - low.protocols) / (high.wall_seconds - low.wall_seconds)
        lines += [
            "",
            f"Marginal rate between N={low.meetings} and N={high.meetings} (start-up cancelled out): "
            f"{rate:.1f} protocols per second.",
        ]
    return "\n".join(lines) + "\n"
