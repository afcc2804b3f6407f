"""Client-side pacing under Google's per-user quotas, so a run never relies on being refused.

Google counts per user per minute (GOOGLE-NOTES): Sheets 60 reads and 60 writes,
Docs 60 writes, Calendar 600 — and every call inside an HTTP batch counts. A large
first run (hundreds of events with Meet links, then re-reads of the pending ones)
would cross the Calendar line within a minute; answering 429s with back-off works,
but hammering a quota is what makes Google lock a calendar for hours. So every call
first takes a slot in a sliding 60-second window, a little under the real limit,
and waits when there is none. Drive has no per-minute limit that matters here.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

# a margin under Google's numbers: other tools of the same user share the quota
LIMITS = {"sheets_read": 55, "sheets_write": 55, "docs_write": 55, "calendar": 540}
WINDOW = 60.0


class Pacer:
    def __init__(
        self,
        limits: dict[str, int] | None = None,
        window: float = WINDOW,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.limits = dict(LIMITS if limits is None else limits)
        self.window = window
        self.clock = clock
        self.sleep = sleep
        self.waited = 0.0  # seconds spent waiting, for the run summary and the benchmark
        self._sent: dict[str, deque[float]] = {group: deque() for group in self.limits}
        self._lock = threading.Lock()

    def limit(self, group: str) -> int:
        return self.limits.get(group, 0)

    def acquire(self, group: str, calls: int = 1) -> None:
        """Wait until ``calls`` more calls of ``group`` fit in the window, then count them."""
        limit = self.limits.get(group)
        if not limit or calls <= 0:
            return
        calls = min(calls, limit)  # a caller never sends more than a window's worth at once
        while True:
            with self._lock:
                now = self.clock()
                sent = self._sent[group]
                while sent and sent[0] <= now - self.window:
                    sent.popleft()
                if len(sent) + calls <= limit:
                    sent.extend([now] * calls)
                    return
                wait = sent[len(sent) + calls - limit - 1] + self.window - now
            self.waited += max(wait, 0.0)
            self.sleep(max(wait, 0.01))


def group_of(method: str, url: str) -> str | None:
    """The quota a Google call counts against, from its HTTP method and URL."""
    if "/calendar/v3/" in url:
        return "calendar"
    if "/v4/spreadsheets" in url:
        return "sheets_read" if method.upper() == "GET" else "sheets_write"
    if "/v1/documents" in url:
        return "docs_write" if method.upper() != "GET" else None
    return None
