"""Google Calendar as a ``CalendarStore``: the store itself — reading our events, carrying out a plan's
actions in rounds of batched calls, waiting for Meet links, and saying what became of each action.

What an event looks like (its ID, the body an action sends, what a stored event says back) is in
``events.py``; how calls travel (HTTP batches, quota, token refresh) is in ``batches.py``.

Exactly once: an insert for a meeting that already has its event answers 409 (the ID is the meeting's,
``events.event_id``); the store then reads that event and reconciles it, so a retried request, a run
killed before the write-back or a cleared Событие cell never makes a second one.

Round trips: every write of one ``apply`` goes out in Calendar HTTP batches (≤ 1000 calls each), so N
creates cost ⌈N/1000⌉ requests. A batch does not retry its parts, so the parts that failed with a
transient error are retried here, in later rounds, with the connection's bounded ``RetryPolicy``.

Cancelling is ``events.patch`` with ``status: cancelled``, not ``events.delete``: Google keeps a deleted
event as cancelled either way, but the patch also records the new content hash and sequence in the same
call, answers with the event (delete answers 204, which would need another read), and repeating it is
harmless, while a repeated delete answers 410 Gone.

A first run's creates ride in one batch with the listing (``existing(creating)``): one round trip
less, the plan still made from the listing as it was before them, ``apply`` taking their answers. One
module on purpose: the listing, the rounds and the answers that rode along share the jobs' state.

Meet links are provisioned asynchronously (``createRequest`` → pending → success), so events still
pending after the writes are re-read in batches, with short injected sleeps, for at most
``meet_wait_seconds``. A service account without domain-wide delegation can neither create Meet links
nor invite attendees; such events are still written, without those parts, and the outcome says why.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from gmo_sync.backends.google.batches import Answer, CalendarBatches
from gmo_sync.backends.google.connection import GoogleConnection
from gmo_sync.backends.google.diagnosis import GoogleSetupError
from gmo_sync.backends.google.events import (
    EVENT_FIELDS,
    HASH_KEY,
    KIND,
    KIND_KEY,
    conference_status,
    event_body,
    event_id,
    meeting_of,
    private,
    stored_event,
)
from gmo_sync.backends.google.retry import error_status, is_retryable
from gmo_sync.core.model import id_key
from gmo_sync.core.ports import EventAction, EventActionKind, EventLinks, EventOutcome, EventSpec, StoredEvent
from gmo_sync.core.problems import BackendError

log = logging.getLogger(__name__)

PAGE_SIZE = 2500  # the most events.list returns per page
MEET_FIRST_POLL = 0.5  # seconds; provisioning usually takes a moment, then the poll backs off
MEET_MAX_POLL = 4.0

SERVICE_ACCOUNT_MEET = (
    "сервисный аккаунт без делегирования не может создавать ссылки Meet — событие {done} без видеовстречи; "
    "войдите своим аккаунтом Google (gmo-sync auth login) или включите делегирование на уровне домена"
)
SERVICE_ACCOUNT_ATTENDEES = (
    "сервисный аккаунт без делегирования не может приглашать участников — событие {done} без приглашений; "
    "войдите своим аккаунтом Google (gmo-sync auth login) или включите делегирование на уровне домена"
)


@dataclass
class _Job:
    """One action on its way through the rounds: the call it needs next, and what it has learnt."""

    action: EventAction
    event_id: str
    video: bool  # send the Meet createRequest
    invite: bool  # send the attendees
    call: str = ""  # "insert" | "patch" | "get" | "" (finished)
    base: dict[str, Any] | None = None  # the event a patch builds on (its sequence grows by one)
    event: dict[str, Any] | None = None  # the event as Google last answered
    attempts: int = 0  # transient failures of the current call
    reinserted: bool = False  # a patch found no event and fell back to insert once
    notes: list[str] = field(default_factory=list)  # Russian problems to report
    failed: bool = False

    @property
    def spec(self) -> EventSpec | None:
        return self.action.spec

    @property
    def label(self) -> str:
        if self.action.summary:
            return f"событие «{self.action.summary}» (заседание {self.action.meeting_id})"
        return f"событие заседания {self.action.meeting_id}"

    @property
    def done_word(self) -> str:
        return "создано" if self.action.kind == EventActionKind.CREATE else "сохранено"

    def fail(self, message: str) -> None:
        self.notes.append(f"{self.label}: {message}")
        self.failed, self.call = True, ""


class GoogleCalendar:
    """A ``CalendarStore`` over one Google Calendar."""

    # Google's reference gives no size for a description; public reports put the cap at about 8 KB
    # (8,192 / 8,000 characters, see tests/fakegoogle/LIMITS.md): the lower figure keeps us clear of it.
    description_limit = 8000
    creates_ride_with_listing = True  # ``existing(creating)``: one batch for the listing and the creates

    def __init__(
        self,
        connection: GoogleConnection,
        calendar_id: str,
        *,
        zone_name: str,
        send_updates: str = "none",
        meet_wait_seconds: float = 20,
        sleep: Callable[[float], None] = time.sleep,
        is_service_account: bool = False,
    ) -> None:
        self.connection = connection
        self.calendar_id = calendar_id
        self.zone_name = zone_name
        self.send_updates = send_updates
        self.meet_wait_seconds = meet_wait_seconds
        self.sleep = sleep
        # Known up front for key files; an OAuth account Google refuses the same way flips these too.
        self.meet_allowed = not is_service_account
        self.invites_allowed = not is_service_account
        self._events: dict[str, dict[str, Any]] = {}  # event ID → event, from the last list: KEEP's polls
        self._batches = CalendarBatches(connection)
        self._ahead: dict[str, Answer] = {}  # event ID → the answer to an insert that rode with the listing

    @property
    def events(self) -> Any:
        return self.connection.service("calendar", "v3").events()

    def describe(self) -> str:
        return f"Google Календарь {self.calendar_id}"

    # -- reading ----------------------------------------------------------------------------------

    def _list_request(self, token: str | None) -> Any:
        return self.events.list(
            calendarId=self.calendar_id, privateExtendedProperty=f"{KIND_KEY}={KIND}", showDeleted=True,
            maxResults=PAGE_SIZE, pageToken=token, fields=f"nextPageToken,items({EVENT_FIELDS})",
        )  # fmt: skip

    def _list_ours(self, token: str | None = None, events: list[dict[str, Any]] | None = None
                   ) -> list[dict[str, Any]]:  # fmt: skip
        """Every event gmo-sync made (cancelled ones too), all pages: one request per 2500 events.

        ``token`` and ``events``: the pages after a first one already read.
        """
        events = [] if events is None else events
        while True:
            try:
                page = self.connection.execute("Календарь: список событий", self._list_request(token))
            except Exception as error:
                raise _calendar_error(error, self.calendar_id) from error
            events.extend(page.get("items", []))
            token = page.get("nextPageToken")
            if not token:
                return events

    def existing(self, creating: Sequence[EventAction] = ()) -> dict[str, StoredEvent]:
        """The events gmo-sync made; the inserts of ``creating`` ride in one batch with the listing.

        A first run would otherwise list (one request), then send its creates (one batch per 50): sent
        together they cost one round trip less. Safe because every insert carries the meeting's own
        event ID — one the calendar has already answers 409 — and the plan is still made from the
        listing as it was before these inserts; ``apply`` takes their answers instead of sending again.
        """
        self._ahead = {}
        jobs = [job for job in map(self._job, creating) if job.call == "insert"]
        if not jobs:
            return self._found(self._list_ours())
        requests = [self._request(job, "insert") for job in jobs]
        answers, lost = self._batches.send(requests, rider=self._list_request(None))
        if not answers:  # the batch that carried the listing never got through
            assert lost is not None
            raise _calendar_error(lost, self.calendar_id)
        (page, failure), inserted = answers[0], answers[1:]
        self._ahead = {job.event_id: answer for job, answer in zip(jobs, inserted, strict=False)}
        if failure is not None:  # the listing alone failed inside the batch: asked again on its own
            events = self._list_ours()
        elif page.get("nextPageToken"):
            events = self._list_ours(page["nextPageToken"], list(page.get("items", [])))
        else:
            events = list(page.get("items", []))
        fresh = {eid: event for eid, (event, error) in self._ahead.items() if error is None}
        # Google runs a batch's calls in any order: the listing may already show what rode with it.
        found = self._found([event for event in events if event["id"] not in fresh])
        claimed = {id_key(meeting_id): meeting_id for meeting_id in found}
        for event in fresh.values():
            stored = stored_event(event)
            taken = claimed.get(id_key(stored.meeting_id))
            if taken is not None:
                # A copy carrying our properties claims the meeting: as in ``_found``, the event under
                # the meeting's own ID (this one) wins, and the plan keeps it.
                log.warning("второе событие заседания %s в календаре (%s) не учитывается", taken,
                            found.pop(taken).event_id)  # fmt: skip
                self._events[event["id"]] = event
                found[stored.meeting_id] = stored
        return found

    def _found(self, listed: list[dict[str, Any]]) -> dict[str, StoredEvent]:
        found: dict[str, StoredEvent] = {}
        by_key: dict[str, dict[str, Any]] = {}
        for event in listed:
            meeting_id = meeting_of(event)
            if not meeting_id:
                continue
            key = id_key(meeting_id)
            # Should a copy carrying our properties turn up, the event under the meeting's own ID wins.
            if key in by_key and by_key[key]["id"] == event_id(meeting_id):
                log.warning("второе событие заседания %s в календаре (%s) не учитывается", meeting_id,
                            event["id"])  # fmt: skip
                continue
            by_key[key] = event
        for event in by_key.values():
            self._events[event["id"]] = event
            stored = stored_event(event)
            found[stored.meeting_id] = stored
        return found

    def expected_links(self, action: EventAction) -> EventLinks:
        """An event keeps its htmlLink and Meet link; a new event's, and a new Meet link, exist only later.

        Not foreseen: a Meet link still being made at the last run, which a KEEP may find ready now.
        """
        existing = action.existing
        link = existing.link if existing is not None and existing.link else None
        if existing is not None and existing.video_link:
            return EventLinks(link, existing.video_link)
        spec = action.spec
        writes = action.kind in (EventActionKind.CREATE, EventActionKind.UPDATE)
        wants = writes and spec is not None and not spec.cancelled and spec.want_video and self.meet_allowed
        return EventLinks(link, None if wants else "")

    # -- writing ----------------------------------------------------------------------------------

    def apply(self, actions: Sequence[EventAction]) -> list[EventOutcome]:
        jobs = [self._job(action) for action in actions]
        answered = self._take_ahead(jobs)
        self._run([job for job in jobs if job.call], succeeded=answered)
        self._await_meet([job for job in jobs if job.event is not None and not job.failed])
        return [self._outcome(job) for job in jobs]

    def _job(self, action: EventAction) -> _Job:
        spec = action.spec
        eid = action.existing.event_id if action.existing is not None else event_id(action.meeting_id)
        # A cancellation needs neither a new Meet link nor a new guest list: the guests it had get the notice.
        live = (
            spec
            if spec is not None and not spec.cancelled and action.kind != EventActionKind.CANCEL
            else None
        )
        job = _Job(action, eid, video=bool(live and live.want_video), invite=bool(live and live.attendees))
        if action.kind == EventActionKind.KEEP:
            # Nothing to write; the event as listed lets a Meet link still being made be waited for.
            job.event = self._events.get(eid)
            return job
        if action.kind == EventActionKind.CREATE or action.existing is None:
            job.call = "insert"
        else:
            job.call = "patch"
            job.base = self._events.get(eid) or {"sequence": action.existing.sequence}
        self._apply_permissions(job)
        return job

    def _take_ahead(self, jobs: list[_Job]) -> bool:
        """The answers to inserts that rode with the listing, as if this round had sent them.

        An event made is taken as read (should the body sent differ from this action's — a duplicate
        ID's other row — it is brought up to date with a patch); a 409 reads the event, a transient
        error sends again, and so on. True when one went through.
        """
        ahead, self._ahead = self._ahead, {}
        answered, wait = False, 0.0
        for job in jobs:
            if job.call != "insert" or job.event_id not in ahead:
                continue
            event, failure = ahead.pop(job.event_id)
            if failure is None:
                answered, job.call = True, "get"
                self._answered(job, event)
            else:
                wait = max(wait, self._failed(job, failure))
        if wait:
            self.connection.retry.sleep(wait)
        return answered

    def _apply_permissions(self, job: _Job) -> None:
        if job.video and not self.meet_allowed:
            job.video = False
            job.notes.append(f"{job.label}: " + SERVICE_ACCOUNT_MEET.format(done=job.done_word))
        if job.invite and not self.invites_allowed:
            job.invite = False
            job.notes.append(f"{job.label}: " + SERVICE_ACCOUNT_ATTENDEES.format(done=job.done_word))

    def _run(self, jobs: list[_Job], succeeded: bool = False) -> None:
        """Rounds of batched calls until every job is finished; each round answers what the last asked.

        Bounded: a call is retried at most ``RetryPolicy.attempts`` times, and a job moves on at most
        insert → get → patch (after a 409), patch → insert (the event vanished), plus one resend without
        Meet and one without attendees.
        """
        while jobs := [job for job in jobs if job.call]:
            answers, lost = self._batches.send([self._request(job, job.call) for job in jobs])
            wait = 0.0
            for job, (response, failure) in zip(jobs, answers, strict=False):
                if failure is None:
                    succeeded = True
                    self._answered(job, response)
                else:
                    wait = max(wait, self._failed(job, failure))
            if lost is not None:
                if not succeeded:
                    # Not one call went through: the store as a whole is unreachable — the run's failure.
                    if isinstance(lost, BackendError):
                        raise lost
                    raise BackendError(_connection_message(lost)) from lost
                for job in jobs:
                    if job.call:  # unanswered, or a retry or follow-up with no connection to go on
                        job.fail(_connection_message(lost))
                return
            if wait:
                self.connection.retry.sleep(wait)

    def _request(self, job: _Job, call: str) -> Any:
        common = {"calendarId": self.calendar_id, "fields": EVENT_FIELDS}
        if call == "get":
            return self.events.get(eventId=job.event_id, **common)
        cancelled = job.action.kind == EventActionKind.CANCEL or (job.spec is not None and job.spec.cancelled)
        body = event_body(job.spec, cancelled=cancelled, zone_name=self.zone_name, base=job.base,
                          patch=call == "patch", invite=job.invite, video=job.video)  # fmt: skip
        writes = {**common, "sendUpdates": self.send_updates}
        if "conferenceData" in body:
            writes["conferenceDataVersion"] = 1  # without it Google silently drops the createRequest
        if call == "insert":
            return self.events.insert(body={**body, "id": job.event_id}, **writes)
        return self.events.patch(eventId=job.event_id, body=body, **writes)

    def _answered(self, job: _Job, event: dict[str, Any]) -> None:
        job.attempts = 0
        if job.call != "get":
            job.event, job.call = event, ""
            return
        # The read after a 409: the event is there (an earlier try, an earlier run); bring it up to date.
        job.event = event
        spec = job.spec
        if spec is None:
            job.call = ""
            return
        wanted = "cancelled" if spec.cancelled or job.action.kind == EventActionKind.CANCEL else "confirmed"
        if private(event).get(HASH_KEY) == spec.content_hash and event.get("status") == wanted:
            job.call = ""  # already as wanted: a repeated plan
        else:
            job.base, job.call = event, "patch"

    def _failed(self, job: _Job, error: Exception) -> float:
        """Decide the job's next call after ``error``; returns how long to wait before the next round."""
        status, reason, message = error_status(error)
        policy = self.connection.retry
        if is_retryable(error):
            if job.attempts + 1 >= policy.attempts:
                job.fail(f"Google Календарь не ответил после {policy.attempts} попыток ({status} {reason})")
                return 0.0
            delay = policy.delay(job.attempts, error)
            job.attempts += 1
            policy.retries_done += 1
            log.info("Календарь: %s %s для %s, повтор через %.1f с", status, reason, job.event_id, delay)
            return delay
        job.attempts = 0
        if job.call == "insert" and status == 409:
            job.call = "get"  # the ID is taken: our event exists already (Google keeps deleted ones too)
        elif job.call == "patch" and status in (404, 410) and not job.reinserted:
            if job.action.kind == EventActionKind.CANCEL:
                job.call = ""  # nothing left to cancel
            else:
                job.reinserted, job.base, job.call = True, None, "insert"
        elif job.video and status == 400 and "conference type" in message.lower():
            self.meet_allowed = False  # the same for every event of this run: don't ask again
            self._apply_permissions(job)
        elif job.invite and status == 403 and reason == "forbiddenForServiceAccounts":
            self.invites_allowed = False
            self._apply_permissions(job)
        elif job.call == "get" and status == 404:
            job.fail(
                f"идентификатор события {job.event_id} занят, но событие не читается (удалено навсегда?)"
            )
        else:
            job.fail(f"Google Календарь ответил ошибкой {status} {reason}: {message}".rstrip(": "))
        return 0.0

    # -- Meet ---------------------------------------------------------------------------------------

    def _await_meet(self, jobs: list[_Job]) -> None:
        """Re-read events whose Meet link is still being made, within ``meet_wait_seconds``."""
        pending = [job for job in jobs if job.event is not None and conference_status(job.event) == "pending"]
        waited, pause = 0.0, MEET_FIRST_POLL
        while pending and waited < self.meet_wait_seconds:
            step = min(pause, self.meet_wait_seconds - waited)
            self.sleep(step)
            waited, pause = waited + step, min(pause * 2, MEET_MAX_POLL)
            # One list answers for every pending event (one request, one quota unit), where a get
            # per event would cost a call each — the bulk of a large first run's calendar traffic.
            try:
                current = {event["id"]: event for event in self._list_ours()}
            except BackendError as lost:
                log.warning("Календарь: ссылки Meet не дочитаны: %s", lost)
                return
            for job in pending:
                job.event = current.get(job.event_id, job.event)
            pending = [job for job in pending if conference_status(job.event or {}) == "pending"]
        for job in pending:
            log.warning(
                "%s: ссылка Meet ещё создаётся; она появится в таблице при следующем запуске", job.label
            )
        for job in jobs:
            # Said once, by the run that asked; a KEEP would repeat it on every later run.
            written = job.action.kind != EventActionKind.KEEP
            if written and job.event is not None and conference_status(job.event) == "failure":
                job.notes.append(
                    f"{job.label}: Google не смог создать ссылку Meet; событие есть, без видеовстречи"
                )

    # -- results --------------------------------------------------------------------------------------

    def _outcome(self, job: _Job) -> EventOutcome:
        problem = "; ".join(job.notes)
        if job.action.kind == EventActionKind.KEEP:
            stored = stored_event(job.event) if job.event is not None else job.action.existing
            return EventOutcome(job.action.meeting_id, stored, problem)
        if job.failed or job.event is None:
            return EventOutcome(job.action.meeting_id, None, problem)
        self._events[job.event["id"]] = job.event
        return EventOutcome(job.action.meeting_id, stored_event(job.event), problem)


def _cause(error: Exception) -> Exception:
    """The library's error behind a ``BackendError`` the retry policy made of it when it gave up."""
    cause = error.__cause__
    return cause if isinstance(error, BackendError) and isinstance(cause, Exception) else error


def _connection_message(error: Exception) -> str:
    if isinstance(error, BackendError):
        return str(error)
    status, reason, message = error_status(error)
    if status is None:
        return f"нет связи с Google Календарём ({type(error).__name__})"
    return f"Google Календарь ответил ошибкой {status} {reason}: {message}".rstrip(": ")


def _calendar_error(error: Exception, calendar_id: str) -> Exception:
    if isinstance(error, GoogleSetupError):
        return error  # the project's or the sign-in's, not this calendar's: said as it is
    status, _, _ = error_status(_cause(error))
    if status == 404:
        return BackendError(
            f"Календарь «{calendar_id}» не найден или недоступен этому аккаунту; проверьте google.calendar_id"
        )
    if isinstance(error, BackendError):
        return error
    return BackendError(f"Календарь «{calendar_id}»: {_connection_message(error)}")
