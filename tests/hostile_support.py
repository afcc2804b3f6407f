"""Helpers for the hostile-input suites: real broken folders, not patched functions.

A full disk is a tiny tmpfs mounted over the protocols folder inside a private mount namespace
(``unshare --mount``: the mount vanishes with the process and nobody else sees it). A folder the run
may not write to needs an unprivileged user, because root ignores permission bits: as root the CLI
runs as ``nobody`` (``setpriv``), otherwise ``chmod`` is enough. Each helper skips the test when the
machine cannot do it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import openpyxl
import pytest

from tests.reliability_support import GMO_SYNC

NOBODY = 65534


def clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("GMO_SYNC_")}


def run(args: list[str], cwd: Path, prefix: list[str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*(prefix or []), *GMO_SYNC, *args], cwd=cwd, env=clean_env(), capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip


def on_tiny_disk(folder: Path, size: str = "8k") -> list[str]:
    """A command prefix that runs the CLI with ``folder`` on a tmpfs of ``size`` (a full disk)."""
    if shutil.which("unshare") is None:
        pytest.skip("unshare is not installed")
    probe = subprocess.run(["unshare", "--mount", "sh", "-c", f"mount -t tmpfs -o size=4k tmpfs {folder}"],
                           capture_output=True)  # fmt: skip
    if probe.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {probe.stderr.decode(errors='replace').strip()}")
    script = 'mount -t tmpfs -o size="$1" tmpfs "$2" && shift 2 && exec "$@"'
    return ["unshare", "--mount", "sh", "-c", script, "sh", size, str(folder)]


@contextmanager
def shared_tmp() -> Iterator[Path]:
    """A folder another user can reach (pytest's tmp_path is private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="gmo-hostile-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def as_unprivileged(owned: list[Path]) -> list[str]:
    """A command prefix that runs the CLI as a user for whom only ``owned`` (and below) is writable."""
    if os.geteuid() != 0:
        return []  # permission bits already bind us; the caller chmods what must be read-only
    if shutil.which("setpriv") is None:
        pytest.skip("setpriv is not installed")
    for path in owned:
        for item in [path, *path.rglob("*")]:
            os.chown(item, NOBODY, NOBODY)
    return ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]


def journal_rows(workbook: Path) -> list[tuple[object, ...]]:
    sheet = openpyxl.load_workbook(workbook)["Журнал"]
    return [tuple(r) for r in sheet.iter_rows(min_row=2, values_only=True)]
