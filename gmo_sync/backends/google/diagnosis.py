"""Google's set-up failures, recognised in its answers and said as one Russian sentence with the way out.

Three ways a fresh set-up (or a cron job a week later) dies with an answer no retry can cure:

* an API not enabled in the Cloud project: 403, ``errors[].reason`` ``accessNotConfigured`` and a
  ``google.rpc.ErrorInfo`` detail ``SERVICE_DISABLED`` whose metadata carries the console's activation link;
* a sign-in without a scope gmo-sync needs (the user unticked a box on Google's consent screen): 403
  ``insufficientPermissions`` / ``ACCESS_TOKEN_SCOPE_INSUFFICIENT``;
* a refresh token Google no longer accepts (``invalid_grant``): revoked, or — the classic — issued by an
  OAuth app left in «Testing», whose refresh tokens die after 7 days.

They are the project's or the sign-in's, not a row's or a step's: ``GoogleSetupError`` is a configuration
error (exit 2) that the run does not try to go on past.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

import google.auth.exceptions
from googleapiclient.errors import HttpError
from gspread.exceptions import APIError

from gmo_sync.core.problems import ConfigError

ERROR_INFO = "type.googleapis.com/google.rpc.ErrorInfo"
# Google's service name → what a coordinator calls it, the API's console title, the scope gmo-sync asks for
SERVICES = {
    "sheets.googleapis.com": ("Google Таблицы", "Google Sheets API", "spreadsheets"),
    "drive.googleapis.com": ("Google Диск", "Google Drive API", "drive.file"),
    "calendar-json.googleapis.com": ("Google Календарь", "Google Calendar API", "calendar.events"),
    "docs.googleapis.com": ("Google Документы", "Google Docs API", "drive.file"),
}
SCOPE_NAMES = {"spreadsheets": "Google Таблицы", "drive.file": "Google Диск",
               "calendar.events": "Google Календарь"}  # fmt: skip
ACTIVATION_LINK = re.compile(r"https://console\.(?:developers|cloud)\.google\.com/apis/api/([\w.-]+)/\S*[\w=]")
PUBLISH_APP = (
    "если вход перестаёт действовать через 7 дней, OAuth-приложение в Google Cloud оставлено в статусе "
    "«Testing» — опубликуйте его (Google Auth Platform → Audience → Publish app) и войдите снова"
)


class GoogleSetupError(ConfigError):
    """Google refuses because of how the project or the sign-in is set up (exit 2, the run stops)."""


def error_body(error: BaseException) -> dict[str, Any]:
    """The ``error`` object of a Google API answer from either client library ({} when there is none)."""
    if isinstance(error, HttpError):
        try:
            body = json.loads(error.content.decode("utf-8")).get("error")
        except (ValueError, AttributeError, UnicodeDecodeError):
            return {}
        return body if isinstance(body, dict) else {}
    if isinstance(error, APIError):
        return error.error if isinstance(error.error, dict) else {}
    return {}


def _error_info(body: dict[str, Any]) -> dict[str, Any]:
    for detail in body.get("details") or []:
        if isinstance(detail, dict) and detail.get("@type") == ERROR_INFO:
            return detail
    return {}


def _reasons(body: dict[str, Any]) -> set[str]:
    reasons = {str(e.get("reason", "")) for e in body.get("errors") or [] if isinstance(e, dict)}
    info = _error_info(body)
    return reasons | ({str(info["reason"])} if info.get("reason") else set())


def disabled_api(error: BaseException) -> tuple[str, str] | None:
    """(API title, activation link) when Google says the API is not enabled in the project."""
    body = error_body(error)
    if not {"accessNotConfigured", "SERVICE_DISABLED"} & _reasons(body):
        return None
    metadata = _error_info(body).get("metadata") or {}
    found = ACTIVATION_LINK.search(str(body.get("message", "")))
    link = str(metadata.get("activationUrl") or (found.group(0) if found else ""))
    service = str(metadata.get("service") or (found.group(1) if found else ""))
    title = str(metadata.get("serviceTitle") or SERVICES.get(service, ("", service or "нужный API"))[1])
    return title, link or "https://console.cloud.google.com/apis/library"


def missing_scope(error: BaseException) -> list[str] | None:
    """The scopes (short names) the call needed, when the sign-in lacks them."""
    body = error_body(error)
    if not {"insufficientPermissions", "ACCESS_TOKEN_SCOPE_INSUFFICIENT"} & _reasons(body):
        return None
    service = str((_error_info(body).get("metadata") or {}).get("service", ""))
    return [SERVICES[service][2]] if service in SERVICES else list(SCOPE_NAMES)


def disabled_api_message(title: str, link: str) -> str:
    return (
        f"{title} выключен в проекте Google Cloud, через который работает gmo-sync: включите его на "
        f"странице {link} (кнопка «Включить» / «Enable»), подождите несколько минут и запустите снова."
    )


def missing_scope_message(scopes: list[str]) -> str:
    """``scopes``: short names (``calendar.events``) or full URLs."""
    short = [s.rsplit("/", 1)[-1] for s in scopes]
    names = " и ".join(SCOPE_NAMES.get(s, s) for s in short)
    return (
        f"Вход в Google выполнен без разрешения на {names} ({', '.join(short)}) — на экране согласия Google "
        f"была снята галочка: выполните gmo-sync auth login заново и оставьте отмеченными все разрешения."
    )


DRIVE_FILE_SEES = "с доступом drive.file gmo-sync видит на Диске только то, что создал сам"


def invisible_template_message(doc_id: str) -> str:
    return (
        f"Шаблон google.template_doc_id = {doc_id} не найден или не виден gmo-sync ({DRIVE_FILE_SEES}, а "
        f"этот Google Doc, видимо, сделан вручную): откройте его в Google Документах, скачайте как .docx "
        f"(Файл → Скачать → Microsoft Word (.docx)) и выполните gmo-sync template upload ФАЙЛ.docx."
    )


def invisible_folder_message(folder_id: str) -> str:
    return (
        f"Папка протоколов google.protocols_folder_id = {folder_id} не найдена или не видна gmo-sync "
        f"({DRIVE_FILE_SEES}, а эту папку, видимо, создали вручную или другой установкой gmo-sync): "
        f"очистите google.protocols_folder_id в gmo-sync.toml и выполните gmo-sync init --google — он "
        f"создаст новую папку."
    )


def invalid_grant_message() -> str:
    return (
        "Google больше не принимает вход gmo-sync (invalid_grant: вход отозван или истёк): выполните "
        f"gmo-sync auth login заново; {PUBLISH_APP}."
    )


def explain(error: BaseException) -> str | None:
    """One sentence with the way out, when ``error`` is a set-up failure; None for anything else."""
    if isinstance(error, google.auth.exceptions.RefreshError):
        return invalid_grant_message() if "invalid_grant" in str(error) else None
    if getattr(error, "status_code", None) != 403 and getattr(error, "code", None) != 403:
        return None
    found = disabled_api(error)
    if found is not None:
        return disabled_api_message(*found)
    scopes = missing_scope(error)
    if scopes is not None:
        return missing_scope_message(scopes)
    return None


class ScopesExplained(logging.Filter):
    """google-auth warns in English when a refresh got fewer scopes than asked; gmo-sync says it in Russian
    (``missing_scope_message``), so the warning is dropped rather than printed beside it."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Not all requested scopes were granted")
