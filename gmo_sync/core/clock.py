"""Time, injected: nothing reads the current time at import, and tests freeze it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

Clock = Callable[[], dt.datetime]  # returns an aware datetime


def system_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def fixed_clock(moment: dt.datetime) -> Clock:
    return lambda: moment


def local_now(clock: Clock, zone: ZoneInfo) -> dt.datetime:
    return clock().astimezone(zone)
