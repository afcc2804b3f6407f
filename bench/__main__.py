"""``python -m bench``: what gmo-sync costs, measured side by side with what it replaces.

Google (against the fake Workspace, latency and per-user quotas on): a cold first run (no token, no cached
template) and a warm one, reruns with nothing to change (right after, and an hour later when the token has
expired), a rerun after one edit, beside a naive per-row merge. Local: `gmo-sync protocols` against a naive
docxtpl loop in the same run, peak memory, and the cost of reading a large workbook against merely loading
it with openpyxl. Every figure counts token requests; the machine's load is noted.

Examples:
    python -m bench                                  # everything, defaults below
    python -m bench --sizes 10,100 --baseline-sizes 10,100 --race-sizes "" --memory-sizes "" --reading-size 0
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
from bench.local import LocalRace, LocalStats, measure_local, race
from bench.reading import ReadingStats, measure_reading
from bench.report import SizeResult, memory_table, race_table, reading_table, size_table, targets
from bench.stats import summarize
from bench.workload import edit_topic, fill_sheet, meetings
from tests.fakegoogle import clients

REPO = Path(__file__).resolve().parents[1]
QUICK = {"sizes": "3", "baseline_sizes": "3", "latency_ms": 0.0, "race_sizes": "3", "memory_sizes": "3,6",
         "reading_size": 12, "repeats": 1}  # fmt: skip
DEFAULTS = {"sizes": "10,100,500", "baseline_sizes": "10,100", "latency_ms": 150.0, "race_sizes": "150,500",
            "memory_sizes": "100,500", "reading_size": 2000, "repeats": 3}  # fmt: skip


class Load:
    """The machine's load average when each part started: figures from a shared machine need it."""

    def __init__(self) -> None:
        self.notes: list[tuple[str, tuple[float, float, float]]] = []

    def note(self, what: str) -> None:
        self.notes.append((what, os.getloadavg()))

    def text(self) -> str:
        return "; ".join(f"{what} {one:.1f} / {five:.1f} / {fifteen:.1f}" for what, (one, five, fifteen)
                         in self.notes)  # fmt: skip


def cpus() -> str:
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return f"{os.cpu_count()} CPUs ({usable} usable by this process)"


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
        fill_sheet(_coordinator(fake), ids["spreadsheet_id"], items)
        home.make_cold()
        _progress(f"N={result.n}: gmo-sync cold first run")
        result.cold = measured_run(fake, home, "cold first run")
        result.problems = check_first_run(fake.state(), ids["spreadsheet_id"], items)
    fake.prepare(latency_ms)
    with tempfile.TemporaryDirectory(prefix="gmo-bench-") as tmp:
        home = GoogleHome.create(Path(tmp), fake, source)
        ids = home.init(f"ГМО бенчмарк N={result.n}")
        coordinator = _coordinator(fake)
        fill_sheet(coordinator, ids["spreadsheet_id"], items)
        _progress(f"N={result.n}: gmo-sync warm first run")
        result.runs.append(measured_run(fake, home, "warm first run"))
        result.problems += check_first_run(fake.state(), ids["spreadsheet_id"], items)
        _progress(f"N={result.n}: gmo-sync no-change reruns")
        result.runs.append(measured_run(fake, home, "no-change rerun"))
        home.an_hour_later()
        result.runs.append(measured_run(fake, home, "no-change rerun an hour later"))
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


def header(args: argparse.Namespace, sizes: list[int], baseline: list[int], load: Load) -> str:
    quotas = ", ".join(f"{k} {v}/min" for k, v in GOOGLE_USER_QUOTAS.items())
    now = dt.datetime.now().astimezone()
    machine = f"{platform.system()} {platform.machine()}, {cpus()}"
    command = " ".join(["python -m bench", *sys.argv[1:]])
    return f"""# gmo-sync benchmark

Measured {now:%Y-%m-%d %H:%M %z} on {machine}, Python {platform.python_version()}.
Command: `{command}` (from the repository root). gmo-sync measured: {describe_source(args.source)}.

**Machine load** (load average over 1 / 5 / 15 minutes, when each part started): {load.text()}.
A load above the number of CPUs means runs queue for a CPU: absolute times are then longer than on an idle
machine, and only figures measured side by side (ratios of interleaved runs) compare fairly.

Google side: the standalone fake Workspace (`python -m tests.fakegoogle`) with {args.latency_ms:g} ms
per request (every call waits it in turn, batch parts included; requests run side by side) and per-user
quotas on ({quotas}; Drive unlimited). gmo-sync runs as `gmo-sync run -q` subprocesses, as cron would;
each size and the baseline start from a reset fake (empty quota windows). Sizes: {sizes}; baseline:
{baseline or "none"}. The *cold* first run starts as on a fresh machine: no access token (the run asks
the token endpoint for one) and no cached template (it exports the template Doc); the *warm* one finds
both, as `init` leaves them. *An hour later*: the saved access token has expired.

Counting: *HTTP requests* counts an HTTP batch as one request (its inner calls are listed under it and
in *API calls*) and includes requests to the token endpoint; *quota* is what the fake charged to each
per-user group, with the most calls in any 60-second window in brackets (the limits are per minute).
*Latency floor*: the time during which at least one of the run's requests was being answered — what the
run would take if gmo-sync itself took no time, overlapping its requests as it did. gmo-sync's wall time
includes its process start-up; the baseline runs inside the benchmark process, so its time has none.

Not modelled by the fake: Drive's sustained write rate. Google's Workspace admin help asks to stay under
about 3 write requests per second per account; a real first run of hundreds of protocols is bound by that
(500 uploads ≈ 170 s) however many uploads are in flight, and Drive answers faster runs with
`403 userRateLimitExceeded`, which gmo-sync retries with back-off.
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", help="meeting counts for gmo-sync on Google (default 10,100,500)")
    parser.add_argument(
        "--baseline-sizes", help='meeting counts for the naive merge (default 10,100; "" none)'
    )
    parser.add_argument("--latency-ms", type=float, help="per-request latency of the fake (default 150)")
    parser.add_argument(
        "--race-sizes", help='local: gmo-sync against the naive docxtpl loop (default 150,500; "" none)'
    )
    parser.add_argument("--memory-sizes", help='local: peak memory (default 100,500; "" none)')
    parser.add_argument(
        "--reading-size", type=int, help="local: reading a workbook this large (default 2000; 0 none)"
    )
    parser.add_argument(
        "--repeats", type=int, help="interleaved runs of each side in the local races (default 3)"
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
    parser.add_argument("--quick", action="store_true", help="smoke run: tiny sizes, no latency, one repeat")
    args = parser.parse_args(argv)
    chosen = QUICK if args.quick else DEFAULTS
    for name, value in chosen.items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    sizes, baseline = _sizes(args.sizes), _sizes(args.baseline_sizes)
    race_sizes, memory_sizes = _sizes(args.race_sizes), _sizes(args.memory_sizes)
    load = Load()
    failures: list[str] = []

    races: list[LocalRace] = []
    for n in race_sizes:
        load.note(f"local race N={n}")
        _progress(f"local: gmo-sync against the naive loop, N={n}")
        try:
            races.append(race(n, args.source, args.repeats))
        except Exception as error:
            failures.append(f"local race N={n}: {error!r}"[:500])
    local: list[LocalStats] = []
    for n in memory_sizes:
        load.note(f"local memory N={n}")
        _progress(f"local: memory, N={n}")
        try:
            local.append(measure_local(n, args.source))
        except Exception as error:
            failures.append(f"local memory N={n}: {error!r}"[:500])
    reading: ReadingStats | None = None
    if args.reading_size:
        load.note(f"reading N={args.reading_size}")
        _progress(f"local: reading {args.reading_size} meetings")
        try:
            reading = measure_reading(args.reading_size, args.source, args.repeats)
        except Exception as error:
            failures.append(f"reading N={args.reading_size}: {error!r}"[:500])

    results = {
        n: SizeResult(n, len([m for m in meetings(n) if m.online])) for n in sorted({*sizes, *baseline})
    }
    if results:
        load.note("Google")
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
    load.note("end")

    parts = [header(args, sizes, baseline, load)]
    if races:
        parts += [
            "## Local: `gmo-sync protocols` against the naive docxtpl loop, same run",
            "",
            "The naive loop: `DocxTemplate(default.docx).render(context).save()` per meeting, given each "
            "meeting's template variables (`bench/naive_local.py`). gmo-sync also reads and checks the "
            "workbook, renders, stamps and writes each protocol atomically, and writes the links back.",
            "",
            race_table(races),
        ]
    if local:
        parts += ["## Local: peak memory of `gmo-sync protocols`", "", memory_table(local)]
    if reading is not None:
        parts += ["## Local: reading a large workbook", "", reading_table(reading)]
    if results:
        parts += ["## Google backend vs the naive merge", ""]
        parts += [size_table(r, args.latency_ms) for r in results.values()]
    verdicts = targets(list(results.values()), args.latency_ms, races, local, reading)
    parts += ["## Targets (issue 10)", "", "```", *verdicts, "```", ""]
    if failures:
        parts += ["## Parts that failed", "", *[f"- {f}" for f in failures], ""]
    text = "\n".join(parts)
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    broken = failures or any(r.problems or r.baseline_problems for r in results.values())
    return 1 if broken else 0  # targets are reported, not enforced; wrong results are an error


if __name__ == "__main__":
    sys.exit(main())
