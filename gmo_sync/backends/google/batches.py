"""Calendar calls sent as HTTP batches: ``BATCH_PARTS`` calls a request, several in flight, inside the
per-minute quota.

A batch does not retry its parts: the caller re-sends the parts that failed (``GoogleCalendar`` does, in
rounds). A batch that fails as a whole is re-sent here with the connection's retry policy — safe, because
every insert carries its deterministic event ID.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from gmo_sync.backends.google.connection import GoogleConnection

Answer = tuple[Any, Exception | None]  # one call's event (or None) and its error (or None)
BATCH_LIMIT = 1000  # Calendar's limit of calls per HTTP batch
# Calls per batch we send: a run's request budget allows ⌈events/50⌉ batches, and smaller ones overlap.
BATCH_PARTS = 50
BATCHES_IN_FLIGHT = 8


class CalendarBatches:
    def __init__(self, connection: GoogleConnection) -> None:
        self.connection = connection

    def send(self, requests: list[Any], rider: Any = None) -> tuple[list[Answer], Exception | None]:
        """Each request's (answer, error) in order, in batches of ``BATCH_PARTS``, several in flight.

        ``rider`` (a listing) goes first in the first batch, one part over its size (Calendar takes
        1000): it costs no round trip of its own, and its answer comes first.

        Google serves the calls of one batch one after another, so a single batch of hundreds of calls
        takes hundreds of round trips; split, they overlap. Each batch stays within the per-minute
        quota (every call inside counts), and the pacer holds back any that would cross it.

        A batch that fails as a whole (dropped connection, 5xx on the batch itself) is re-sent with the
        retry policy — safe, because every insert carries its deterministic ID. When it still fails, the
        answers of the batches before it come back with the error that stopped the rest.
        """
        limit = self.connection.pacer.limit("calendar")
        size = min(BATCH_PARTS, limit or BATCH_PARTS)
        chunks = [requests[start : start + size] for start in range(0, len(requests), size)]
        if rider is not None:
            chunks[:1] = [[rider, *(chunks[0] if chunks else [])]]
        # batches in flight together stay within one minute's quota: past it they would only queue
        wave = max(1, min(BATCHES_IN_FLIGHT, (limit or BATCH_LIMIT) // size))
        answers: list[Answer] = []
        for start in range(0, len(chunks), wave):
            group = chunks[start : start + wave]
            if len(group) == 1:
                outcomes = [self._send_chunk(group[0])]
            else:
                with ThreadPoolExecutor(len(group), "calendar-batch") as pool:
                    outcomes = list(pool.map(self._send_chunk, group))
            for outcome in outcomes:
                if isinstance(outcome, Exception):
                    return answers, outcome
                answers += outcome
        return answers, None

    def _send_chunk(self, chunk: list[Any]) -> list[Answer] | Exception:
        try:
            return self.connection.retry.call("Календарь: пакет запросов", lambda: self._batch(chunk))
        except Exception as error:
            return error

    def _batch(self, requests: list[Any]) -> list[Answer]:
        results: dict[str, Answer] = {}

        def collect(request_id: str, response: Any, exception: Exception | None) -> None:
            results[request_id] = (response, exception)

        # BatchHttpRequest.execute would refresh an expired token through a brand-new httplib2.Http(),
        # which ignores the configured CA bundle: refresh first, through the connection, once for all.
        self.connection.refresh_if_needed()
        self.connection.pacer.acquire("calendar", len(requests))
        batch = self.connection.batch("calendar", collect)
        for number, request in enumerate(requests):
            batch.add(request, request_id=str(number))
        # this thread's own connection: the requests were built on another thread's, which is busy
        batch.execute(http=self.connection.service("calendar", "v3")._http)
        return [results[str(number)] for number in range(len(requests))]
