"""The benchmark's smoke run: `python -m bench --quick` produces its tables and target lines.

Nothing here is timed or compared against a target (the benchmark reports those); this only keeps the
bench runnable as gmo-sync and the fake evolve.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_quick_bench_writes_tables_and_targets(tmp_path: Path) -> None:
    out = tmp_path / "RESULTS.md"
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--sizes", "3", "--baseline-sizes", "2,3",
         "--race-sizes", "2", "--memory-sizes", "2,4", "--reading-size", "5", "--out", str(out)],
        cwd=REPO, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    text = out.read_text(encoding="utf-8")
    assert done.stdout.strip() == text.strip()
    assert "**Machine load** (load average over 1 / 5 / 15 minutes" in text
    assert "### N = 3 (2 online, 1 in person)" in text
    heads = ["cold first run", "warm first run", "no-change rerun", "no-change rerun an hour later",
             "after one edit", "baseline: first run"]  # fmt: skip
    assert "| | " + " | ".join(heads) + " |" in text
    assert "### N = 2 (1 online, 1 in person)" in text  # a baseline-only size still gets its table
    assert "| **HTTP requests, token requests included** |" in text and "| `drive.files.create` |" in text
    assert "| `drive.files.copy` |" in text and "| `docs.documents.batchUpdate` |" in text
    three = text.split("### N = 3")[1].splitlines()
    tokens = next(line for line in three if line.startswith("|   of them token requests"))
    assert tokens.split("|")[2:6] == [" 1 ", " 0 ", " 0 ", " 1 "]  # cold, warm, rerun, an hour later
    export = next(line for line in three if line.startswith("| `drive.files.export` |"))
    assert export.split("|")[2:4] == [" 1 ", " 0 "]  # only the cold first run exports the template
    assert "Correctness after gmo-sync's first runs" in text and ": OK" in text
    assert "| 2 | 3 | 1 |" in text  # the local race: N=2, 3 documents (init's own meeting too), one run each
    assert "| bare `openpyxl.load_workbook` (fresh process) |" in text
    lines = text.splitlines()
    targets = [line for line in lines if line.startswith(("PASS  ", "FAIL  "))]
    expected = [
        "local at N=2: gmo-sync protocols",
        "local peak memory (all processes)",
        "no-change local run at N=5:",
        "no-change rerun at N=3: 3 API requests + 0 token requests",
        "no-change rerun an hour later at N=3: 3 API requests + 1 token requests",
        "cold first run at N=3:",
        "first run at N=3: gmo-sync",
        "first run at N=3: wall",
        "gmo-sync 429 answers, all runs:",
    ]
    for start in expected:
        assert any(line[6:].startswith(start) for line in targets), start
