"""GoogleCalendar against the fake Workspace: the shared contract, then what only Google has.

Real googleapiclient over HTTPS to tests/fakegoogle; the fake's state and request log are the
evidence (exactly one event per meeting, how many HTTP requests a run cost).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from gmo_sync.backends.google import connect, open_google_calendar
from gmo_sync.backends.google.calendar import GoogleCalendar
from gmo_sync.backends.google.connection import GoogleConnection
from gmo_sync.backends.google.events import HASH_KEY, MEETING_KEY, event_id, meet_request_id
from gmo_sync.backends.google.pacing import Pacer
from gmo_sync.core.config import load_config
from gmo_sync.core.plan.calendar import event_spec, plan_events
from gmo_sync.core.ports import EventAction, EventActionKind, EventLinks, EventSpec
from gmo_sync.core.problems import BackendError
from tests.contract.calendar_contract import CalendarStoreContract, MakeStore, kinds, sync
from tests.contract.samples import make_config, make_meeting, make_spec
from tests.fakegoogle import clients
from tests.fakegoogle.server import FakeGoogle

ZONE_NAME = "Asia/Krasnoyarsk"
MakeCalendar = Callable[..., GoogleCalendar]


class Sleeps(list[float]):
    """An injected sleep: records the waits instead of sitting through them."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def connection(google_home: Path, sleeps: Sleeps) -> GoogleConnection:
    """The connection gmo-sync builds from its config (OAuth token of `auth login`), retries not slept."""
    made = connect(load_config(None))
    made.retry.sleep = sleeps
    return made


@pytest.fixture
def calendar(connection: GoogleConnection, sleeps: Sleeps) -> MakeCalendar:
    def make(conn: GoogleConnection | None = None, **options: Any) -> GoogleCalendar:
        return GoogleCalendar(conn or connection, "primary", zone_name=ZONE_NAME, sleep=sleeps, **options)

    return make


def all_events(fake: FakeGoogle) -> list[dict[str, Any]]:
    return [event for events in fake.ws.calendars.values() for event in events.values()]


def ours(fake: FakeGoogle, meeting_id: str) -> list[dict[str, Any]]:
    return [e for e in all_events(fake) if e.get("extendedProperties", {}).get("private", {}).get(
        MEETING_KEY) == meeting_id]  # fmt: skip


def log_since(fake: FakeGoogle, count: int) -> list[dict[str, Any]]:
    """API calls after request ``count`` (signing in is counted elsewhere: test_google_tokens.py)."""
    return [e for e in fake.request_log(tokens=False) if e["n"] > count]


def calls(entries: list[dict[str, Any]]) -> list[tuple[str, int | None]]:
    return [(e["api_method"].removeprefix("calendar.events."), e["status"]) for e in entries]


def http_requests(entries: list[dict[str, Any]]) -> int:
    """Round trips: a batch is one, however many calls it carries."""
    return len({e["batch"] for e in entries if e.get("batch")}) + sum(
        1 for e in entries if not e.get("batch")
    )


def video_spec(meeting_id: str, **changes: Any) -> EventSpec:
    spec = make_spec(meeting_id, place="Онлайн", **changes)
    return replace(spec, want_video=True)


def create(spec: EventSpec) -> EventAction:
    return EventAction(EventActionKind.CREATE, spec.meeting_id, spec, None)


class TestGoogleCalendarContract(CalendarStoreContract):
    @pytest.fixture
    def where(self) -> str:
        return "Google Календарь primary"

    @pytest.fixture
    def make_store(self, google_home: Path, sleeps: Sleeps) -> MakeStore:
        def make() -> GoogleCalendar:
            # A new connection each time: "re-opened" means nothing survives but the calendar itself.
            conn = connect(load_config(None))
            conn.retry.sleep = sleeps
            return GoogleCalendar(conn, "primary", zone_name=ZONE_NAME, sleep=sleeps)

        return make


# -- identity -------------------------------------------------------------------------------------------


def test_event_ids_are_base32hex_and_a_function_of_the_id_key() -> None:
    assert event_id("ГМО-2026-12-16") == event_id(" гмо-2026-12-16 ")
    assert event_id("ГМО-1") != event_id("ГМО-2")
    for meeting_id in ("a", "ГМО-2026-12-16", "x" * 700, "Ё" * 400):
        assert re.fullmatch(r"[a-v0-9]{5,1024}", event_id(meeting_id)), meeting_id
    assert event_id("x" * 700).startswith("gmo1") and event_id("x" * 600).startswith("gmo0")
    assert meet_request_id("ГМО-1") == meet_request_id("гмо-1") != meet_request_id("ГМО-2")


def test_the_event_carries_what_the_spec_says(fake: FakeGoogle, calendar: MakeCalendar) -> None:
    spec = replace(make_spec("ГМО-2026-12-16"), attendees=("a@school.example", "b@school.example"))
    [outcome] = calendar(send_updates="all").apply([create(spec)])
    [event] = all_events(fake)
    assert event["id"] == event_id("ГМО-2026-12-16") == outcome.stored.event_id
    assert event["start"] == {"dateTime": "2026-12-16T14:00:00+07:00", "timeZone": ZONE_NAME}
    assert event["end"] == {"dateTime": "2026-12-16T15:30:00+07:00", "timeZone": ZONE_NAME}
    assert (event["summary"], event["description"], event["location"]) == (
        spec.summary, spec.description, "https://meet.example/abc")  # fmt: skip
    assert event["source"] == {"title": spec.summary, "url": "https://meet.example/abc"}
    assert event["attendees"] == [{"email": "a@school.example"}, {"email": "b@school.example"}]
    assert event["extendedProperties"]["private"] == {
        "gmoSyncKind": "meeting", MEETING_KEY: "ГМО-2026-12-16", HASH_KEY: spec.content_hash}  # fmt: skip
    assert outcome.stored.link == event["htmlLink"] and outcome.problem == ""
    assert "conferenceData" not in event  # the meeting has its own link: no Meet asked for


def test_existing_lists_only_gmo_sync_events(fake: FakeGoogle, calendar: MakeCalendar,
                                             connection: GoogleConnection) -> None:  # fmt: skip
    sync(calendar(), [make_spec("ГМО-1")])
    foreign = {"summary": "Чужое", "start": {"dateTime": "2026-12-01T10:00:00+07:00"},
               "end": {"dateTime": "2026-12-01T11:00:00+07:00"}}  # fmt: skip
    events = connection.service("calendar", "v3").events()
    connection.execute("test", events.insert(calendarId="primary", body=foreign))
    assert list(calendar().existing()) == ["ГМО-1"]


# -- exactly once ---------------------------------------------------------------------------------------


def test_a_409_on_insert_reconciles_the_event_that_is_there(fake: FakeGoogle, calendar: MakeCalendar) -> None:
    calendar().apply([create(make_spec("ГМО-1", topic="Старая"))])  # an earlier run, its answer lost
    count = fake.request_count
    newer = make_spec("ГМО-1", topic="Новая")
    [outcome] = calendar().apply([create(newer)])
    assert calls(log_since(fake, count)) == [
        ("insert", 409), ("get", 200), ("patch", 200)]  # fmt: skip
    [event] = all_events(fake)
    assert event["summary"] == "ГМО: Новая" and event["sequence"] == 1
    assert outcome.problem == "" and outcome.stored.content_hash == newer.content_hash


def test_a_create_that_finds_its_event_cancelled_restores_it(
    fake: FakeGoogle, calendar: MakeCalendar
) -> None:
    store = calendar()
    sync(store, [make_spec("ГМО-1")])
    sync(store, [make_spec("ГМО-1", cancelled=True)])
    [outcome] = calendar().apply([create(make_spec("ГМО-1"))])  # a stale plan from before the cancel
    [event] = all_events(fake)
    assert event["status"] == "confirmed" and not outcome.stored.cancelled


def test_a_lost_answer_to_the_batch_is_resent_and_reconciled(
    fake: FakeGoogle, calendar: MakeCalendar
) -> None:
    # The insert is applied, then the connection dies; httplib2 re-sends the batch once by itself.
    fake.add_fault("drop_after", method="calendar.events.insert", at=fake.request_count + 1)
    outcomes = calendar().apply([create(make_spec("ГМО-1")), create(make_spec("ГМО-2", day=17))])
    assert all(o.problem == "" and o.stored is not None for o in outcomes)
    assert len(ours(fake, "ГМО-1")) == len(ours(fake, "ГМО-2")) == 1
    assert ("calendar.events.insert", 409) in [(e["api_method"], e["status"]) for e in fake.request_log()]


def test_a_run_killed_after_the_insert_finds_the_event_next_time(fake: FakeGoogle, calendar: MakeCalendar,
                                                                 google_home: Path) -> None:  # fmt: skip
    spec = event_spec(make_meeting(place="Онлайн"), [], make_config(), "")
    assert spec is not None
    calendar().apply([create(spec)])  # ... and the process died before writing the link back
    # The next run, in a new process: the sheet still has no link, the calendar has the event.
    plan = plan_events([spec], calendar().existing(), {spec.meeting_id}, allow_mass_cancel=False)
    assert kinds(plan) == [EventActionKind.KEEP]
    assert len(all_events(fake)) == 1


def test_a_cleared_event_cell_does_not_matter(fake: FakeGoogle, calendar: MakeCalendar) -> None:
    meeting = make_meeting()
    spec = event_spec(meeting, [], make_config(), "")
    assert spec is not None
    [outcome] = sync(calendar(), [spec])[1]
    # A coordinator empties Событие and Видеовстреча: the event is found by its private property anyway.
    cleared = event_spec(replace(meeting, event_link="", video_link=""), [], make_config(), "")
    assert cleared == spec
    count = fake.request_count
    plan, [again] = sync(calendar(), [cleared])
    assert kinds(plan) == [EventActionKind.KEEP] and again.stored == outcome.stored
    assert [e["api_method"] for e in log_since(fake, count)] == ["calendar.events.list"]


def test_a_second_run_writes_nothing(fake: FakeGoogle, calendar: MakeCalendar) -> None:
    specs = [make_spec(f"ГМО-{n}", day=n) for n in range(1, 6)] + [video_spec("ГМО-9", day=9)]
    sync(calendar(), specs)
    count = fake.request_count
    plan, _ = sync(calendar(), specs)
    assert set(kinds(plan)) == {EventActionKind.KEEP}
    assert [e["api_method"] for e in log_since(fake, count)] == ["calendar.events.list"]


# -- Meet -------------------------------------------------------------------------------------------------


def test_meet_link_pending_then_success_within_the_bound(fake: FakeGoogle, calendar: MakeCalendar,
                                                          sleeps: Sleeps) -> None:  # fmt: skip
    fake.configure(meet_ready_after_reads=3)  # the link appears on the fourth read
    [outcome] = calendar(meet_wait_seconds=20).apply([create(video_spec("ГМО-1"))])
    assert outcome.problem == ""
    assert re.fullmatch(r"https://meet\.google\.com/[a-z]{3}-[a-z]{4}-[a-z]{3}", outcome.stored.video_link)
    [event] = all_events(fake)
    assert event["conferenceData"]["createRequest"]["requestId"] == meet_request_id("ГМО-1")
    assert len(sleeps) == 4 and sum(sleeps) <= 20
    assert calendar().existing()["ГМО-1"].video_link == outcome.stored.video_link


def test_meet_wait_is_bounded_and_the_next_run_picks_the_link_up(fake: FakeGoogle, calendar: MakeCalendar,
                                                                  sleeps: Sleeps) -> None:  # fmt: skip
    fake.configure(meet_ready_after_reads=1000)
    [outcome] = calendar(meet_wait_seconds=3).apply([create(video_spec("ГМО-1"))])
    assert outcome.problem == "" and outcome.stored.video_link == ""  # still being made: not a failure
    assert sum(sleeps) == pytest.approx(3)
    fake.configure(meet_ready_after_reads=0)
    store = calendar()
    plan, [later] = sync(store, [video_spec("ГМО-1")])
    assert kinds(plan) == [EventActionKind.KEEP] and later.stored.video_link.startswith("https://meet.google")


def test_many_meet_links_are_polled_with_one_list_per_round(fake: FakeGoogle, calendar: MakeCalendar) -> None:
    count = fake.request_count
    outcomes = calendar().apply([create(video_spec(f"ГМО-{n}", day=n)) for n in range(1, 21)])
    assert all(o.stored.video_link for o in outcomes)
    entries = log_since(fake, count)
    # one batch of inserts; then each round of polling is ONE list for all pending events, not a get each
    assert sum(e["api_method"] == "calendar.events.get" for e in entries) == 0
    lists = sum(e["api_method"] == "calendar.events.list" for e in entries)
    assert 1 <= lists <= 2 and http_requests(entries) == 1 + lists


def test_a_service_account_gets_the_event_without_meet_or_guests(fake: FakeGoogle, calendar: MakeCalendar,
                                                                  google_home: Path) -> None:  # fmt: skip
    sa = GoogleConnection(clients.credentials(fake.base_url, "service_account"), fake.base_url, fake.ca_path)
    spec = replace(video_spec("ГМО-1"), attendees=("a@school.example",))
    count = fake.request_count
    # Not told it is a service account: Google's refusals (403 guests, then 400 Meet) teach the store.
    [outcome] = calendar(sa).apply([create(spec)])
    assert calls(log_since(fake, count)) == [("insert", 403), ("insert", 400), ("insert", 200)]
    [event] = all_events(fake)
    assert "conferenceData" not in event and "attendees" not in event and event["summary"] == spec.summary
    assert outcome.stored is not None and outcome.stored.video_link == ""
    assert "сервисный аккаунт без делегирования не может создавать ссылки Meet — событие создано без " \
           "видеовстречи" in outcome.problem  # fmt: skip
    assert "не может приглашать участников" in outcome.problem and "ГМО-1" in outcome.problem


def test_a_known_service_account_does_not_ask(fake: FakeGoogle, calendar: MakeCalendar) -> None:
    sa = GoogleConnection(clients.credentials(fake.base_url, "service_account"), fake.base_url, fake.ca_path)
    count = fake.request_count
    [outcome] = calendar(sa, is_service_account=True).apply([create(video_spec("ГМО-1"))])
    assert [(e["api_method"], e["status"]) for e in log_since(fake, count)] == [
        ("calendar.events.insert", 200)
    ]
    assert "событие создано без видеовстречи" in outcome.problem and outcome.stored is not None


# -- batching and retries ---------------------------------------------------------------------------------


def test_thirty_creates_are_one_http_request(fake: FakeGoogle, calendar: MakeCalendar) -> None:
    count = fake.request_count
    outcomes = calendar().apply([create(make_spec(f"ГМО-{n}", day=n % 28 + 1)) for n in range(30)])
    entries = log_since(fake, count)
    assert all(o.problem == "" for o in outcomes)
    assert [e["api_method"] for e in entries] == ["calendar.events.insert"] * 30
    assert http_requests(entries) == 1


def test_many_events_go_in_batches_of_fifty_sent_side_by_side(
    fake: FakeGoogle, calendar: MakeCalendar, connection: GoogleConnection
) -> None:
    # Google serves the calls of one batch one after another: split, the batches overlap
    fake.set_latency(ms=20)
    count = fake.request_count
    outcomes = calendar().apply([create(make_spec(f"ГМО-{n}", day=n % 28 + 1)) for n in range(120)])
    fake.set_latency(ms=0)
    assert all(not o.problem for o in outcomes) and len(all_events(fake)) == 120
    entries = log_since(fake, count)
    batches: dict[str, list[dict[str, Any]]] = {}
    for entry in entries:
        batches.setdefault(entry["batch"], []).append(entry)
    assert sorted(len(parts) for parts in batches.values()) == [20, 50, 50]
    spans = sorted(
        (min(dt.datetime.fromisoformat(e["time"]) for e in parts),
         max(dt.datetime.fromisoformat(e["time"]) for e in parts))
        for parts in batches.values()
    )  # fmt: skip
    assert spans[1][0] < spans[0][1]  # the second batch started before the first one's last call


def test_batches_are_paced_under_the_per_minute_quota(
    fake: FakeGoogle, calendar: MakeCalendar, connection: GoogleConnection
) -> None:
    moments: list[float] = []
    clock = {"now": 0.0}

    def sleep(seconds: float) -> None:
        clock["now"] += seconds
        moments.append(clock["now"])

    connection.pacer = Pacer({"calendar": 30}, clock=lambda: clock["now"], sleep=sleep)
    count = fake.request_count
    outcomes = calendar().apply([create(make_spec(f"ГМО-{n}", day=n % 28 + 1)) for n in range(70)])
    assert all(not o.problem for o in outcomes)
    entries = log_since(fake, count)
    assert http_requests(entries) == 3  # 30 + 30 + 10 calls: no batch larger than the quota
    assert moments == [60.0, 120.0]  # each further batch waited for the window, never a 429
    assert not [e for e in entries if e["status"] == 429]


def test_transient_failures_inside_a_batch_are_retried_exactly_once_each(
    fake: FakeGoogle, calendar: MakeCalendar, connection: GoogleConnection
) -> None:
    fake.clear_faults(seed=7)
    fake.add_fault("429", method="calendar.events.*", probability=0.2)
    fake.add_fault("503", method="calendar.events.*", probability=0.1)
    specs = [make_spec(f"ГМО-{n}", day=n % 28 + 1) for n in range(40)]
    outcomes = calendar().apply([create(s) for s in specs])
    fake.clear_faults()
    assert [o.problem for o in outcomes] == [""] * 40
    assert all(len(ours(fake, s.meeting_id)) == 1 for s in specs) and len(all_events(fake)) == 40
    faulted = [e for e in fake.request_log() if e.get("fault")]
    assert faulted and connection.retry.retries_done >= len(faulted)


def test_a_dropped_batch_is_sent_again(
    fake: FakeGoogle, calendar: MakeCalendar, sleeps: Sleeps, connection: GoogleConnection
) -> None:
    # Dropped twice: the batch is a POST, which httplib2 does not re-send itself; the policy does.
    fake.add_fault("drop", method="calendar.events.insert", at=fake.request_count + 1, times=2)
    outcomes = calendar().apply([create(make_spec(f"ГМО-{n}", day=n)) for n in range(1, 4)])
    assert all(o.problem == "" for o in outcomes) and len(all_events(fake)) == 3
    # one back-off before each re-send, doubling, with jitter: base/2 … base, then base … 2·base
    base = connection.retry.base
    assert connection.retry.retries_done == len(sleeps) == 2
    assert base / 2 <= sleeps[0] <= base and base <= sleeps[1] <= 2 * base


def test_retries_are_bounded_and_become_problems(fake: FakeGoogle, calendar: MakeCalendar) -> None:
    sync(calendar(), [make_spec("ГМО-1")])
    fake.add_fault("503", method="calendar.events.patch", probability=1.0)
    plan, [outcome] = sync(calendar(), [make_spec("ГМО-1", topic="Другая")])
    assert kinds(plan) == [EventActionKind.UPDATE]
    assert outcome.stored is None and "ГМО-1" in outcome.problem and "503" in outcome.problem
    patches = [e for e in fake.request_log() if e["api_method"] == "calendar.events.patch"]
    assert len(patches) == connect(load_config(None)).retry.attempts


def test_one_bad_event_does_not_stop_the_others(fake: FakeGoogle, calendar: MakeCalendar) -> None:
    good = make_spec("ГМО-1")
    bad = replace(make_spec("ГМО-2", day=17), end=make_spec("ГМО-2", day=17).start.replace(hour=9))
    outcomes = calendar().apply([create(bad), create(good)])
    assert outcomes[0].stored is None and "ГМО-2" in outcomes[0].problem and "400" in outcomes[0].problem
    assert outcomes[1].problem == "" and outcomes[1].stored is not None
    assert [e["id"] for e in all_events(fake)] == [event_id("ГМО-1")]


def test_no_connection_at_all_is_the_run_failing(fake: FakeGoogle, calendar: MakeCalendar) -> None:
    fake.add_fault("drop", method="calendar.events.insert", probability=1.0)
    with pytest.raises(BackendError, match=r"[Сс]вяз"):
        calendar().apply([create(make_spec("ГМО-1"))])
    assert all_events(fake) == []


def test_the_factory_reads_the_config(google_home: Path, connection: GoogleConnection) -> None:
    config = load_config(None)
    store = open_google_calendar(config, connection)
    assert isinstance(store, GoogleCalendar)
    assert (store.calendar_id, store.zone_name, store.send_updates) == ("primary", ZONE_NAME, "none")
    assert store.meet_allowed and store.invites_allowed  # OAuth: no key file configured


def test_an_update_keeps_the_meet_link(fake: FakeGoogle, calendar: MakeCalendar) -> None:
    [first] = sync(calendar(), [video_spec("ГМО-1")])[1]
    assert first.stored.video_link
    plan, [updated] = sync(calendar(), [video_spec("ГМО-1", topic="Другая")])
    assert kinds(plan) == [EventActionKind.UPDATE]
    # The same requestId goes with the patch, and Google ignores a repeated one: no second Meet.
    assert updated.stored.video_link == first.stored.video_link and updated.stored.sequence == 1


def test_expected_links_of_a_meet_event(calendar: MakeCalendar) -> None:
    """A new Meet link cannot be known before the run; once made, an update keeps and foresees it."""
    store = calendar()
    spec = video_spec("ГМО-1")
    [create_action] = plan_events([spec], store.existing(), {"ГМО-1"}, allow_mass_cancel=False).actions
    assert store.expected_links(create_action) == EventLinks(None, None)
    [outcome] = store.apply([create_action])
    assert outcome.stored is not None and outcome.stored.video_link.startswith("https://meet.google.com/")
    changed = video_spec("ГМО-1", topic="Другая тема")
    [update] = plan_events([changed], store.existing(), {"ГМО-1"}, allow_mass_cancel=False).actions
    assert store.expected_links(update) == EventLinks(outcome.stored.link, outcome.stored.video_link)
    [updated] = store.apply([update])
    assert updated.stored is not None and updated.stored.video_link == outcome.stored.video_link
    no_meet = calendar(is_service_account=True)
    assert no_meet.expected_links(create_action).video == ""  # a service account gets no Meet link
