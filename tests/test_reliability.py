"""Reliability suites of issue 6: faults, crashes (kill -9) and concurrent coordinators.

They break things on purpose and then look at what is left, through the fake Workspace's own records
(``/_fake/state``) rather than the tool's report: one protocol per held meeting, one event per online
meeting, every link in the row of the meeting it belongs to.

* **Faults** — 10 % of all Google requests fail (429, 403 rateLimitExceeded, 500, 503, dropped
  connection, answer lost after the write, real client timeouts), seeded, over a 30-meeting ``run``.
* **Crash** — the CLI as a subprocess against the standalone fake, killed with SIGKILL while request k is
  in flight (held by the fake), for each k of a full run, then run again without faults; and the local
  backend killed at random moments (and inside the workbook save) on a 200-meeting workbook.
* **Concurrent coordinators** — the fake sorts, inserts, deletes and edits Заседания rows between
  gmo-sync's requests during a full ``run`` with protocols and calendar.

CI runs a fixed sample of kill points. The whole sweep (every request of the first run, both before and
after the fake applies it, plus 40 local kills) is marked ``slow``::

    python -m pytest -q -p no:cacheprovider tests/test_reliability.py --run-slow

(``-m slow`` runs only the slow tests.)
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import shutil
import time
import tomllib
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import gspread
import icalendar
import openpyxl
import pytest

from gmo_sync.backends.local.setup import create_local_workspace
from tests.fakegoogle import clients
from tests.fakegoogle.actions import run_action
from tests.fakegoogle.server import FakeGoogle
from tests.google_env import GoogleInvoke
from tests.reliability_support import (
    HEADERS,
    Meeting,
    StandaloneFake,
    Verdict,
    cli,
    judge,
    kill,
    meetings,
    run_cli,
    wait_for_request,
)
from tests.test_google_sheet import init_workspace, type_rows, values

# -- 1. Faults ------------------------------------------------------------------------------------------
FAULT_KINDS = ("429", "403", "500", "503", "drop", "drop_after", "timeout")
FAULT_RATE = 0.10
CLIENT_TIMEOUT = 2.0  # seconds, instead of the product's 60: a real socket timeout without a minute's wait
HOLD = 3.0  # the fake holds a "timeout" request this long (longer than the client waits), then drops it
MAX_RUNS = 4


def seeded_faults(fake: FakeGoogle, seed: int) -> None:
    """Every kind equally likely; together they hit FAULT_RATE of all requests (batch parts included)."""
    fake.clear_faults(seed=seed)
    each = 1 - (1 - FAULT_RATE) ** (1 / len(FAULT_KINDS))  # the rules are drawn one after another
    for kind in FAULT_KINDS:
        fake.add_fault(kind, probability=each, hold_seconds=HOLD)


@pytest.mark.parametrize("seed", [11, 22, 33])
def test_faults_on_a_tenth_of_all_requests_still_give_one_doc_and_one_event_per_meeting(
    gmo_google: GoogleInvoke, fake: FakeGoogle, coordinator: gspread.Client, monkeypatch: pytest.MonkeyPatch,
    seed: int, record_property: Any,
) -> None:  # fmt: skip
    monkeypatch.setenv("GMO_SYNC_GOOGLE_TIMEOUT_SECONDS", str(CLIENT_TIMEOUT))
    book = init_workspace(gmo_google, coordinator)
    expected = meetings(30)
    type_rows(book, "Заседания", [m.row() for m in expected])
    start = fake.request_count
    seeded_faults(fake, seed)
    exits = []
    for _ in range(MAX_RUNS):
        result = gmo_google("run")
        assert "Traceback" not in result.output and "Непредвиденная" not in result.output, result.output
        exits.append(result.exit_code)
        if result.exit_code == 0:
            break
        # a call that failed more often than the retry budget: reported, and the next run finishes it
        assert result.exit_code in (1, 2), result.output
    fake.clear_faults()
    assert exits[-1] == 0, (exits, result.output)
    log = [e for e in fake.request_log() if e["n"] > start]
    injected = [e["fault"] for e in log if e["fault"]]
    assert len(injected) >= 3, injected  # the seed did what the test is about
    verdict = judge(fake.state(), book.id, expected)
    assert verdict.ok, verdict.explain()
    record_property("faults", {"seed": seed, "requests": len(log), "injected": len(injected), "runs": exits,
                               "kinds": sorted(set(injected))})  # fmt: skip
    print(f"\nseed {seed}: {len(log)} requests, {len(injected)} faults {sorted(injected)}, runs {exits}")

    quiet = fake.request_count
    again = gmo_google("run")
    assert again.exit_code == 0, again.output
    writes = [e["api_method"] for e in fake.request_log() if e["n"] > quiet and e["method"] != "GET"]
    assert writes == [], writes  # the faults left nothing half-done for a clean run to redo


def test_a_lost_answer_to_a_protocol_upload_is_not_re_sent_behind_the_retry_policys_back(
    gmo_google: GoogleInvoke, fake: FakeGoogle, coordinator: gspread.Client
) -> None:
    """httplib2 re-sends a request once when its answer is dropped; for a Drive create Google already
    applied, that was a second document (found by the faults suite). Now the loss reaches the policy,
    which looks the document up before sending again."""
    book = init_workspace(gmo_google, coordinator)
    expected = meetings(3)
    type_rows(book, "Заседания", [m.row() for m in expected])
    fake.add_fault("drop_after", method="drive.files.create", at=fake.request_count + 1)
    start = fake.request_count
    result = gmo_google("protocols")
    assert result.exit_code == 0, result.output
    verdict = judge(fake.state(), book.id, [m for m in expected if m.held])
    assert not verdict.duplicates, verdict.explain()
    log = [e for e in fake.request_log() if e["n"] > start]
    creates = [e for e in log if e["api_method"] == "drive.files.create"]
    held = [m for m in expected if m.held]
    assert len(creates) == len(held), creates  # the dropped create was not sent again...
    dropped = next(e["n"] for e in creates if e["fault"] == "drop_after")
    lookups = [e for e in log if e["api_method"] == "drive.files.list" and e["n"] > dropped]
    assert lookups, log  # ...it was looked up instead, and found


def test_a_protocol_whose_version_was_never_recorded_is_not_taken_for_a_hand_edit(
    gmo_google: GoogleInvoke, fake: FakeGoogle, coordinator: gspread.Client, google_home: Path
) -> None:
    """A run killed after Drive made the document but before gmo-sync recorded its version (found by the
    crash sweep: the rerun reported «документ изменён вручную» and exited 1, and so would every run after
    it). Drive's ``modifiedTime == createdTime`` says the document is untouched; one edited since is
    still left alone."""
    book = init_workspace(gmo_google, coordinator)
    expected = meetings(3)
    type_rows(book, "Заседания", [m.row() for m in expected])
    assert gmo_google("protocols").exit_code == 0
    state = google_home.parent / "state"
    for record in state.rglob("protocols-*.json"):
        record.unlink()  # as if each upload's answer had never been seen
    quiet = gmo_google("protocols")
    assert quiet.exit_code == 0 and "вручную" not in quiet.output, quiet.output
    docs = {f["appProperties"]["gmoMeeting"]: f["id"] for f in fake.state()["files"].values()
            if f.get("appProperties", {}).get("gmoKind") == "protocol"}  # fmt: skip
    fake.act(
        {"action": "edit_doc", "documentId": docs[expected[0].meeting_id], "replace": {"Протокол": "П."}}
    )
    for record in state.rglob("protocols-*.json"):
        record.unlink()
    edited = gmo_google("protocols")
    assert edited.exit_code == 1 and "изменён вручную" in edited.output, edited.output


# -- 2. Crash: kill -9 at request k -------------------------------------------------------------------------
CRASH_MEETINGS = meetings(6)  # 4 held (4 docs), 3 online (3 events, 2 with Meet), 2 planned
HOLD_FOR_KILL = 30.0  # the fake holds request k this long; the test kills the CLI long before
BEFORE, AFTER = "timeout", "timeout_after"  # request k not applied / applied, its answer unseen


@pytest.fixture(scope="module")
def standalone(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StandaloneFake]:
    fake = StandaloneFake(tmp_path_factory.mktemp("fakegoogle"))
    yield fake
    fake.stop()


class GoogleWorkspace:
    """A coordinator's machine pointed at the standalone fake, with a fresh workspace and meetings typed."""

    def __init__(self, fake: StandaloneFake, folder: Path) -> None:
        fake.control("POST", "reset")
        folder.mkdir()
        self.fake, self.work = fake, folder / "work"
        self.work.mkdir()
        token = folder / "config" / "gmo-sync" / "token.json"
        token.parent.mkdir(parents=True)
        token.write_text(json.dumps(clients.authorized_user_info(fake.base_url)), encoding="utf-8")
        token.chmod(0o600)
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("GMO_SYNC_")}
        self.env.update(XDG_CONFIG_HOME=str(folder / "config"), XDG_STATE_HOME=str(folder / "state"),
                        GMO_SYNC_GOOGLE_ENDPOINT=fake.base_url, GMO_SYNC_GOOGLE_CA_BUNDLE=fake.ca_path,
                        GMO_SYNC_GOOGLE_RETRY_BASE_SECONDS="0.01")  # fmt: skip
        code, output = run_cli(["init", "--google", "--title", "ГМО тест"], self.work, self.env)
        assert code == 0, output
        config = tomllib.loads((self.work / "gmo-sync.toml").read_text(encoding="utf-8"))
        self.spreadsheet_id: str = config["google"]["spreadsheet_id"]
        rows = [m.row() for m in CRASH_MEETINGS]
        typed = {"action": "set_values", "spreadsheetId": self.spreadsheet_id, "range": "'Заседания'!A2",
                 "values": rows, "input": "USER_ENTERED"}  # fmt: skip
        fake.control("POST", "actions", typed)
        self.start = int(fake.control("GET", "health")["request_count"])

    def run(self) -> tuple[int, str]:
        return run_cli(["run"], self.work, self.env)

    def verdict(self) -> Verdict:
        return judge(self.fake.state(), self.spreadsheet_id, CRASH_MEETINGS)


@pytest.fixture(scope="module")
def uninterrupted(standalone: StandaloneFake, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The reference: one full run never killed — its requests (the kill points) and its final state."""
    workspace = GoogleWorkspace(standalone, tmp_path_factory.mktemp("reference") / "ws")
    code, output = workspace.run()
    assert code == 0, output
    verdict = workspace.verdict()
    assert verdict.ok, verdict.explain()
    log = standalone.log(since=workspace.start)
    return {"requests": [(e["n"] - workspace.start, e["api_method"], e["method"]) for e in log],
            "summary": verdict.summary}  # fmt: skip


def kill_at_request_k_then_rerun(standalone: StandaloneFake, uninterrupted: dict[str, Any], folder: Path,
                                 k: int, mode: str) -> None:  # fmt: skip
    requests_ = uninterrupted["requests"]
    if k > len(requests_):
        pytest.skip(f"the full run makes {len(requests_)} requests")
    _, api_method, http_method = requests_[k - 1]
    if mode == AFTER and http_method == "GET":
        pytest.skip("a read applied or not is the same crash")
    workspace = GoogleWorkspace(standalone, folder)
    target = workspace.start + k
    rule = {"kind": mode, "at": target, "hold_seconds": HOLD_FOR_KILL}
    standalone.control("POST", "faults", {"rules": [rule], "replace": True})
    proc = cli(["run"], workspace.work, workspace.env)
    try:
        arrived = wait_for_request(standalone, target, proc)
    finally:
        kill(proc)
    assert arrived, f"the run ended before request {k} ({api_method})"
    (entry,) = [e for e in standalone.log(since=target - 1) if e["n"] == target]
    assert (entry["api_method"], entry["fault"]) == (api_method, mode)  # killed where the sweep meant
    standalone.control("DELETE", "faults")
    code, output = workspace.run()
    assert code == 0, output
    verdict = workspace.verdict()
    assert verdict.ok, (k, api_method, mode, verdict.explain())
    assert verdict.summary == uninterrupted["summary"], (k, api_method, mode)


# Where CI kills: the first read, protocol uploads, the calendar list, an event insert (batch part), a Meet
# poll, the re-read before the write, and the write itself (whose answer is the check: no read-back
# follows), applied and not.
SAMPLE = [("sheets.spreadsheets.get", 1, BEFORE), ("drive.files.create", 1, AFTER),
          ("drive.files.create", 3, BEFORE), ("calendar.events.list", 1, BEFORE),
          ("calendar.events.insert", 2, AFTER), ("calendar.events.list", 2, BEFORE),
          ("sheets.spreadsheets.values.batchGet", 1, BEFORE),
          ("sheets.spreadsheets.values.batchUpdate", 1, AFTER),
          ("sheets.spreadsheets.values.batchUpdate", 1, BEFORE)]  # fmt: skip


@pytest.mark.parametrize(("api_method", "occurrence", "mode"), SAMPLE)
def test_killed_at_a_sample_of_requests_a_rerun_ends_as_an_uninterrupted_run(
    standalone: StandaloneFake, uninterrupted: dict[str, Any], tmp_path: Path, api_method: str,
    occurrence: int, mode: str,
) -> None:  # fmt: skip
    ks = [k for k, method, _ in uninterrupted["requests"] if method == api_method]
    assert len(ks) >= occurrence, (api_method, uninterrupted["requests"])
    kill_at_request_k_then_rerun(standalone, uninterrupted, tmp_path / "ws", ks[occurrence - 1], mode)


@pytest.mark.slow
@pytest.mark.parametrize("mode", [BEFORE, AFTER])
@pytest.mark.parametrize("k", range(1, 25))
def test_killed_at_every_request_a_rerun_ends_as_an_uninterrupted_run(
    standalone: StandaloneFake, uninterrupted: dict[str, Any], tmp_path: Path, k: int, mode: str
) -> None:
    assert len(uninterrupted["requests"]) <= 24  # the sweep covers every request of the full run
    kill_at_request_k_then_rerun(standalone, uninterrupted, tmp_path / "ws", k, mode)


# -- 2b. Crash on the local backend: kill -9 during `run`, and inside the workbook save ----------------------
LOCAL_MEETINGS = meetings(200)
WORKBOOK = "ГМО.xlsx"


def workbook_content(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every tab as values, minus what depends on the wall clock (Синхронизировано, Журнал).

    Opening it is the first check: a truncated or half-written .xlsx fails here.
    """
    book = openpyxl.load_workbook(path)
    content = {}
    for sheet in book.worksheets:
        if sheet.title == "Журнал":
            continue
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
        if sheet.title == "Заседания" and rows:
            stamp = rows[0].index("Синхронизировано")
            rows = [r[:stamp] + r[stamp + 1 :] for r in rows]
        content[sheet.title] = [tuple(r) for r in rows]
    return content


def local_outputs(folder: Path) -> tuple[Counter[str], Counter[str]]:
    """Meeting IDs of the .docx protocols (their core properties) and of the .ics events, with counts."""
    docs: Counter[str] = Counter()
    for path in (folder / "protocols").glob("*.docx"):
        with zipfile.ZipFile(path) as archive:  # a torn .docx would fail here
            core = archive.read("docProps/core.xml").decode("utf-8")
        docs[core.split("<dc:identifier>gmo-sync:", 1)[1].split("<", 1)[0]] += 1
    events: Counter[str] = Counter()
    ics = folder / "calendar.ics"
    if ics.exists():
        for event in icalendar.Calendar.from_ical(ics.read_bytes()).walk("VEVENT"):
            events[str(event.get("X-GMO-SYNC-MEETING", ""))] += 1
    return docs, events


@pytest.fixture(scope="module")
def local_reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A 200-meeting workspace (plus init's sample meetings) before and after one uninterrupted run."""
    pristine = tmp_path_factory.mktemp("local") / "pristine"
    create_local_workspace(pristine, dt.date(2026, 11, 25))
    book = openpyxl.load_workbook(pristine / WORKBOOK)
    sheet = book["Заседания"]
    header = [c.value for c in sheet[1]]
    first = sheet.max_row + 1
    for r, m in enumerate(LOCAL_MEETINGS, start=first):
        for h, value in zip(HEADERS, m.row(), strict=True):
            if value:
                sheet.cell(r, header.index(h) + 1).value = value
    book.save(pristine / WORKBOOK)
    done = pristine.with_name("done")
    shutil.copytree(pristine, done)
    env = {k: v for k, v in os.environ.items() if not k.startswith("GMO_SYNC_")}
    started = time.monotonic()
    code, output = run_cli(["run"], done, env)
    duration = time.monotonic() - started
    assert code == 0, output
    docs, events = local_outputs(done)
    assert all(n == 1 for n in [*docs.values(), *events.values()])
    assert {m.meeting_id for m in LOCAL_MEETINGS if m.held} <= set(docs)
    assert {m.meeting_id for m in LOCAL_MEETINGS if m.online} <= set(events)
    old, new = workbook_content(pristine / WORKBOOK), workbook_content(done / WORKBOOK)
    return {"pristine": pristine, "env": env, "duration": duration, "docs": docs, "events": events,
            "old": old, "new": new}  # fmt: skip


def kill_local_run(reference: dict[str, Any], folder: Path, seed: int, in_save: bool) -> str:
    """kill -9 a local `run` at a seeded moment — anywhere in the run, or inside the workbook's save
    (once its temporary file appears) — then check the workbook and run again. Returns where it died."""
    shutil.copytree(reference["pristine"], folder)
    rng = random.Random(seed)
    workbook = folder / WORKBOOK
    proc = cli(["run"], folder, reference["env"])
    try:
        if in_save:
            # The save writes `.ГМО.xlsx.*.tmp` beside the workbook, fsyncs it, then renames it over.
            deadline = time.monotonic() + 60
            while not any(folder.glob(".ГМО.xlsx.*.tmp")) and proc.poll() is None:
                assert time.monotonic() < deadline
                time.sleep(0.001)
            time.sleep(rng.uniform(0, 0.15))
        else:
            time.sleep(rng.uniform(0.2, reference["duration"]))
    finally:
        kill(proc)
    died = "after the end" if proc.returncode == 0 else f"signal {-proc.returncode}"
    content = workbook_content(workbook)  # opens: never truncated
    assert content in (reference["old"], reference["new"]), (
        f"seed {seed}: neither the old nor the new workbook"
    )
    state = "old" if content == reference["old"] else "new"
    code, output = run_cli(["run"], folder, reference["env"])
    assert code == 0, output
    assert workbook_content(workbook) == reference["new"]
    assert local_outputs(folder) == (reference["docs"], reference["events"]), f"seed {seed}"
    return f"{died}, workbook {state}"


@pytest.mark.parametrize(("seed", "in_save"), [(1, False), (2, False), (3, True), (4, True), (5, True)])
def test_a_local_run_killed_at_random_leaves_a_whole_workbook_and_a_rerun_completes(
    local_reference: dict[str, Any], tmp_path: Path, seed: int, in_save: bool
) -> None:
    print(f"\nlocal kill seed {seed}: {kill_local_run(local_reference, tmp_path / 'ws', seed, in_save)}")


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(100, 140))
def test_forty_more_local_kills(local_reference: dict[str, Any], tmp_path: Path, seed: int) -> None:
    print(
        f"\nlocal kill seed {seed}: {kill_local_run(local_reference, tmp_path / 'ws', seed, seed % 2 == 0)}"
    )


# -- 3. Concurrent coordinators during a full run --------------------------------------------------------
RACE_MEETINGS = meetings(12)  # 8 held, 6 online (3 with Meet); every row starts without an ID
ADDED = Meeting("Новое заседание", dt.date(2027, 6, 2), online=True, meet=True, held=False)
DELETED = RACE_MEETINGS[3]  # a held, offline meeting: its protocol stays on Drive, its row goes
HOSTS = {RACE_MEETINGS[0].topic: "Иванова И.И., методист КИМЦ", RACE_MEETINGS[9].topic: "Петрова П.П."}
PLACE = (RACE_MEETINGS[5].topic, "КИМЦ, актовый зал")


def current_row(fake: FakeGoogle, book_id: str, topic: str) -> int:
    """1-based row where ``topic`` is right now (the coordinator finds the meeting by eye)."""
    book = fake.sheets.book(book_id)
    sheet = book.sheet_by_title("Заседания")
    rows = book.read(sheet, 0, 0, len(sheet.rows), len(sheet.col_uids), "FORMULA", "SERIAL_NUMBER", "ROWS")
    (found,) = [n for n, r in enumerate(rows, start=1) if HEADERS.index("Тема") < len(r) and
                r[HEADERS.index("Тема")] == topic]  # fmt: skip
    return found


def coordinators(fake: FakeGoogle, book_id: str, sheet_id: int, moments: dict[str, int]) -> None:
    """Schedule what coordinators do in the browser, each just before one of gmo-sync's requests."""
    table = "'Заседания'!A2:R40"
    column = {h: HEADERS.index(h) for h in ("Тема", "Ведущие", "Место или ссылка", "Статус")}

    def edit(topic: str, header: str, value: str) -> Callable[[], None]:
        def typed() -> None:
            cell = f"'Заседания'!{chr(ord('A') + column[header])}{current_row(fake, book_id, topic)}"
            run_action(fake, {"action": "set_cell", "spreadsheetId": book_id, "range": cell, "value": value})

        return typed

    def delete(topic: str) -> Callable[[], None]:
        def deleted() -> None:
            index = current_row(fake, book_id, topic) - 1
            run_action(
                fake, {"action": "delete_row", "spreadsheetId": book_id, "sheet": sheet_id, "index": index}
            )

        return deleted

    def act(action: dict[str, Any]) -> Callable[[], None]:
        return lambda: run_action(fake, {**action, "spreadsheetId": book_id})

    sort = {"action": "sort_range", "range": table}
    plan = [
        ("first upload", act({**sort, "column": column["Тема"], "ascending": False})),
        (
            "middle upload",
            act({"action": "insert_row", "sheet": sheet_id, "index": 1, "values": ADDED.row()}),
        ),
        ("middle upload", edit(RACE_MEETINGS[0].topic, "Ведущие", HOSTS[RACE_MEETINGS[0].topic])),
        ("calendar batch", act({**sort, "column": column["Статус"], "ascending": True})),
        ("calendar batch", edit(PLACE[0], "Место или ссылка", PLACE[1])),
        ("meet poll", delete(DELETED.topic)),
        ("re-read", edit(RACE_MEETINGS[9].topic, "Ведущие", HOSTS[RACE_MEETINGS[9].topic])),
        ("re-read", act({**sort, "column": column["Тема"], "ascending": True})),
        ("write", act({"action": "insert_row", "sheet": sheet_id, "index": 3})),
        ("write", act({**sort, "column": column["Ведущие"], "ascending": False})),
    ]
    for moment, action in plan:
        fake.dispatcher.schedule(moments[moment], action, {"action": "coordinator", "moment": moment})


def race_book(gmo_google: GoogleInvoke, coordinator: gspread.Client, folder: Path,
              monkeypatch: pytest.MonkeyPatch) -> gspread.Spreadsheet:  # fmt: skip
    folder.mkdir()
    monkeypatch.chdir(folder)
    book = init_workspace(gmo_google, coordinator)
    type_rows(book, "Заседания", [m.row() for m in RACE_MEETINGS])
    return book


def test_coordinators_sorting_inserting_deleting_and_editing_during_a_full_run_keep_links_and_edits(
    gmo_google: GoogleInvoke, fake: FakeGoogle, coordinator: gspread.Client, google_home: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    # A quiet run on an identical sheet tells at which request each moment falls.
    race_book(gmo_google, coordinator, google_home / "measure", monkeypatch)
    start = fake.request_count
    assert gmo_google("run").exit_code == 0
    log = [e["api_method"] for e in fake.request_log() if e["n"] > start]
    creates = [n for n, m in enumerate(log, 1) if m == "drive.files.create"]
    moments = {"first upload": creates[0], "middle upload": creates[len(creates) // 2],
               "calendar batch": log.index("calendar.events.insert") + 3,  # inside the batch, between parts
               "meet poll": len(log) - log[::-1].index("calendar.events.list"),  # the last list: the poll
               "re-read": log.index("sheets.spreadsheets.values.batchGet") + 1,
               "write": log.index("sheets.spreadsheets.values.batchUpdate") + 1}  # fmt: skip
    fake.reset()

    book = race_book(gmo_google, coordinator, google_home / "race", monkeypatch)
    sheet_id = book.worksheet("Заседания").id  # a request of its own: before counting the run's
    start = fake.request_count
    coordinators(fake, book.id, sheet_id, {k: start + n for k, n in moments.items()})
    first = gmo_google("run")
    assert first.exit_code in (0, 1), first.output
    assert not fake.dispatcher.pending_actions  # every edit landed during the run
    writes = [e for e in fake.request_log() if e["n"] > start and e["api_method"].endswith("batchUpdate")]
    assert len(writes) >= 2  # the sort between the re-read and the write was caught and repaired
    during = judge(fake.state(), book.id, RACE_MEETINGS, deleted=frozenset({DELETED.topic}))
    assert not during.foreign and not during.duplicates, during.explain()  # never another row's link

    second = gmo_google("run")  # writes what the races made the first run skip; picks up the new row
    assert second.exit_code == 0, second.output
    final = judge(fake.state(), book.id, [*RACE_MEETINGS, ADDED], deleted=frozenset({DELETED.topic}))
    assert final.ok, final.explain()
    rows = {r[HEADERS.index("Тема")]: r for r in values(book)[1:] if len(r) > HEADERS.index("Тема")}
    assert DELETED.topic not in rows  # the deleted row stays deleted
    for topic, hosts in HOSTS.items():
        assert rows[topic][HEADERS.index("Ведущие")] == hosts, topic  # the coordinators' edits stand
    assert rows[PLACE[0]][HEADERS.index("Место или ссылка")] == PLACE[1]
    typed = dict(zip(HEADERS, ADDED.row(), strict=True))
    for header, value in typed.items():
        if value and header != "Начало" and header != "Окончание":  # time cells read back as «14:00:00»
            assert rows[ADDED.topic][HEADERS.index(header)] == value, header
    print(f"\nrace: first run exit {first.exit_code}; skipped then written: {len(during.lost_links)}")
