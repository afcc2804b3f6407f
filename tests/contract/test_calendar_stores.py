"""The calendar contract, run for every CalendarStore implementation we have."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from gmo_sync.backends.local.ics import LocalCalendar
from gmo_sync.core.clock import fixed_clock
from tests.contract.calendar_contract import CalendarStoreContract, MakeStore
from tests.contract.memory_calendar import MemoryCalendar, MemoryCalendarState
from tests.contract.samples import ZONE

NOW = dt.datetime(2026, 11, 25, 5, 0, tzinfo=dt.UTC)


class TestMemoryCalendar(CalendarStoreContract):
    @pytest.fixture
    def where(self) -> str:
        return "в памяти"

    @pytest.fixture
    def make_store(self) -> MakeStore:
        state = MemoryCalendarState()
        return lambda: MemoryCalendar(state)


class TestLocalCalendar(CalendarStoreContract):
    @pytest.fixture
    def where(self, tmp_path: Path) -> str:
        return str(tmp_path / "calendar.ics")

    @pytest.fixture
    def make_store(self, tmp_path: Path) -> MakeStore:
        return lambda: LocalCalendar(tmp_path / "calendar.ics", ZONE, clock=fixed_clock(NOW))
