"""One bounded retry policy for every Google call.

Why our own: gspread 6.2.1's ``BackOffHTTPClient`` retries 408/429/5xx forever (its
stop check is always true), and googleapiclient's ``execute(num_retries=…)`` sleeps
``random() * 2**k`` uncapped and ignores ``Retry-After``. A cron job must finish:
here attempts are bounded, sleeps capped, ``Retry-After`` honoured, and the sleep
function injectable so tests can count the waits instead of sitting through them.

Retried: 408, 429, 5xx, 403 with a rate-limit reason (Drive and Calendar report
quota that way), dropped connections and timeouts. Everything else (400, 401,
403 forbidden, 404, 409) is an answer, not a hiccup, and is raised at once.
Re-sending a POST is safe only with idempotency keys (deterministic event IDs,
Drive ``appProperties`` looked up before create), which callers provide.

When the policy gives up, the client library's exception becomes a ``BackendError``
with a Russian message (exit code 2 through the CLI's one error boundary), so a
coordinator never sees an ``APIError`` traceback for a sheet that is not shared.
"""

from __future__ import annotations

import json
import logging
import random
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import google.auth.exceptions
import httplib2
import requests
from googleapiclient.errors import HttpError
from gspread.exceptions import APIError

from gmo_sync.core.problems import BackendError

log = logging.getLogger(__name__)
T = TypeVar("T")

RATE_LIMIT_REASONS = {"rateLimitExceeded", "userRateLimitExceeded", "quotaExceeded"}
RETRY_STATUSES = {408, 429, 500, 502, 503, 504}
TRANSPORT_ERRORS = (
    requests.ConnectionError,
    requests.Timeout,
    httplib2.HttpLib2Error,
    ConnectionError,
    TimeoutError,
    socket.timeout,
    ssl.SSLError,
    google.auth.exceptions.TransportError,  # a token request that never got an answer
)


def error_status(error: BaseException) -> tuple[int | None, str, str]:
    """(HTTP status, first reason, message) of a Google API error from either client library."""
    if isinstance(error, HttpError):
        status = error.resp.status if error.resp is not None else None
        try:
            body = json.loads(error.content.decode("utf-8"))["error"]
        except (ValueError, KeyError, TypeError, UnicodeDecodeError):
            return status, "", str(error)
        return status, _reason(body), str(body.get("message", ""))
    if isinstance(error, APIError):
        body = error.error if isinstance(error.error, dict) else {}
        return error.code, _reason(body), str(body.get("message", ""))
    return None, "", str(error)


def _reason(body: dict[str, Any]) -> str:
    errors = body.get("errors") or []
    return str(errors[0].get("reason", "")) if errors and isinstance(errors[0], dict) else ""


def is_retryable(error: BaseException) -> bool:
    if isinstance(error, TRANSPORT_ERRORS):
        return True
    status, reason, _ = error_status(error)
    if status in RETRY_STATUSES:
        return True
    return status == 403 and reason in RATE_LIMIT_REASONS


def retry_after(error: BaseException) -> float | None:
    headers: Any = None
    if isinstance(error, HttpError) and error.resp is not None:
        headers = error.resp
    elif isinstance(error, APIError):
        headers = error.response.headers
    value = headers.get("retry-after") if headers is not None else None
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


@dataclass
class RetryPolicy:
    attempts: int = 6  # 1 try + 5 retries: about a minute of waiting at most
    base: float = 1.0
    cap: float = 20.0
    sleep: Callable[[float], None] = time.sleep
    rand: Callable[[], float] = random.random
    retries_done: int = field(default=0, init=False)  # for the run summary

    def delay(self, attempt: int, error: BaseException) -> float:
        hinted = retry_after(error)
        if hinted is not None:
            return min(hinted, self.cap)
        # "full jitter": spreads retries of parallel clients instead of synchronising them
        return min(self.cap, self.base * 2**attempt) * (0.5 + self.rand() / 2)

    def call(self, what: str, action: Callable[[], T]) -> T:
        for attempt in range(self.attempts):
            try:
                return action()
            except BackendError:
                raise  # already explained (a nested call gave up)
            except Exception as error:
                if not is_retryable(error) or attempt == self.attempts - 1:
                    raise failure(what, error, attempt + 1) from error
                wait = self.delay(attempt, error)
                self.retries_done += 1
                status, reason, _ = error_status(error)
                log.info("%s: %s %s, повтор через %.1f с", what, status or type(error).__name__, reason, wait)
                self.sleep(wait)
        raise AssertionError("unreachable")


LABELS = {"Sheets": "Google Таблица"}  # connection.py names its gspread calls in English


def failure(what: str, error: Exception, attempts: int = 1) -> Exception:
    """The error a user sees when a Google call fails for good; unknown exceptions pass unchanged."""
    what = LABELS.get(what, what)
    from gmo_sync.backends.google.diagnosis import GoogleSetupError, explain

    explained = explain(error)  # an API switched off, a scope unticked, a dead sign-in: the run stops
    if explained is not None:
        return GoogleSetupError(explained)
    if isinstance(error, google.auth.exceptions.RefreshError):
        from gmo_sync.backends.google.auth import refresh_failure_message

        return BackendError(refresh_failure_message(error))
    tried = f" (попыток: {attempts})" if attempts > 1 else ""
    if isinstance(error, TRANSPORT_ERRORS):
        return BackendError(f"{what}: нет связи с Google ({type(error).__name__}){tried}. Повторите позже.")
    if not isinstance(error, HttpError | APIError):
        return error
    status, reason, message = error_status(error)
    detail = f"{status} {reason}".strip() + (f": {message}" if message else "")
    if status == 429 or (status == 403 and reason in RATE_LIMIT_REASONS):
        text = f"превышен лимит запросов к Google{tried} ({detail}). Повторите позже"
    elif status is not None and status >= 500:
        text = f"сервис Google временно недоступен{tried} ({detail}). Повторите позже"
    elif status == 401:
        text = f"Google не принял вход ({detail}). Выполните gmo-sync auth login"
    elif status == 403:
        text = (
            f"Google отказал в доступе ({detail}). Проверьте, что таблица, папка протоколов и шаблон "
            f"открыты для аккаунта, под которым работает gmo-sync (gmo-sync auth status)"
        )
    elif status == 404:
        text = (
            f"не найдено ({detail}). Проверьте google.spreadsheet_id, google.protocols_folder_id и "
            f"google.template_doc_id в gmo-sync.toml"
        )
    else:
        text = f"Google ответил ошибкой {detail}"
    return BackendError(f"{what}: {text}.")
