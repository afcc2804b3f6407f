"""One measured run, summarised from the fake's request log (only the entries that run made)."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

from tests.fakegoogle.faults import quota_bucket

QUOTA_GROUPS = ("sheets.read", "sheets.write", "docs.read", "docs.write", "calendar")
TOKEN_METHOD = "oauth2.token"  # how the fake logs a request to the token endpoint
WINDOW_SECONDS = 60.0


@dataclass
class RunStats:
    label: str
    wall_seconds: float
    http_requests: int  # an HTTP batch is one request, however many calls it carries
    by_method: Counter[str]  # standalone requests by discovery id; batches under "HTTP batch …"
    batch_inner: Counter[str]  # calls carried inside HTTP batches, by discovery id
    quota: Counter[str]  # calls the fake charged to each per-user quota group
    quota_peak: dict[str, int]  # most charged calls in any 60-second window, per group
    too_many: int  # 429 answers, batch parts included
    too_many_by_method: Counter[str]
    other_errors: Counter[str]  # "409 calendar.events.insert" etc.: answers, not hiccups
    peak_rss_mb: float | None = None
    exit_code: int | None = None
    notes: list[str] = field(default_factory=list)
    cpu_seconds: float | None = None  # the run's own CPU time (user + system)
    network_seconds: float = 0.0  # time with at least one of the run's requests being served
    serial_seconds: float = 0.0  # the same requests one after another (batch parts each)

    @property
    def token_requests(self) -> int:
        """Requests to the OAuth token endpoint: a cron run an hour after the last one makes one."""
        return self.by_method.get(TOKEN_METHOD, 0)

    @property
    def api_requests(self) -> int:
        """HTTP requests to the APIs themselves (an HTTP batch is one), token requests left out."""
        return self.http_requests - self.token_requests

    @property
    def floor_ratio(self) -> float:
        """Wall time over the latency floor of the run's own request pattern (1.0: nothing but waiting)."""
        return self.wall_seconds / self.network_seconds if self.network_seconds else 0.0

    @property
    def api_calls(self) -> int:
        return sum(self.by_method.values()) - self.batches + sum(self.batch_inner.values())

    @property
    def batches(self) -> int:
        return sum(v for k, v in self.by_method.items() if k.startswith("HTTP batch"))


def _charged(entry: dict[str, Any]) -> bool:
    """The fake charges a call after routing, auth, validation and faults: a 429 or a 400/401 is not."""
    status = entry.get("status")
    return status is not None and status not in (400, 401, 429) and not entry.get("fault")


def summarize(
    label: str,
    entries: list[dict[str, Any]],
    wall_seconds: float,
    peak_rss_mb: float | None = None,
    exit_code: int | None = None,
) -> RunStats:
    by_method: Counter[str] = Counter()
    inner: Counter[str] = Counter()
    batches: dict[str, str] = {}
    quota: Counter[str] = Counter()
    moments: dict[str, list[float]] = defaultdict(list)
    too_many: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    for entry in entries:
        method = entry.get("api_method") or f"{entry['method']} {entry['path']}"
        if entry.get("batch"):
            inner[method] += 1
            batches[entry["batch"]] = method.split(".", 1)[0]
        else:
            by_method[method] += 1
        status = entry.get("status")
        if status == 429:
            too_many[method] += 1
        elif status is not None and status >= 400:
            errors[f"{status} {method}"] += 1
        bucket = quota_bucket(method, entry["method"]) if entry.get("api_method") else None
        if bucket and _charged(entry):
            quota[bucket] += 1
            moments[bucket].append(dt.datetime.fromisoformat(entry["time"]).timestamp())
    for api in batches.values():
        by_method[f"HTTP batch {api}"] += 1
    spans = sorted(_span(entry) for entry in entries)
    return RunStats(
        label=label,
        wall_seconds=wall_seconds,
        http_requests=sum(by_method.values()),
        by_method=by_method,
        batch_inner=inner,
        quota=quota,
        quota_peak={group: _peak(times) for group, times in moments.items()},
        too_many=sum(too_many.values()),
        too_many_by_method=too_many,
        other_errors=errors,
        peak_rss_mb=peak_rss_mb,
        exit_code=exit_code,
        network_seconds=_union(spans),
        serial_seconds=sum(end - start for start, end in spans),
    )


def _span(entry: dict[str, Any]) -> tuple[float, float]:
    """When the fake started serving a request (or a batch part) and when it answered."""
    start = dt.datetime.fromisoformat(entry["time"]).timestamp()
    return start, start + float(entry.get("elapsed_ms") or 0.0) / 1000


def _union(spans: list[tuple[float, float]]) -> float:
    """Total length covered by the (sorted) spans: the run's time spent waiting on at least one answer.

    This is the latency floor of the run's own request pattern — what it would take if gmo-sync itself
    took no time at all and overlapped its requests exactly as it did.
    """
    total, reach = 0.0, float("-inf")
    for start, end in spans:
        if end > reach:
            total += end - max(start, reach)
            reach = end
    return total


def _peak(times: list[float]) -> int:
    """The most calls inside any sliding window: how close a run came to the per-minute limit."""
    window: deque[float] = deque()
    best = 0
    for moment in sorted(times):
        window.append(moment)
        while window[0] <= moment - WINDOW_SECONDS:
            window.popleft()
        best = max(best, len(window))
    return best
