"""The client-side quota pacer: a sliding window per quota group, with an injected clock."""

from __future__ import annotations

from gmo_sync.backends.google.pacing import Pacer, group_of


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_waits_only_when_the_window_is_full() -> None:
    time = FakeTime()
    pacer = Pacer({"sheets_read": 3}, window=60, clock=time.clock, sleep=time.sleep)
    for _ in range(3):
        pacer.acquire("sheets_read")
    assert time.slept == []
    time.now = 10
    pacer.acquire("sheets_read")  # the 4th call waits until the 1st leaves the window
    assert time.slept == [50] and time.now == 60
    assert pacer.waited == 50


def test_a_batch_takes_as_many_slots_as_it_has_calls() -> None:
    time = FakeTime()
    pacer = Pacer({"calendar": 10}, window=60, clock=time.clock, sleep=time.sleep)
    pacer.acquire("calendar", 8)
    time.now = 5
    pacer.acquire("calendar", 4)  # 12 > 10: wait for the first 8 to expire
    assert time.now == 60


def test_unlimited_groups_never_wait() -> None:
    time = FakeTime()
    pacer = Pacer({"calendar": 1}, clock=time.clock, sleep=time.sleep)
    for _ in range(100):
        pacer.acquire("drive")
    assert time.slept == []


def test_groups_from_urls() -> None:
    assert group_of("GET", "https://sheets.googleapis.com/v4/spreadsheets/x") == "sheets_read"
    assert (
        group_of("POST", "https://sheets.googleapis.com/v4/spreadsheets/x/values:batchUpdate")
        == "sheets_write"
    )
    assert group_of("POST", "https://www.googleapis.com/calendar/v3/calendars/primary/events") == "calendar"
    assert group_of("POST", "https://docs.googleapis.com/v1/documents/x:batchUpdate") == "docs_write"
    assert group_of("POST", "https://www.googleapis.com/upload/drive/v3/files") is None
