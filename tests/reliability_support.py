"""Helpers for tests/test_reliability.py: meeting sheets, the fake's state read as a verdict, kill points.

Everything here reads the fake through ``/_fake/state``'s shape (``FakeGoogle.state()`` in process, the
same JSON over HTTP for the standalone server), so one checker serves the in-process and subprocess suites.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gmo_sync.core.schema import TABS
from tests.fakegoogle.standalone import StandaloneFake

REPO = Path(__file__).resolve().parents[1]
HEADERS = [c.header for c in TABS[0].columns]  # Заседания, in init's order
OWN_LINK = "https://telemost.example.org/j/"  # an online meeting with its own link gets no Meet


def col(header: str) -> int:
    """0-based index of a Заседания header as init lays it out."""
    return HEADERS.index(header)


@dataclass(frozen=True)
class Meeting:
    """One row a coordinator typed, and what the tool must make of it."""

    topic: str
    date: dt.date
    online: bool
    meet: bool  # online without a link of its own: the event gets a Meet link
    held: bool  # «проведено»: gets a protocol; «запланировано» does not

    @property
    def meeting_id(self) -> str:
        return f"ГМО-{self.date.isoformat()}"

    def row(self) -> list[str]:
        place = (
            "" if self.meet else (OWN_LINK + self.date.strftime("%Y%m%d") if self.online else "КИМЦ, каб. 5")
        )
        values = {
            "Дата": self.date.strftime("%d.%m.%Y"), "Начало": "14:00", "Окончание": "15:30",
            "Формат": "онлайн" if self.online else "очно", "Место или ссылка": place, "Тема": self.topic,
            "Ведущие": "Замятина Е.Д., методист", "Участники": "руководители РМО, ОМО",
            "Присутствовало": "13" if self.held else "",
            "Статус": "проведено" if self.held else "запланировано",
        }  # fmt: skip
        return [values.get(h, "") for h in HEADERS]


def meetings(count: int) -> list[Meeting]:
    """``count`` meetings a week apart: every other one online, half of those with Meet (no own link),
    the first two thirds held (in the past), the rest planned (after the frozen and the real today)."""
    held = count * 2 // 3
    found = []
    for i in range(count):
        date = (dt.date(2021, 9, 1) if i < held else dt.date(2027, 1, 6)) + dt.timedelta(weeks=i)
        online = i % 2 == 0
        found.append(Meeting(f"Тема заседания {i + 1:02d}", date, online, online and i % 4 == 0, i < held))
    return found


# -- the verdict --------------------------------------------------------------------------------------------
@dataclass
class Verdict:
    """What the fake holds after the runs, measured against what the meetings call for."""

    duplicates: list[str] = field(default_factory=list)  # a second doc or event for one meeting
    missing: list[str] = field(default_factory=list)  # a doc or event that should exist and does not
    lost_links: list[str] = field(default_factory=list)  # a link cell empty or pointing elsewhere
    foreign: list[str] = field(default_factory=list)  # a link to another meeting's doc/event
    summary: dict[str, Any] = field(default_factory=dict)  # per topic: what an identical run must reproduce

    @property
    def ok(self) -> bool:
        return not (self.duplicates or self.missing or self.lost_links or self.foreign)

    def explain(self) -> str:
        return json.dumps(
            {k: v for k, v in self.__dict__.items() if k != "summary" and v}, ensure_ascii=False, indent=1
        )


def meeting_rows(state: dict[str, Any], spreadsheet_id: str) -> list[list[str]]:
    """Заседания as stored (FORMULA render), every cell as text, header row first."""
    sheets = state["spreadsheets"][spreadsheet_id]["sheets"]
    (tab,) = [s for s in sheets if s["properties"]["title"] == "Заседания"]
    return [["" if v is None else str(v) for v in row] for row in tab.get("values", [])]


def protocol_docs(state: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for file in state["files"].values():
        props = file.get("appProperties") or {}
        if props.get("gmoKind") == "protocol" and not file.get("trashed"):
            found.setdefault(props.get("gmoMeeting", ""), []).append(file)
    return found


def meeting_events(state: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for calendar in state["calendars"].values():
        for event in calendar.values():
            private = (event.get("extendedProperties") or {}).get("private") or {}
            if private.get("gmoSyncKind") == "meeting":
                found.setdefault(private.get("gmoSyncMeeting", ""), []).append(event)
    return found


def video_uri(event: dict[str, Any]) -> str:
    for point in (event.get("conferenceData") or {}).get("entryPoints") or []:
        if point.get("entryPointType") == "video":
            return str(point.get("uri", ""))
    return ""


def judge(
    state: dict[str, Any], spreadsheet_id: str, expected: list[Meeting], deleted: frozenset[str] = frozenset()
) -> Verdict:
    """Exactly one doc per held meeting and one event per online one, each link in its own row.

    A row is matched to its meeting by topic (the coordinator's text, never rewritten by the tool);
    its links are checked against the fake's own records of which meeting a doc/event belongs to
    (``appProperties.gmoMeeting``, ``extendedProperties.private.gmoSyncMeeting``), not against the
    tool's idea of it. ``deleted``: topics whose rows a coordinator deleted (their docs may stay).
    """
    verdict = Verdict()
    docs, events = protocol_docs(state), meeting_events(state)
    by_doc = {f["id"]: key for key, files in docs.items() for f in files}
    by_event = {e["htmlLink"]: key for key, evs in events.items() for e in evs}
    wanted = {m.meeting_id: m for m in expected}
    for key, files in docs.items():
        if len(files) > 1:
            verdict.duplicates.append(f"{len(files)} протокола у {key}")
        if key not in wanted or not wanted[key].held:
            verdict.duplicates.append(f"протокол не для проведённого заседания: {key}")
    for key, evs in events.items():
        if len(evs) > 1:
            verdict.duplicates.append(f"{len(evs)} события у {key}")
        if key not in wanted or not wanted[key].online:
            verdict.duplicates.append(f"событие не для онлайн-заседания: {key}")
    rows = meeting_rows(state, spreadsheet_id)
    header = rows[0]
    at = {h: header.index(h) for h in ("ID", "№ протокола", "Тема", "Протокол", "Событие", "Видеовстреча")}
    by_topic = {r[at["Тема"]]: r + [""] * (len(header) - len(r)) for r in rows[1:] if len(r) > at["Тема"]}
    for m in expected:
        if m.topic in deleted:
            continue
        row = by_topic.get(m.topic)
        if row is None:
            verdict.missing.append(f"строка «{m.topic}»")
            continue
        if row[at["ID"]] != m.meeting_id:
            verdict.lost_links.append(f"«{m.topic}»: ID {row[at['ID']]!r}")
        protocol, event, video = row[at["Протокол"]], row[at["Событие"]], row[at["Видеовстреча"]]
        mine_docs, mine_events = docs.get(m.meeting_id, []), events.get(m.meeting_id, [])
        if m.held and not mine_docs:
            verdict.missing.append(f"протокол {m.meeting_id}")
        if m.online and not mine_events:
            verdict.missing.append(f"событие {m.meeting_id}")
        _check_link(verdict, m, "Протокол", protocol, [f["id"] for f in mine_docs] if m.held else [],
                    lambda cell: next((key for doc, key in by_doc.items() if doc in cell), None))  # fmt: skip
        _check_link(verdict, m, "Событие", event, [e["htmlLink"] for e in mine_events] if m.online else [],
                    by_event.get)  # fmt: skip
        videos = [video_uri(e) for e in mine_events] if m.meet else []
        _check_link(verdict, m, "Видеовстреча", video, [v for v in videos if v], lambda cell: None)
        (event_data,) = mine_events[:1] or [{}]
        verdict.summary[m.topic] = {
            "ID": row[at["ID"]], "№": row[at["№ протокола"]], "protocol": bool(protocol),
            "event": bool(event), "meet": bool(video),
            "doc_name": mine_docs[0]["name"] if mine_docs else "",
            "event_summary": event_data.get("summary", ""), "event_start": event_data.get("start", {}),
            "event_status": event_data.get("status", ""),
        }  # fmt: skip
    return verdict


def _check_link(verdict: Verdict, m: Meeting, header: str, cell: str, own: list[str], owner: Any) -> None:
    """``cell`` must name one of ``own`` (or be empty when there is none to name)."""
    if not own:
        if cell:
            key = owner(cell)
            verdict.foreign.append(f"«{m.topic}» {header}: лишняя ссылка {cell} (заседание {key})")
        return
    if not any(target in cell for target in own):
        key = owner(cell) if cell else None
        if key is not None and key != m.meeting_id:
            verdict.foreign.append(f"«{m.topic}» {header}: ссылка заседания {key}")
        else:
            verdict.lost_links.append(f"«{m.topic}» {header}: {cell!r}")


# -- the standalone fake and the CLI as subprocesses --------------------------------------------------------
# the installed console script, as cron calls it; the same entry point through -c when not installed
_SCRIPT = Path(sys.executable).with_name("gmo-sync")
GMO_SYNC = (
    [str(_SCRIPT)]
    if _SCRIPT.exists()
    else [sys.executable, "-c", "from gmo_sync.cli.main import main; main()"]
)


def cli(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    """``gmo-sync ARGS`` as its own process: what cron starts, and what kill -9 can hit."""
    return subprocess.Popen(
        [*GMO_SYNC, *args], cwd=cwd, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def run_cli(args: list[str], cwd: Path, env: dict[str, str], timeout: float = 120) -> tuple[int, str]:
    proc = cli(args, cwd, env)
    out, err = proc.communicate(timeout=timeout)
    return proc.returncode, out + err


def kill(proc: subprocess.Popen[str]) -> None:
    """kill -9: no finally blocks, no atexit, no flush — what a power cut or the OOM killer does."""
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)


def wait_for_request(
    fake: StandaloneFake, number: int, proc: subprocess.Popen[str], limit: float = 60
) -> bool:
    """Poll the fake's log until request ``number`` is in it (True), or the CLI ended first (False)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if any(e["n"] >= number for e in fake.log(since=number - 1)):
            return True
        if proc.poll() is not None:
            return False
        time.sleep(0.02)
    raise AssertionError(f"request {number} never arrived")
