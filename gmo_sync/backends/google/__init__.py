"""The google backend: Google Sheets (gspread), Docs in Drive and Calendar (google-api-python-client)."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import platformdirs

from gmo_sync.backends.google.auth import SCOPES, credential_warnings, load_credentials, save_refreshed
from gmo_sync.backends.google.connection import GoogleConnection
from gmo_sync.backends.google.diagnosis import GoogleSetupError, ScopesExplained, missing_scope_message
from gmo_sync.backends.google.documents import DriveDocumentStore
from gmo_sync.backends.google.drive import DriveProtocolStore
from gmo_sync.backends.google.gmail import GmailMailer
from gmo_sync.backends.google.retry import RetryPolicy, failure
from gmo_sync.backends.google.sheet import GoogleSheet
from gmo_sync.core.config import Config
from gmo_sync.core.ports import Backends
from gmo_sync.core.problems import ConfigError

if TYPE_CHECKING:
    from gmo_sync.backends.google.calendar import GoogleCalendar


logging.getLogger("google.oauth2.credentials").addFilter(ScopesExplained())


def connect(config: Config) -> GoogleConnection:
    loaded = load_credentials(config)
    policy = RetryPolicy(attempts=max(1, config.google.retry_attempts), base=config.google.retry_base_seconds)
    connection = GoogleConnection(
        loaded.credentials, config.google.endpoint, config.google.ca_bundle, policy,
        timeout=config.google.timeout_seconds,
    )  # fmt: skip
    # Keep a token refreshed during the run, so the next cron run starts without a token request.
    connection.on_close = lambda: save_refreshed(replace(loaded, credentials=connection.credentials))
    try:
        connection.refresh_if_needed()
    except Exception as error:  # invalid_grant, no connection: one Russian sentence, like any Google call
        raise failure("Вход в Google", error) from error
    # Google answers a refresh with the scopes the user left ticked: a missing one is said now, before a
    # step fails on it halfway through the run.
    granted = getattr(connection.credentials, "granted_scopes", None)
    missing = [scope for scope in SCOPES if granted and scope not in granted]
    if loaded.kind == "oauth" and missing:
        raise GoogleSetupError(missing_scope_message(missing))
    return connection


def state_file(config: Config, what: str = "protocols") -> Path:
    folder = Path(config.google.state_dir) if config.google.state_dir else Path(
        platformdirs.user_state_dir("gmo-sync"))  # fmt: skip
    key = hashlib.sha256(config.google.spreadsheet_id.encode()).hexdigest()[:16]
    return folder / f"{what}-{key}.json"


def open_google(config: Config) -> Backends:
    missing = [k for k in ("spreadsheet_id", "protocols_folder_id") if not getattr(config.google, k)]
    if missing:
        raise ConfigError(
            "Не настроен Google: "
            + ", ".join(f"google.{k}" for k in missing)
            + " пусто. Создайте таблицу и папку командой gmo-sync init --google."
        )
    connection = connect(config)
    return Backends(
        close=connection.close,
        stats=lambda: (connection.retry.retries_done, connection.pacer.waited),
        sheet=GoogleSheet(connection, config.google.spreadsheet_id),
        protocols=DriveProtocolStore(
            connection, config.google.protocols_folder_id, config.google.template_doc_id, state_file(config)
        ),
        calendar=open_google_calendar(config, connection),
        mailer=GmailMailer(connection) if config.mail.via == "gmail" else None,
        documents=DriveDocumentStore(connection, config.google.protocols_folder_id,
                                     state_file(config, "documents"), config.resolve(config.templates_dir)),
        warnings=credential_warnings(config),
    )


def open_google_calendar(config: Config, connection: GoogleConnection) -> GoogleCalendar:
    """The configured Google Calendar; a key file means a service account (no Meet links, no guests)."""
    from gmo_sync.backends.google.calendar import GoogleCalendar

    return GoogleCalendar(
        connection,
        config.google.calendar_id,
        zone_name=config.timezone,
        send_updates=config.calendar.send_updates,
        is_service_account=bool(config.google.credentials),
    )
