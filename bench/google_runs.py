"""gmo-sync against the fake, as cron runs it: a subprocess with a token file and the endpoint settings."""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.child import ChildResult, gmo_command, product_env, run_child
from bench.fake import FakeServer
from bench.stats import RunStats, summarize
from bench.workload import Meeting
from tests.fakegoogle import clients


@dataclass
class GoogleHome:
    """A coordinator's machine after `gmo-sync auth login`, pointed at the fake."""

    work: Path
    env: dict[str, str]
    root: Path
    base_url: str

    @property
    def token(self) -> Path:
        return self.root / "config" / "gmo-sync" / "token.json"

    @classmethod
    def create(cls, root: Path, fake: FakeServer, source: Path) -> GoogleHome:
        token = root / "config" / "gmo-sync" / "token.json"
        token.parent.mkdir(parents=True)
        token.write_text(json.dumps(clients.authorized_user_info(fake.base_url)), encoding="utf-8")
        token.chmod(0o600)
        work = root / "work"
        work.mkdir()
        env = product_env(
            source,
            XDG_CONFIG_HOME=str(root / "config"),
            XDG_STATE_HOME=str(root / "state"),
            GMO_SYNC_GOOGLE_ENDPOINT=fake.base_url,
            GMO_SYNC_GOOGLE_CA_BUNDLE=fake.ca_path,
        )
        return cls(work, env, root, fake.base_url)

    def make_cold(self) -> None:
        """What a first run on a fresh machine has: no access token and no cached template.

        `init` leaves both behind (it signs in and exports the template Doc it made); a cron job set up
        from a copied token file, or after the state folder was cleaned, starts without them.
        """
        self.token.write_text(json.dumps(clients.authorized_user_info(self.base_url)), encoding="utf-8")
        for cached in (self.root / "state").rglob("template-*.docx"):
            cached.unlink()

    def an_hour_later(self) -> None:
        """The saved access token has expired, as it has for an hourly cron run."""
        data = json.loads(self.token.read_text(encoding="utf-8"))
        gone = dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)
        data["expiry"] = gone.replace(tzinfo=None).isoformat(timespec="seconds") + "Z"
        self.token.write_text(json.dumps(data), encoding="utf-8")

    def gmo(self, *args: str) -> ChildResult:
        return run_child([*gmo_command(), *args], self.work, self.env)

    def init(self, title: str) -> dict[str, str]:
        result = self.gmo("init", "--google", "--title", title)
        if result.exit_code != 0:
            raise RuntimeError(f"gmo-sync init --google failed: {result.stdout}{result.stderr}")
        config = tomllib.loads((self.work / "gmo-sync.toml").read_text(encoding="utf-8"))
        return dict(config["google"])


def measured_run(fake: FakeServer, home: GoogleHome, label: str) -> RunStats:
    """`gmo-sync run -q` once; only the requests it made (the log slice after its start) are counted."""
    before = fake.request_count()
    result = home.gmo("run", "-q")
    stats = summarize(
        label, fake.log_since(before), result.wall_seconds, result.peak_rss_mb, result.exit_code
    )
    stats.cpu_seconds = result.cpu_seconds
    if result.exit_code != 0:
        text = (result.stdout + result.stderr).strip().splitlines()
        stats.notes.append(f"exit code {result.exit_code}: " + " / ".join(text[:5]))
    return stats


def check_first_run(state: dict[str, Any], spreadsheet_id: str, items: list[Meeting]) -> list[str]:
    """Exactly one protocol per meeting, one live event per online meeting, every link in its cell."""
    problems: list[str] = []
    docs: dict[str, list[str]] = {}
    for file_id, file in state["files"].items():
        props = file.get("appProperties") or {}
        if props.get("gmoKind") == "protocol" and not file.get("trashed"):
            docs.setdefault(props.get("gmoMeeting", ""), []).append(file_id)
    events: dict[str, list[dict[str, Any]]] = {}
    for calendar in state["calendars"].values():
        for event in calendar.values():
            meeting = ((event.get("extendedProperties") or {}).get("private") or {}).get("gmoSyncMeeting")
            if event.get("status") != "cancelled":
                events.setdefault(meeting or "", []).append(event)
    rows = _tab_rows(state["spreadsheets"][spreadsheet_id], "Заседания")
    header = [str(h) for h in rows[0]]
    by_id = {str(r[0]): dict(zip(header, r, strict=False)) for r in rows[1:] if r and r[0]}
    for meeting in items:
        found = docs.get(meeting.id, [])
        if len(found) != 1:
            problems.append(f"{meeting.id}: {len(found)} protocol docs")
        wanted = 1 if meeting.online else 0
        if len(events.get(meeting.id, [])) != wanted:
            problems.append(f"{meeting.id}: {len(events.get(meeting.id, []))} events, expected {wanted}")
        row = by_id.get(meeting.id, {})
        if found and found[0] not in str(row.get("Протокол", "")):
            problems.append(f"{meeting.id}: protocol link not written back")
        if meeting.online:
            if "calendar/event?eid=" not in str(row.get("Событие", "")):
                problems.append(f"{meeting.id}: event link not written back")
            if not str(row.get("Видеовстреча", "")).startswith("https://meet.google.com/"):
                problems.append(f"{meeting.id}: Meet link not written back")
    strays = len(docs) - len({m.id for m in items} & set(docs))
    if strays:
        problems.append(f"{strays} protocol docs for unknown meetings")
    return problems


def _tab_rows(book: dict[str, Any], title: str) -> list[list[Any]]:
    for sheet in book["sheets"]:
        if sheet["properties"]["title"] == title:
            return list(sheet.get("values") or [[]])
    raise KeyError(title)
