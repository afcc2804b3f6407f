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
        [
            sys.executable,
            "-m",
            "bench",
            "--quick",
            "--sizes",
            "3",
            "--baseline-sizes",
            "2,3",
            "--local-sizes",
            "2,4",
            "--out",
            str(out),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    text = out.read_text(encoding="utf-8")
    assert done.stdout.strip() == text.strip()
    assert "### N = 3 (2 online, 1 in person)" in text
    assert "| | gmo-sync: first run | no-change rerun | after one edit | baseline: first run |" in text
    assert "### N = 2 (1 online, 1 in person)" in text  # a baseline-only size still gets its table
    assert "| **HTTP requests** |" in text and "| `drive.files.create` |" in text
    assert "| `drive.files.copy` |" in text and "| `docs.documents.batchUpdate` |" in text
    assert "Correctness after gmo-sync's first run" in text and ": OK" in text
    lines = text.splitlines()
    targets = [line for line in lines if line.startswith(("PASS  ", "FAIL  "))]
    expected = [
        "no-change rerun at N=3:",
        "first run at N=3:",
        "first-run wall time at N=3:",
        "gmo-sync 429 answers, all runs:",
        "local protocols at N=2:",
        "local memory flat in N:",
    ]
    for start in expected:
        assert any(line[6:].startswith(start) for line in targets), start
    assert "| N meetings | protocols written |" in text
