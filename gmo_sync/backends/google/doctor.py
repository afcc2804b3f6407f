"""``gmo-sync doctor`` for a Google workspace: one harmless request per part, and what to do when it fails.

In order, each depending on the ones before: the credentials and their kind, a token refresh (one token
request, forced, so a dead refresh token shows today and not in tonight's cron), the scopes granted, the
sign-in's age (an OAuth app left in «Testing» kills refresh tokens after 7 days), then per API: Drive
(about.get: the account), the spreadsheet (Sheets spreadsheets.get; Drive capabilities for writing), the
protocols folder and the template Doc (Drive files.get; the template is tried once in memory), the
calendar (events.list with maxResults=1: its access role), Meet links, the time zones. About eight
requests; nothing is written anywhere.
"""

from __future__ import annotations

import datetime as dt
import stat
from dataclasses import dataclass, replace
from typing import Any

import google.auth.exceptions

from gmo_sync.backends.google.auth import SCOPES, AuthError, load_credentials, save_refreshed, signed_in
from gmo_sync.backends.google.connection import GoogleConnection
from gmo_sync.backends.google.diagnosis import (
    PUBLISH_APP,
    explain,
    invalid_grant_message,
    invisible_folder_message,
    invisible_template_message,
    missing_scope_message,
)
from gmo_sync.backends.google.drive import DOCX, GOOGLE_DOC, template_cache
from gmo_sync.backends.google.retry import RetryPolicy, error_status
from gmo_sync.backends.local.doctor import writable_folder
from gmo_sync.core.config import Config
from gmo_sync.core.doctor import Check, fail, ok, sample_meeting, skipped, try_template, warn
from gmo_sync.core.model import Meeting
from gmo_sync.core.problems import GmoSyncError
from gmo_sync.rendering import TemplateError, template_bytes

FOLDER = "application/vnd.google-apps.folder"
TESTING_DAYS = 7


@dataclass
class Answer:
    """One probe's outcome: the body, or the HTTP status and a sentence already saying what to do."""

    body: dict[str, Any] | None = None
    status: int | None = None
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.body is not None


def _probe(connection: GoogleConnection, what: str, request: Any) -> Answer:
    try:
        return Answer(body=connection.execute(what, request))
    except GmoSyncError as error:  # failure() made it: explained, with the HTTP error as its cause
        cause = error.__cause__ if isinstance(error.__cause__, Exception) else error
        return Answer(status=error_status(cause)[0], error=explain(cause) or str(error))
    except Exception as error:  # a transport failure the policy passed on
        return Answer(error=f"нет связи с Google ({type(error).__name__})")


def google_checks(config: Config, now: dt.datetime) -> list[Check]:
    google = config.google
    try:
        loaded = load_credentials(config)
    except AuthError as error:
        return [fail("Вход в Google", str(error))]
    checks = [_credentials_check(loaded)]
    policy = RetryPolicy(attempts=2, base=google.retry_base_seconds)
    connection = GoogleConnection(loaded.credentials, google.endpoint, google.ca_bundle, policy,
                                  timeout=google.timeout_seconds)  # fmt: skip
    refreshed = _refresh(connection, loaded.kind, loaded.source, now)
    checks.append(refreshed)
    later = ["Права", "Google Диск", "Таблица", "Папка протоколов", "Шаблон протокола", "Календарь"]
    if refreshed.status != "ok":
        return checks + [skipped(name, "Google не принял вход") for name in later]
    save_refreshed(replace(loaded, credentials=connection.credentials))  # the next run needs no refresh
    checks.append(_scopes(connection, loaded.kind))
    if loaded.kind == "oauth":
        checks.append(_sign_in_age(loaded.source, now))
    account = _probe(connection, "Google Диск", connection.service("drive", "v3").about().get(
        fields="user(displayName,emailAddress)"))  # fmt: skip
    email = ((account.body or {}).get("user") or {}).get("emailAddress", "")
    if account.ok:
        user = account.body["user"] if account.body else {}
        checks.append(ok("Google Диск", f"доступен; аккаунт {user.get('displayName', '')} <{email}>"))
    else:
        checks.append(fail("Google Диск", account.error))
    sheet_zone, sheet = _spreadsheet(connection, google.spreadsheet_id, email)
    checks += sheet
    checks.append(_folder(connection, google.protocols_folder_id, loaded.kind))
    checks.append(_template(connection, config, now))
    calendar_zone, calendar = _calendar(connection, google.calendar_id)
    checks.append(calendar)
    checks.append(_meet(config, loaded.kind))
    checks.append(_time_zones(config, sheet_zone, calendar_zone))
    return checks


def state_folder_check(path: Any) -> Check:
    return writable_folder("Папка состояния", "google.state_dir", path)


# -- the sign-in ----------------------------------------------------------------------------------------


def _credentials_check(loaded: Any) -> Check:
    if loaded.kind == "service_account":
        return ok("Вход в Google", f"сервисный аккаунт {loaded.account} (ключ {loaded.source})")
    mode = stat.S_IMODE(loaded.source.stat().st_mode)
    if mode & 0o077:
        return fail("Вход в Google", f"токен {loaded.source} читается другими (права {mode:o})",
                    f"chmod 600 {loaded.source}")  # fmt: skip
    return ok("Вход в Google", f"OAuth, токен {loaded.source} (права 600)")


def _refresh(connection: GoogleConnection, kind: str, source: Any, now: dt.datetime) -> Check:
    name = "Обновление токена"
    try:
        connection.refresh_if_needed(force=True)  # forced: proves the refresh token works today
    except google.auth.exceptions.RefreshError as error:
        if "invalid_grant" not in str(error):
            return fail(name, f"Google отказал: {type(error).__name__}", "выполните gmo-sync auth login")
        return fail(name, _invalid_grant(kind, source, now))
    except (google.auth.exceptions.TransportError, OSError) as error:
        return fail(name, f"нет связи с Google ({type(error).__name__})", "проверьте сеть и повторите")
    return ok(name, "Google принял вход и выдал новый токен доступа")


def _invalid_grant(kind: str, source: Any, now: dt.datetime) -> str:
    if kind == "service_account":
        return ("Google отклонил ключ сервисного аккаунта (invalid_grant): ключ удалён или отозван — "
                "создайте новый ключ в Google Cloud Console и укажите его в google.credentials")  # fmt: skip
    age = _age_days(source, now)
    if age is not None and TESTING_DAYS - 1 <= age <= TESTING_DAYS + 2:
        return (
            f"Google больше не принимает вход (invalid_grant), а выполнен он {age} дн. назад — ровно срок "
            "жизни токенов OAuth-приложения в статусе «Testing»: опубликуйте приложение (Google Auth "
            "Platform → Audience → Publish app) и выполните gmo-sync auth login"
        )
    return invalid_grant_message().removeprefix("Google ").rstrip(".")


def _age_days(source: Any, now: dt.datetime) -> int | None:
    stamp = signed_in(source)
    if not stamp:
        return None
    try:
        when = dt.datetime.fromisoformat(stamp)
    except ValueError:
        return None
    when = when if when.tzinfo else when.replace(tzinfo=dt.UTC)
    return (now - when).days


def _scopes(connection: GoogleConnection, kind: str) -> Check:
    granted = set(getattr(connection.credentials, "granted_scopes", None) or [])
    missing = [s for s in SCOPES if granted and s not in granted]
    short = ", ".join(s.rsplit("/", 1)[-1] for s in SCOPES)
    if kind == "oauth" and missing:
        return fail("Права", missing_scope_message(missing).rstrip("."))
    return ok("Права", short)


def _sign_in_age(source: Any, now: dt.datetime) -> Check:
    name = "Срок входа"
    stamp = signed_in(source)
    age = _age_days(source, now)
    if age is None:
        return ok(name, "дата входа неизвестна (токен от старой версии gmo-sync)",
                  f"{PUBLISH_APP}")  # fmt: skip
    when = dt.datetime.fromisoformat(stamp or "").date()
    if age >= TESTING_DAYS:
        return ok(name, f"вход от {when:%d.%m.%Y} действует {age} дн.: OAuth-приложение не в «Testing»")
    dies = when + dt.timedelta(days=TESTING_DAYS)
    return ok(name, f"вход от {when:%d.%m.%Y}",
              f"если OAuth-приложение в статусе «Testing», вход перестанет действовать {dies:%d.%m.%Y} — "
              "опубликуйте его (Google Auth Platform → Audience → Publish app)")  # fmt: skip


# -- the files ------------------------------------------------------------------------------------------


def _spreadsheet(connection: GoogleConnection, spreadsheet_id: str, email: str) -> tuple[str, list[Check]]:
    name = "Таблица"
    if not spreadsheet_id:
        return "", [fail(name, "google.spreadsheet_id пусто", "выполните gmo-sync init --google")]
    request = connection.service("sheets", "v4").spreadsheets().get(
        spreadsheetId=spreadsheet_id, fields="spreadsheetId,properties(title,timeZone)")  # fmt: skip
    answer = _probe(connection, "Google Таблица", request)
    if answer.status == 404:
        return "", [fail(name, f"google.spreadsheet_id = {spreadsheet_id} не найдена",
                         "таблица удалена (восстановите её из корзины Google Диска) или ID неверен — "
                         "исправьте google.spreadsheet_id или очистите его и выполните gmo-sync init "
                         "--google")]  # fmt: skip
    if answer.status == 403 and "Enable" not in answer.error and "галочка" not in answer.error:
        who = email or "аккаунта gmo-sync"
        return "", [fail(name, f"{spreadsheet_id}: нет доступа",
                         f"откройте таблицу для {who} с правом «Редактор»")]  # fmt: skip
    if not answer.ok:
        return "", [fail(name, answer.error)]
    properties = (answer.body or {}).get("properties") or {}
    title, zone = properties.get("title", ""), properties.get("timeZone", "")
    files = connection.service("drive", "v3").files()
    can = _probe(connection, "Google Диск", files.get(fileId=spreadsheet_id, fields="capabilities(canEdit)",
                                                      supportsAllDrives=True))  # fmt: skip
    if can.ok and (can.body or {}).get("capabilities", {}).get("canEdit") is False:
        return zone, [fail(name, f"«{title}»: только просмотр",
                           f"дайте {email or 'аккаунту gmo-sync'} право «Редактор»")]  # fmt: skip
    writable = "запись разрешена" if can.ok else "право записи не проверить (таблицу создал не gmo-sync)"
    return zone, [ok(name, f"«{title}» открывается, {writable}")]


def _folder(connection: GoogleConnection, folder_id: str, kind: str) -> Check:
    name = "Папка протоколов"
    if not folder_id:
        return fail(name, "google.protocols_folder_id пусто", "выполните gmo-sync init --google")
    fields = "id,name,mimeType,trashed,driveId,capabilities(canAddChildren)"
    answer = _probe(connection, "Google Диск", connection.service("drive", "v3").files().get(
        fileId=folder_id, fields=fields, supportsAllDrives=True))  # fmt: skip
    if answer.status == 404:
        return fail(name, invisible_folder_message(folder_id).rstrip("."))
    if not answer.ok or answer.body is None:
        return fail(name, answer.error)
    file = answer.body
    if file.get("mimeType") != FOLDER:
        return fail(name, f"{folder_id} — не папка", "укажите в google.protocols_folder_id папку Диска")
    if file.get("trashed"):
        return fail(name, f"«{file.get('name')}» в корзине", "восстановите её из корзины Google Диска")
    if (file.get("capabilities") or {}).get("canAddChildren") is False:
        return fail(name, f"«{file.get('name')}»: нельзя добавлять файлы", "дайте аккаунту право «Редактор»")
    if kind == "service_account" and not file.get("driveId"):
        return warn(name, f"«{file.get('name')}» не на общем диске",
                    "сервисные аккаунты, созданные после апреля 2025 г., не могут владеть файлами: "
                    "перенесите папку на общий диск (shared drive), где аккаунт — участник")  # fmt: skip
    return ok(name, f"«{file.get('name')}», добавлять файлы можно")


def _template(connection: GoogleConnection, config: Config, now: dt.datetime) -> Check:
    name = "Шаблон протокола"
    doc_id = config.google.template_doc_id
    meeting = sample_meeting(now.date())
    if not doc_id:
        return _tried(name, template_bytes("default"), "default.docx", config, meeting, "встроенный шаблон")
    files = connection.service("drive", "v3").files()
    fields = "id,name,mimeType,trashed,version"
    request = files.get(fileId=doc_id, fields=fields, supportsAllDrives=True)
    answer = _probe(connection, "Google Диск", request)
    if answer.status == 404:
        return fail(name, invisible_template_message(doc_id).rstrip("."))
    if not answer.ok or answer.body is None:
        return fail(name, answer.error)
    file = answer.body
    if file.get("mimeType") != GOOGLE_DOC or file.get("trashed"):
        state = "в корзине" if file.get("trashed") else "не Google Doc"
        return fail(name, f"«{file.get('name')}» {state}",
                    "загрузите шаблон заново: gmo-sync template upload ФАЙЛ.docx")  # fmt: skip
    from gmo_sync.backends.google import state_file

    cached = template_cache(state_file(config).parent, doc_id, file.get("version"))
    if cached is not None and cached.exists():
        content: bytes | None = cached.read_bytes()
    else:
        exported = _probe(connection, "Google Диск", files.export(fileId=doc_id, mimeType=DOCX))
        content = exported.body if isinstance(exported.body, bytes) else None
        if content is None:
            return fail(name, exported.error or "Google не отдал шаблон как .docx")
    return _tried(name, content, f"шаблон {doc_id}", config, meeting, f"«{file.get('name')}»")


def _tried(name: str, content: bytes, source: str, config: Config, meeting: Meeting, label: str) -> Check:
    try:
        try_template(content, source, meeting, config.organisation, config.city)
    except TemplateError as error:
        return fail(name, str(error), "исправьте тег в шаблоне и загрузите его: gmo-sync template upload")
    return ok(name, f"{label}: пробный протокол собран")


# -- the calendar ---------------------------------------------------------------------------------------


def _calendar(connection: GoogleConnection, calendar_id: str) -> tuple[str, Check]:
    name = "Календарь"
    request = connection.service("calendar", "v3").events().list(
        calendarId=calendar_id, maxResults=1, fields="summary,timeZone,accessRole")  # fmt: skip
    answer = _probe(connection, "Google Календарь", request)
    if answer.status == 404:
        return "", fail(name, f"«{calendar_id}» не найден или недоступен аккаунту",
                        "проверьте google.calendar_id (primary — основной календарь аккаунта)")  # fmt: skip
    if not answer.ok or answer.body is None:
        return "", fail(name, answer.error)
    role = answer.body.get("accessRole", "")
    zone = answer.body.get("timeZone", "")
    if role not in ("owner", "writer"):
        return zone, fail(name, f"«{answer.body.get('summary', calendar_id)}»: только чтение ({role})",
                          "дайте аккаунту право «Внесение изменений и предоставление доступа» или укажите "
                          "другой календарь")  # fmt: skip
    return zone, ok(name, f"«{answer.body.get('summary', calendar_id)}»: запись разрешена ({role})")


def _meet(config: Config, kind: str) -> Check:
    name = "Ссылки Meet"
    if not config.calendar.meet_links:
        return ok(name, "выключены (calendar.meet_links = false)")
    if kind == "service_account":
        return warn(name, "сервисный аккаунт без делегирования не может создавать ссылки Meet (и приглашать "
                    "участников): события будут без видеовстреч",
                    "работайте под своим аккаунтом (уберите google.credentials и выполните gmo-sync auth "
                    "login) или выключите calendar.meet_links")  # fmt: skip
    return ok(name, "создаются от имени вашего аккаунта")


def _time_zones(config: Config, sheet_zone: str, calendar_zone: str) -> Check:
    seen = {"таблица": sheet_zone, "календарь": calendar_zone}
    others = ", ".join(f"{where}: {zone}" for where, zone in seen.items() if zone)
    detail = config.timezone + (f" ({others}; события создаются с поясом из настроек)" if others else "")
    return ok("Часовой пояс", detail)

