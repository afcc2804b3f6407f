"""`kill -9` during `gmo-sync remind` never yields a second copy of a letter.

A real process sends three letters to the SMTP server on loopback and is killed: while the server
holds a message it has already received (delivered, not yet acknowledged — the hardest point), or at
moments spread over the whole run. The next run must send no letter that arrived, must report every
letter whose sending was interrupted, and only `--resend` sends those again.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from gmo_sync.backends.local.setup import create_local_workspace
from gmo_sync.cli.main import Settings, cli
from tests import xlsx
from tests.smtp_server import SmtpServer
from tests.test_remind import SEED, mail_config


def recipients(folder: Path) -> set[str]:
    """Замятина, Попыхова and every «руководители РМО» the seed lists."""
    heads = {str(r[3]) for r in xlsx.rows(folder / "ГМО.xlsx", "Участники")[1:] if r[5] == "руководители РМО"}
    return {"zamyatina@example.org", "popykhova@example.org", *heads}


def workspace_for(tmp_path: Path, port: int) -> Path:
    today = dt.datetime.now(ZoneInfo("Asia/Krasnoyarsk")).date()  # the process runs on the real clock
    folder = tmp_path / "ws"
    create_local_workspace(folder, today)
    mail_config(folder, port)
    tomorrow = today + dt.timedelta(days=1)
    for number, text, who in (
        (4, "Памятка", "Замятина Е.Д."),
        (5, "Отчёт", "Попыхова Т.Ю."),
        (6, "Заявки районов", "руководители РМО"),
    ):
        xlsx.append(
            folder / "ГМО.xlsx",
            "Решения",
            {"ID заседания": SEED, "№": number, "Решение": text, "Ответственный": who, "Срок": tomorrow},
        )
    return folder


def environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("GMO_SYNC_")}


def remind(folder: Path, *args: str):  # type: ignore[no-untyped-def]
    old = Path.cwd()
    os.chdir(folder)
    try:
        return CliRunner().invoke(cli, ["remind", *args], obj=Settings(), catch_exceptions=False)
    finally:
        os.chdir(old)


# (letters the server has received, then seconds): 0 letters — before any was sent; +0 s — while the server
# holds a letter it has received; +0.3…0.6 s — after its answer, while the status is being recorded
KILLS = [(0, 0.5), (1, 0.0), (1, 0.32), (1, 0.45), (2, 0.0), (2, 0.4), (3, 0.0), (3, 0.35), (3, 0.6)]


@pytest.mark.parametrize("kill", KILLS, ids=[f"after {n} letters + {s} s" for n, s in KILLS])
def test_kill_during_sending_never_sends_a_letter_twice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kill: tuple[int, float]
) -> None:
    for name in list(os.environ):
        if name.startswith("GMO_SYNC_"):
            monkeypatch.delenv(name)
    with SmtpServer() as server:
        folder = workspace_for(tmp_path, server.port)
        everyone = recipients(folder)
        assert "rmo-oktyabrsky@example.org" in everyone
        server.inbox.hold_seconds = 0.3
        process = subprocess.Popen(
            [sys.executable, "-c", "from gmo_sync.cli.main import main; main()", "remind"],
            cwd=folder,
            env=environment(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        letters, seconds = kill
        deadline = time.monotonic() + 60
        while len(server.inbox.messages) < letters and time.monotonic() < deadline:
            server.inbox.received.wait(0.05)
            server.inbox.received.clear()
        assert len(server.inbox.messages) >= letters, "the process never sent that letter"
        time.sleep(seconds)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        server.inbox.hold_seconds = 0
        delivered = Counter(r for m in server.inbox.messages for r in m.recipients)

        rerun = remind(folder)
        after = Counter(r for m in server.inbox.messages for r in m.recipients)
        assert all(n == 1 for n in after.values()), (kill, after)  # never a second copy
        assert set(after) == everyone or rerun.exit_code == 1, rerun.output
        interrupted = [line for line in rerun.output.splitlines() if "могло не дойти" in line]
        # a letter that arrived in the killed run either was recorded as sent, or is reported
        for address in delivered:
            rows = [r for r in xlsx.rows(folder / "ГМО.xlsx", "Рассылки")[1:] if address in str(r[1])]
            assert rows and (rows[0][5] == "отправлено" or any(address in line for line in interrupted)), rows
        # nothing is lost: every letter is delivered now, or reported as possibly delivered
        missing = everyone - set(after)
        assert all(any(a in line for line in interrupted) for a in missing), (missing, rerun.output)

        third = remind(folder)
        assert Counter(r for m in server.inbox.messages for r in m.recipients) == after  # still once each
        if interrupted:
            assert third.exit_code == 1 and "gmo-sync remind --resend" in third.output
            resent = remind(folder, "--resend")
            assert resent.exit_code == 0, resent.output
            assert set(r for m in server.inbox.messages for r in m.recipients) == everyone
            assert remind(folder).exit_code == 0  # all settled: nothing reported, nothing sent
