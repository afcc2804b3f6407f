"""``gmo-sync auth status``: who is signed in, with which scopes, until when — never the secrets."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import replace

import google.auth.exceptions

from gmo_sync.backends.google.auth import (
    SERVICE_ACCOUNT_LIMITS,
    TESTING_WARNING,
    credential_warnings,
    describe_expiry,
    load_credentials,
    refresh_failure_message,
    save_refreshed,
)
from gmo_sync.backends.google.connection import GoogleConnection
from gmo_sync.backends.google.retry import RetryPolicy
from gmo_sync.core.config import Config
from gmo_sync.core.problems import GmoSyncError

log = logging.getLogger(__name__)


def auth_status(config: Config, now: dt.datetime) -> tuple[list[str], bool]:
    """The lines to show, and whether Google accepted the credentials."""
    loaded = load_credentials(config)
    creds = loaded.credentials
    lines: list[str] = []
    scopes = getattr(creds, "scopes", None) or getattr(creds, "_scopes", None) or []
    if loaded.kind == "service_account":
        lines.append(f"Сервисный аккаунт: {loaded.account} (ключ: {loaded.source})")
    else:
        lines.append(f"Вход через OAuth: токен в {loaded.source}")
    lines.append("Права: " + (", ".join(s.rsplit("/", 1)[-1] for s in scopes) or "не указаны"))
    lines.extend(credential_warnings(config))
    connection = GoogleConnection(creds, config.google.endpoint, config.google.ca_bundle,
                                  RetryPolicy(attempts=2, base=config.google.retry_base_seconds))  # fmt: skip
    ok = False
    try:
        about = connection.execute(
            "Drive: about", connection.service("drive", "v3").about().get(fields="user")
        )
        user = about.get("user", {})
        lines.append(
            f"Аккаунт Google: {user.get('displayName', '')} <{user.get('emailAddress', '')}>".strip()
        )
        save_refreshed(replace(loaded, credentials=connection.credentials))
        ok = True
    except google.auth.exceptions.RefreshError as error:
        lines.append("Проверка не удалась: " + refresh_failure_message(error))
    except GmoSyncError as error:  # a retried failure, an API switched off, a scope unticked
        lines.append(f"Проверка не удалась: {error}")
    except (OSError, google.auth.exceptions.TransportError) as error:
        lines.append(f"Проверка не удалась: нет связи с Google ({type(error).__name__}).")
    except Exception as error:  # an HttpError: the answer says why, without secrets
        lines.append(
            f"Проверка не удалась: {type(error).__name__}: {getattr(error, 'reason', '')}".rstrip(": ")
        )
    lines.append("Токен: " + describe_expiry(connection.credentials, now))
    lines.append(SERVICE_ACCOUNT_LIMITS if loaded.kind == "service_account" else TESTING_WARNING)
    return lines, ok
