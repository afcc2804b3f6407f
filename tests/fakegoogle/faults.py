"""Seeded fault injection, latency and Google-like per-user quotas.

Faults fire "at request number k" (the fake numbers every API call, batch parts included, starting at 1)
or "with probability p" drawn from a seeded RNG, optionally only for method ids matching a glob
(``drive.files.create``, ``calendar.*``). They are checked after routing, auth and validation, so a
malformed request is still a deterministic 400.
"""

from __future__ import annotations

import fnmatch
import random
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from .errors import ApiError

# "drop_after" applies the request, then closes the socket: the write happened but the client never hears
# of it — the case that makes retried POSTs create duplicates unless the product uses idempotency keys.
# "timeout_after" applies the request, then holds the connection like "timeout": the write happened and
# the client is still waiting — the moment a test can kill the client with the write done, answer unseen.
# "403_denied" is the permanent kind (the file is not shared with the caller): no retry can cure it.
KINDS = ("429", "403", "403_denied", "500", "503", "drop", "timeout", "drop_after", "timeout_after")


@dataclass
class FaultRule:
    kind: str
    at: int | None = None  # fire on this request number
    probability: float | None = None  # or on each matching request with this probability
    method: str | None = None  # glob over discovery method ids
    times: int | None = None  # stop after firing this often (default: 1 for `at`, unlimited otherwise)
    hold_seconds: float = 5.0  # "timeout"/"timeout_after": how long to hold before dropping the connection
    fired: int = 0

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; expected one of {KINDS}")
        if (self.at is None) == (self.probability is None):
            raise ValueError("a fault rule needs exactly one of `at` or `probability`")
        # A timeout is bounded so a forgotten rule cannot wedge a test run.
        self.hold_seconds = min(float(self.hold_seconds), 60.0)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def error_for(kind: str) -> ApiError:
    if kind == "429":
        return ApiError(
            429, "Quota exceeded (injected fault).", reason="rateLimitExceeded", domain="usageLimits"
        )
    if kind == "403":
        return ApiError(
            403, "Rate Limit Exceeded (injected fault).", reason="rateLimitExceeded", domain="usageLimits"
        )
    if kind == "403_denied":
        # Sheets' shape (no errors[]); Drive would add reason "forbidden": both are permanent
        return ApiError(403, "The caller does not have permission", reason=None)
    if kind == "500":
        return ApiError(500, "Internal error encountered (injected fault).", reason="backendError")
    return ApiError(503, "The service is currently unavailable (injected fault).", reason="backendError")


class Faults:
    def __init__(self, seed: int = 0) -> None:
        self._lock = threading.Lock()
        self.rules: list[FaultRule] = []
        self.rng = random.Random(seed)
        self.seed = seed

    def reset(self, seed: int | None = None) -> None:
        with self._lock:
            self.rules.clear()
            self.seed = self.seed if seed is None else seed
            self.rng = random.Random(self.seed)

    def add(self, rule: FaultRule) -> FaultRule:
        with self._lock:
            self.rules.append(rule)
        return rule

    def check(self, number: int, method_id: str, explicit_only: bool = False) -> FaultRule | None:
        """The rule that fires on this request, if any; ``explicit_only``: only rules naming a method
        (the token endpoint: rules written for API calls must not land on a token request)."""
        with self._lock:
            for rule in self.rules:
                if explicit_only and not rule.method:
                    continue
                if rule.method and not fnmatch.fnmatchcase(method_id, rule.method):
                    continue
                limit = rule.times if rule.times is not None else (1 if rule.at is not None else None)
                if limit is not None and rule.fired >= limit:
                    continue
                if rule.at is not None:
                    hit = number >= rule.at  # "at k": the k-th request, or the next matching one after it
                else:
                    hit = self.rng.random() < float(rule.probability or 0)
                if hit:
                    rule.fired += 1
                    return rule
        return None


class Latency:
    def __init__(self) -> None:
        self.default_ms = 0.0
        self.per_method: dict[str, float] = {}

    def reset(self) -> None:
        self.default_ms = 0.0
        self.per_method = {}

    def delay(self, method_id: str) -> float:
        for pattern, ms in self.per_method.items():
            if fnmatch.fnmatchcase(method_id, pattern):
                return ms / 1000
        return self.default_ms / 1000


# Google's published per-user-per-minute limits (see GOOGLE-NOTES.md).
DEFAULT_LIMITS = {"sheets.read": 60, "sheets.write": 60, "docs.read": 300, "docs.write": 60, "calendar": 600}
_READ_POSTS = ("search", "ByDataFilter", "getByDataFilter")


def quota_bucket(method_id: str, http_method: str) -> str | None:
    api = method_id.split(".", 1)[0]
    if api == "calendar":
        return "calendar"
    if api in ("sheets", "docs"):
        is_read = http_method == "GET" or (
            method_id.endswith(_READ_POSTS) and "Update" not in method_id and "Clear" not in method_id
        )
        return f"{api}.{'read' if is_read else 'write'}"
    return None  # Drive quotas are per-project query units: not modelled


class Quotas:
    """Sliding one-minute windows per (user, bucket); off by default like a generous project."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._lock = threading.Lock()
        self.clock = clock
        self.enabled = False
        self.window_seconds = 60.0
        self.limits = dict(DEFAULT_LIMITS)
        self._hits: dict[tuple[str, str], deque[float]] = {}

    def reset(self) -> None:
        with self._lock:
            self.enabled = False
            self.window_seconds = 60.0
            self.limits = dict(DEFAULT_LIMITS)
            self._hits.clear()

    def charge(self, user: str, method_id: str, http_method: str) -> None:
        if not self.enabled:
            return
        bucket = quota_bucket(method_id, http_method)
        if bucket is None or bucket not in self.limits:
            return
        now = self.clock()
        with self._lock:
            hits = self._hits.setdefault((user, bucket), deque())
            while hits and hits[0] <= now - self.window_seconds:
                hits.popleft()
            if len(hits) >= self.limits[bucket]:
                api = bucket.split(".")[0]
                if api in ("sheets", "docs"):
                    # Sheets/Docs answer 429 without an errors[] list.
                    raise ApiError(
                        429,
                        f"Quota exceeded for quota metric '{bucket}' and limit "
                        f"'per minute per user' of service '{api}.googleapis.com'.",
                        reason=None,
                    )
                raise ApiError(429, "Rate Limit Exceeded", reason="rateLimitExceeded", domain="usageLimits")
            hits.append(now)
