"""``python -m bench``: gmo-sync vs a naive per-row merge against the fake Workspace, plus the local backend.

Examples:
    python -m bench                                  # N = 10, 100, 500; baseline at 10, 100; 150 ms latency
    python -m bench --sizes 10,100 --baseline-sizes 10,100
    python -m bench --sizes 500 --baseline-sizes ""  # gmo-sync only
    python -m bench --quick --out /tmp/RESULTS.md    # smoke run: tiny sizes, no latency
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

import gspread

from bench.baseline import create_template, run_baseline
from bench.fake import GOOGLE_USER_QUOTAS, FakeServer
from bench.google_runs import GoogleHome, check_first_run, measured_run
from bench.local import LocalStats, measure_local
from bench.report import SizeResult, local_table, size_table, targets
from bench.stats import summarize
from bench.workload import edit_topic, fill_sheet, meetings
from tests.fakegoogle import clients

REPO = Path(__file__).resolve().parents[1]
QUICK = {"sizes": "3", "baseline_sizes": "3", "latency_ms": 0.0, "local_sizes": "3,6"}
DEFAULTS = {"sizes": "10,100,500", "baseline_sizes": "10,100", "latency_ms": 150.0, "local_sizes": "100,500"}


def _sizes(text: str) -> list[int]:
    return sorted({int(part) for part in text.split(",") if part.strip()})


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _coordinator(fake: FakeServer) -> gspread.Client:
    # The coordinator is another Google user (the fake names a service account's user by its e-mail), so
    # typing the sheet does not eat into the quota windows of the account gmo-sync runs under.
    info = clients.service_account_info(fake.base_url, "coordinator@bench.iam.gserviceaccount.com")
    creds = clients.credentials(fake.base_url, "service_account", **info)
    return clients.gspread_client(fake.base_url, fake.ca_path, creds)


def bench_gmo_sync(fake: FakeServer, result: SizeResult, latency_ms: float, source: Path) -> None:
    items = meetings(result.n)
    fake.prepare(latency_ms)  # fresh state, log and quota windows for every N
    with tempfile.TemporaryDirectory(prefix="gmo-bench-") as tmp:
        home = GoogleHome.create(Path(tmp), fake, source)
        ids = home.init(f"ГМО бенчмарк N={result.n}")
        coordinator = _coordinator(fake)
        fill_sheet(coordinator, ids["spreadsheet_id"], items)
        _progress(f"N={result.n}: gmo-sync first run")
        result.runs.append(measured_run(fake, home, "first run"))
        result.problems = check_first_run(fake.state(), ids["spreadsheet_id"], items)
        _progress(f"N={result.n}: gmo-sync no-change rerun")
        result.runs.append(measured_run(fake, home, "no-change rerun"))
        edit_topic(coordinator, ids["spreadsheet_id"], items[0])  # an online meeting: doc and event change
        _progress(f"N={result.n}: gmo-sync rerun after one edit")
        result.runs.append(measured_run(fake, home, "after one edit"))


def bench_baseline(fake: FakeServer, result: SizeResult, latency_ms: float, source: Path) -> None:
    items = meetings(result.n)
    fake.prepare(latency_ms)  # the baseline starts with empty quota windows too
    with tempfile.TemporaryDirectory(prefix="gmo-bench-base-") as tmp:
        home = GoogleHome.create(Path(tmp), fake, source)
        ids = home.init(f"ГМО слияние N={result.n}")  # the same sheet layout, made the same way
        fill_sheet(_coordinator(fake), ids["spreadsheet_id"], items)
        template = create_template(fake.act, ids["protocols_folder_id"])
        _progress(f"N={result.n}: baseline")
        before = fake.request_count()
        outcome = run_baseline(
            fake.base_url, fake.ca_path, ids["spreadsheet_id"], template, ids["protocols_folder_id"]
        )
        result.baseline = summarize("baseline", fake.log_since(before), outcome.wall_seconds)
        if outcome.docs != result.n or outcome.events != result.online:
            result.baseline_problems.append(f"{outcome.docs} docs, {outcome.events} events")


def describe_source(source: Path) -> str:
    """Which code was measured: the commit, and whether gmo_sync/ differed from it."""

    def git(*args: str) -> str:
        done = subprocess.run(["git", "-C", str(source), *args], capture_output=True, text=True, check=False)
        return done.stdout.strip() if done.returncode == 0 else ""

    commit = git("rev-parse", "--short", "HEAD")
    if not commit:
        return f"`{source}` (not a git checkout)"
    dirty = git("status", "--porcelain", "--", "gmo_sync")
    return f"commit {commit}" + (" plus uncommitted changes in gmo_sync/" if dirty else "")


def header(args: argparse.Namespace, sizes: list[int], baseline: list[int], local: list[int]) -> str:
    quotas = ", ".join(f"{k} {v}/min" for k, v in GOOGLE_USER_QUOTAS.items())
    now = dt.datetime.now().astimezone()
    machine = f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs"
    command = " ".join(["python -m bench", *sys.argv[1:]])
    return f"""# gmo-sync benchmark

Measured {now:%Y-%m-%d %H:%M %z} on {machine}, Python {platform.python_version()}.
Command: `{command}` (from the repository root). gmo-sync measured: {describe_source(args.source)}.

Google side: the standalone fake Workspace (`python -m tests.fakegoogle`) with {args.latency_ms:g} ms
per request (every call waits it in turn, batch parts included) and per-user quotas on ({quotas};
Drive unlimited). gmo-sync runs as `gmo-sync run -q` subprocesses, as cron would; each size and the
baseline start from a reset fake (empty quota windows). Sizes: {sizes}; baseline: {baseline or "none"};
local: {local or "none"}.

Counting: *HTTP requests* counts an HTTP batch as one request (its inner calls are listed under it and
in *API calls*); *quota* is what the fake charged to each per-user group, with the most calls in any
60-second window in brackets (the limits are per minute). gmo-sync's wall time includes its process
start-up (about a second); the baseline runs inside the benchmark process, so its time has none.
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", help="meeting counts for gmo-sync (default 10,100,500)")
    parser.add_argument(
        "--baseline-sizes", help='meeting counts for the naive baseline (default 10,100; "" none)'
    )
    parser.add_argument("--latency-ms", type=float, help="per-request latency of the fake (default 150)")
    parser.add_argument(
        "--local-sizes", help='meeting counts for the local backend (default 100,500; "" none)'
    )
    parser.add_argument(
        "--out", type=Path, default=REPO / "bench" / "RESULTS.md", help="markdown file to write"
    )
    parser.add_argument(
        "--source",
        type=Path,
        default=REPO,
        help="checkout whose gmo_sync package is measured (default: this working tree)",
    )
    parser.add_argument("--quick", action="store_true", help="smoke run: N=3, baseline N=2, no latency")
    args = parser.parse_args(argv)
    chosen = QUICK if args.quick else DEFAULTS
    for name, value in chosen.items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    sizes, baseline, local_sizes = _sizes(args.sizes), _sizes(args.baseline_sizes), _sizes(args.local_sizes)

    results = {
        n: SizeResult(n, len([m for m in meetings(n) if m.online])) for n in sorted({*sizes, *baseline})
    }
    with FakeServer(REPO) as fake:
        for n, result in results.items():
            # One size failing must not throw away the others' measurements (a full run takes minutes).
            if n in sizes:
                try:
                    bench_gmo_sync(fake, result, args.latency_ms, args.source)
                except Exception as error:
                    result.problems.append(f"gmo-sync benchmark failed: {error!r}"[:500])
            if n in baseline:
                try:
                    bench_baseline(fake, result, args.latency_ms, args.source)
                except Exception as error:
                    result.baseline_problems.append(f"baseline failed: {error!r}"[:500])
    local: list[LocalStats] = []
    for n in local_sizes:
        _progress(f"local: N={n}")
        local.append(measure_local(n, args.source))

    parts = [header(args, sizes, baseline, local_sizes), "## Google backend vs the naive baseline", ""]
    parts += [size_table(r) for r in results.values()]
    if local:
        parts += [
            "## Local backend (`gmo-sync protocols`, .docx from the default template)",
            "",
            local_table(local),
        ]
    parts += ["## Targets (issue 7)", "", "```", *targets(list(results.values()), local), "```", ""]
    text = "\n".join(parts)
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    broken = any(r.problems or r.baseline_problems for r in results.values())
    return 1 if broken else 0  # targets are reported, not enforced; wrong results are an error


if __name__ == "__main__":
    sys.exit(main())
