"""Google credentials: the user's OAuth token (default) or a service-account key.

The OAuth token lives in the user's config folder (platformdirs), readable by its
owner only, and is refreshed automatically, so cron runs unattended after one
``gmo-sync auth login``. Nothing here ever logs or prints a token or a key.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path

import google.auth.exceptions
import platformdirs
from google.auth.credentials import Credentials
from google.oauth2 import credentials as user_credentials
from google.oauth2 import service_account

from gmo_sync.core.config import Config
from gmo_sync.core.problems import GmoSyncError

SCOPES = [
    "https://www.googleapis.com/auth/spreadsheets",
    # drive.file: only files this app created or the user opened with it — the
    # protocols folder, the protocols and the uploaded template are all such files.
    "https://www.googleapis.com/auth/drive.file",
    "https://www.googleapis.com/auth/calendar.events",
]

GMAIL_SEND = "https://www.googleapis.com/auth/gmail.send"


def scopes_for(config: Config) -> list[str]:
    """The scopes to ask for: gmail.send only when letters go through Gmail (``[mail] via = "gmail"``)."""
    return [*SCOPES, GMAIL_SEND] if config.mail.via == "gmail" else list(SCOPES)


SERVICE_ACCOUNT_LIMITS = (
    "Ограничения сервисного аккаунта: (1) аккаунты, созданные после апреля 2025 г., не могут владеть "
    "файлами на Диске — протоколы нужно складывать в папку на общем диске (shared drive), куда аккаунт "
    "добавлен участником; (2) без делегирования на уровне домена (Google Workspace) сервисный аккаунт не "
    "может создавать ссылки Google Meet и приглашать участников в события."
)
TESTING_WARNING = (
    "Внимание: если OAuth-приложение в Google Cloud оставлено в статусе «Testing», токен обновления "
    "перестаёт действовать через 7 дней (ошибка invalid_grant) и cron перестанет работать. Переведите "
    "приложение в статус «In production» (OAuth consent screen → Publish app)."
)


class AuthError(GmoSyncError):
    """No usable credentials (exit code 2)."""


def token_path() -> Path:
    return Path(platformdirs.user_config_dir("gmo-sync")) / "token.json"


def write_private(path: Path, text: str) -> None:
    """Write a secret file readable by its owner only (created 0600, never world-readable in between)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temp = path.with_name(path.name + ".tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(temp, 0o600)
    os.replace(temp, path)


@dataclass(frozen=True)
class LoadedCredentials:
    credentials: Credentials
    kind: str  # "service_account" | "oauth"
    source: Path
    account: str  # the service account's e-mail, or "" for OAuth (asked from Drive by `auth status`)


def credential_warnings(config: Config) -> list[str]:
    """A service-account key others can read is a key others can use: say so on every run."""
    if not config.google.credentials:
        return []
    path = config.resolve(config.google.credentials)
    try:
        mode = path.stat().st_mode
    except OSError:
        return []  # a missing key is load_credentials' error to report
    if mode & 0o077 == 0:
        return []
    return [
        f"Внимание: ключ сервисного аккаунта {path} доступен не только владельцу (права {mode & 0o777:o}); "
        f"любой пользователь этой машины может действовать от имени аккаунта. Выполните: chmod 600 «{path}»."
    ]


def load_credentials(config: Config) -> LoadedCredentials:
    if config.google.credentials:
        path = config.resolve(config.google.credentials)
        try:
            info = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise AuthError(f"Файл ключа сервисного аккаунта {path} не найден.") from None
        except (OSError, ValueError) as error:
            raise AuthError(f"Файл ключа {path} не читается как JSON: {type(error).__name__}") from None
        if info.get("type") != "service_account":
            raise AuthError(
                f"Файл {path} — не ключ сервисного аккаунта (type = «{info.get('type')}»). Для входа "
                f"под своим аккаунтом Google уберите google.credentials и выполните gmo-sync auth login."
            )
        try:
            creds = service_account.Credentials.from_service_account_info(info, scopes=scopes_for(config))
        except (ValueError, KeyError) as error:
            raise AuthError(f"Ключ сервисного аккаунта {path} повреждён: {type(error).__name__}") from None
        return LoadedCredentials(creds, "service_account", path, str(info.get("client_email", "")))
    path = token_path()
    if not path.exists():
        raise AuthError(
            "Нет входа в Google. Выполните: gmo-sync auth login (или укажите google.credentials)."
        )
    try:
        creds = user_credentials.Credentials.from_authorized_user_file(str(path), scopes_for(config))
    except (OSError, ValueError) as error:
        raise AuthError(
            f"Токен {path} повреждён ({type(error).__name__}); выполните gmo-sync auth login."
        ) from None
    return LoadedCredentials(creds, "oauth", path, "")


SIGNED_IN = "signed_in"  # our own key in token.json: when `auth login` got this refresh token (UTC, ISO)


def save_refreshed(loaded: LoadedCredentials) -> None:
    """Keep a refreshed OAuth token so the next run does not need a refresh request."""
    creds = loaded.credentials
    if loaded.kind == "oauth" and isinstance(creds, user_credentials.Credentials) and creds.token:
        store_token(loaded.source, creds, signed_in(loaded.source))


def store_token(path: Path, creds: user_credentials.Credentials, signed: str | None) -> None:
    data = json.loads(creds.to_json())
    if signed:
        data[SIGNED_IN] = signed
    write_private(path, json.dumps(data))


def signed_in(path: Path) -> str | None:
    """When the saved sign-in was made (None: unknown, e.g. a token from an older gmo-sync)."""
    try:
        value = json.loads(path.read_text(encoding="utf-8")).get(SIGNED_IN)
    except (OSError, ValueError, AttributeError):
        return None
    return value if isinstance(value, str) else None


def refresh_failure_message(error: google.auth.exceptions.RefreshError) -> str:
    from gmo_sync.backends.google.diagnosis import explain

    return explain(error) or f"Не удалось получить доступ к Google: {type(error).__name__}."


TOKEN_FIELDS = ("refresh_token", "client_id", "client_secret")


def import_token(source: Path) -> Path:
    """Install a token file made by `gmo-sync auth login` on another computer (checked, owner-only)."""
    try:
        info = json.loads(source.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise AuthError(f"Файл {source} не найден.") from None
    except (OSError, ValueError) as error:
        raise AuthError(f"Файл {source} не читается как JSON ({type(error).__name__}).") from None
    if not isinstance(info, dict):
        raise AuthError(f"Файл {source} — не токен gmo-sync: ожидается JSON-объект.")
    if info.get("type") == "service_account" or "private_key" in info:
        raise AuthError(
            f"Файл {source} — ключ сервисного аккаунта, а не токен входа: укажите его в настройках "
            f"(google.credentials), импортировать его не нужно."
        )
    if "installed" in info or "web" in info:
        raise AuthError(
            f"Файл {source} — OAuth-клиент, а не токен: войдите с ним (gmo-sync auth login "
            f"--client-secrets {source}) и импортируйте получившийся token.json."
        )
    missing = [k for k in TOKEN_FIELDS if not isinstance(info.get(k), str) or not info.get(k)]
    if info.get("type", "authorized_user") != "authorized_user" or missing:
        raise AuthError(
            f"Файл {source} — не токен gmo-sync (нет полей: {', '.join(missing) or 'type'}). Возьмите файл "
            f"token.json, который `gmo-sync auth login` сохранил на другом компьютере (путь он напечатал)."
        )
    try:
        user_credentials.Credentials.from_authorized_user_info(info, SCOPES)
    except (ValueError, KeyError) as error:
        raise AuthError(f"Токен в {source} повреждён ({type(error).__name__}).") from None
    path = token_path()
    write_private(path, json.dumps(info))
    return path


def describe_expiry(creds: Credentials, now: dt.datetime) -> str:
    expiry = getattr(creds, "expiry", None)
    if expiry is None:
        return "токен доступа ещё не получен (будет получен при первом обращении)"
    expiry = expiry.replace(tzinfo=dt.UTC) if expiry.tzinfo is None else expiry
    state = "истёк (обновится автоматически)" if expiry <= now else "действует"
    return f"токен доступа до {expiry:%d.%m.%Y %H:%M} UTC — {state}"
