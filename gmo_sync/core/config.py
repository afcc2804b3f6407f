"""Configuration: one typed object from ``gmo-sync.toml`` and ``GMO_SYNC_*`` overrides.

Precedence: ``--config PATH`` > ``./gmo-sync.toml``; every key can be overridden
by an environment variable named ``GMO_SYNC_<SECTION>_<KEY>`` (top-level keys:
``GMO_SYNC_<KEY>``). Every problem is reported at once, unknown keys and unknown
``GMO_SYNC_*`` variables included (a typo would otherwise be silently ignored), each
named where it was set: ``[calendar] duration_minutes`` in the file, or the variable.
Numbers are range-checked: a duration of -5 or 10⁸ minutes is a typo, not a wish.
This is the only module that reads ``os.environ`` for settings.
"""

from __future__ import annotations

import difflib
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from gmo_sync.core.problems import ConfigError

CONFIG_NAME = "gmo-sync.toml"
ENV_PREFIX = "GMO_SYNC_"
DEFAULT_TIMEZONE = "Asia/Krasnoyarsk"


@dataclass(frozen=True)
class LocalSettings:
    workbook: str = "ГМО.xlsx"
    protocols_dir: str = "protocols"
    template: str = "templates/default.docx"
    calendar_file: str = "calendar.ics"
    documents_dir: str = "documents"  # reports and extracts (`report`, `extract`)


@dataclass(frozen=True)
class GoogleSettings:
    spreadsheet_id: str = ""
    protocols_folder_id: str = ""
    template_doc_id: str = ""
    calendar_id: str = "primary"
    credentials: str = ""  # a service-account key file; empty: the OAuth token from `auth login`
    client_secrets: str = ""  # an OAuth desktop client JSON, for `auth login`
    state_dir: str = ""  # where protocol versions are remembered; empty: the user's state folder
    retry_attempts: int = 6
    retry_base_seconds: float = 1.0  # first back-off; doubles per retry, capped at 20 s
    timeout_seconds: float = 60.0  # per HTTP request: a hung connection must not hang cron
    endpoint: str = ""  # tests only: the fake Workspace's base URL
    ca_bundle: str = ""  # tests only: the fake's CA certificate


@dataclass(frozen=True)
class CalendarSettings:
    summary: str = "ГМО: {тема}"
    duration_minutes: int = 90
    meet_links: bool = True
    invite: bool = False
    send_updates: str = "none"


@dataclass(frozen=True)
class RenderingSettings:
    """The budget of one protocol's rendering: a hostile or broken template stops here, not in swap."""

    max_text_mb: float = 2.0  # text the template may produce
    max_loop_iterations: int = 100_000  # loop turns and range() items, all loops together
    max_seconds: float = 20.0  # wall time


@dataclass(frozen=True)
class MailSettings:
    """``[mail]``: reminders by SMTP, or through Gmail with the google backend's sign-in."""

    via: str = "smtp"  # or "gmail"
    smtp_host: str = ""
    smtp_port: int = 0  # 0: 587 for starttls, 465 for ssl, 25 for none
    security: str = "starttls"  # or "ssl", "none"
    username: str = ""
    from_address: str = ""  # the TOML key is «from»
    digest_to: str = ""  # weekly overdue digest; several addresses separated by commas
    remind_before_days: tuple[int, ...] = (7, 1)
    timeout_seconds: float = 30.0
    # only from the environment (GMO_SYNC_MAIL_PASSWORD), never from the file; never shown
    password: str = field(default="", repr=False)

    @property
    def configured(self) -> bool:
        return self.via == "gmail" or bool(self.smtp_host)

    @property
    def port(self) -> int:
        return self.smtp_port or {"ssl": 465, "none": 25}.get(self.security, 587)


@dataclass(frozen=True)
class Config:
    path: Path | None  # the config file, None when running on defaults
    root: Path  # relative paths are resolved against this folder
    backend: str = "local"
    timezone: str = DEFAULT_TIMEZONE
    numbering: str = "academic"  # or "calendar"
    organisation: str = "Городское методическое объединение библиотечных работников школ"
    city: str = "Красноярск"
    log_file: str = ""
    # a template here named after a document kind (decisions.docx, extract.docx) replaces the shipped one
    templates_dir: str = "templates"
    local: LocalSettings = field(default_factory=LocalSettings)
    google: GoogleSettings = field(default_factory=GoogleSettings)
    calendar: CalendarSettings = field(default_factory=CalendarSettings)
    rendering: RenderingSettings = field(default_factory=RenderingSettings)
    mail: MailSettings = field(default_factory=MailSettings)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def resolve(self, relative: str) -> Path:
        path = Path(relative).expanduser()
        return path if path.is_absolute() else self.root / path


SECTIONS = {
    "local": LocalSettings,
    "google": GoogleSettings,
    "calendar": CalendarSettings,
    "rendering": RenderingSettings,
    "mail": MailSettings,
}
KEY_ALIASES = {"mail": {"from": "from_address"}}  # TOML keys that are Python keywords
TOP_LEVEL = {f.name for f in fields(Config)} - {"path", "root", *SECTIONS}
CHOICES = {
    "backend": ("local", "google"),
    "numbering": ("academic", "calendar"),
    "calendar.send_updates": ("all", "externalOnly", "none"),
    "mail.via": ("smtp", "gmail"),
    "mail.security": ("starttls", "ssl", "none"),
}
# (lowest, highest) accepted: values outside are typos, and each would misbehave quietly
RANGES: dict[str, tuple[float, float]] = {
    "calendar.duration_minutes": (5, 1440),
    "google.retry_attempts": (1, 20),
    "google.retry_base_seconds": (0, 60),
    "google.timeout_seconds": (1, 600),
    "rendering.max_text_mb": (0.1, 200),
    "rendering.max_loop_iterations": (100, 100_000_000),
    "rendering.max_seconds": (1, 3600),
    "mail.smtp_port": (0, 65535),
    "mail.timeout_seconds": (0.1, 600),
}
# GMO_SYNC_* variables that are not settings of the file
OTHER_VARIABLES = {
    ENV_PREFIX + "CONFIG": "путь к файлу настроек",
    ENV_PREFIX + "MAIL_PASSWORD": "пароль почты (только из окружения)",
}


def load_config(
    path: Path | None, environ: Mapping[str, str] | None = None, cwd: Path | None = None
) -> Config:
    environ = os.environ if environ is None else environ
    cwd = cwd or Path.cwd()
    if path is None and environ.get(ENV_PREFIX + "CONFIG"):
        path = Path(environ[ENV_PREFIX + "CONFIG"])
    if path is None:
        candidate = cwd / CONFIG_NAME
        path = candidate if candidate.exists() else None
    data: dict[str, object] = {}
    if path is not None:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"Файл настроек {path} не найден.") from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            raise ConfigError(f"Файл настроек {path} содержит ошибку: {error}") from None
    problems: list[str] = []
    origins = _apply_environment(data, environ, problems)
    top = {k: v for k, v in data.items() if k not in SECTIONS}
    sections: dict[str, object] = {}
    for name, cls in SECTIONS.items():
        raw = data.get(name, {})
        if not isinstance(raw, dict):
            problems.append(f"[{name}] должен быть разделом")
            raw = {}
        raw = {KEY_ALIASES.get(name, {}).get(k, k): v for k, v in raw.items()}
        if name == "mail":
            raw = _with_password(raw, environ, problems)
        sections[name] = cls(**_typed(raw, name, cls, origins, problems))
    config_values = _typed(top, "", Config, origins, problems)
    if "timezone" in config_values:
        try:
            ZoneInfo(str(config_values["timezone"]))
        except (ZoneInfoNotFoundError, ValueError):
            zone = config_values["timezone"]
            where = origins.get("timezone", "timezone")
            problems.append(f"{where} = «{zone}»: неизвестный часовой пояс (пример: Asia/Krasnoyarsk)")
    if problems:
        raise ConfigError(f"Ошибки в {_where(path, origins, problems)}:", problems)
    root = path.parent.resolve() if path else cwd.resolve()
    return Config(path=path, root=root, **config_values, **sections)  # type: ignore[arg-type]


def _with_password(
    raw: dict[str, object], environ: Mapping[str, str], problems: list[str]
) -> dict[str, object]:
    """The mail password comes only from GMO_SYNC_MAIL_PASSWORD: a config file gets copied and shown."""
    if "password" in raw:
        problems.append("[mail] password: пароль не хранится в файле настроек; задайте его переменной "
                        "окружения GMO_SYNC_MAIL_PASSWORD")  # fmt: skip
    raw = {k: v for k, v in raw.items() if k != "password"}
    if environ.get(ENV_PREFIX + "MAIL_PASSWORD"):
        raw["password"] = environ[ENV_PREFIX + "MAIL_PASSWORD"]
    return raw


def _where(path: Path | None, origins: dict[str, str], problems: list[str]) -> str:
    from_env = any(p.startswith(ENV_PREFIX) for p in problems)
    from_file = any(not p.startswith(ENV_PREFIX) for p in problems)
    if from_env and not from_file:
        return "переменных окружения"
    if from_env:
        return f"{path} и переменных окружения" if path else "настройках и переменных окружения"
    return str(path) if path else "настройках"


def _env_names() -> dict[str, tuple[str, str]]:
    """Every settings variable → (section or "", key)."""
    names = {ENV_PREFIX + name.upper(): ("", name) for name in TOP_LEVEL}
    for section, cls in SECTIONS.items():
        names.update({f"{ENV_PREFIX}{section.upper()}_{f.name.upper()}": (section, f.name)
                      for f in fields(cls)})  # fmt: skip
        names.update({f"{ENV_PREFIX}{section.upper()}_{alias.upper()}": (section, key)
                      for alias, key in KEY_ALIASES.get(section, {}).items()})  # fmt: skip
    return names


def _apply_environment(
    data: dict[str, object], environ: Mapping[str, str], problems: list[str]
) -> dict[str, str]:
    """Put ``GMO_SYNC_*`` values over the file's; return «section.key» → the variable that set it."""
    known = _env_names()
    origins: dict[str, str] = {}
    for variable in sorted(environ):
        if not variable.startswith(ENV_PREFIX) or variable in OTHER_VARIABLES:
            continue
        if variable not in known:
            guess = difflib.get_close_matches(variable, [*known, *OTHER_VARIABLES], n=1, cutoff=0.8)
            hint = f"; может быть, {guess[0]}?" if guess else ""
            problems.append(f"{variable}: неизвестная переменная окружения{hint}")
            continue
        section, key = known[variable]
        value = environ[variable]
        if not section:
            data[key] = value
        else:
            target = data.setdefault(section, {})
            if isinstance(target, dict):
                target[key] = value
        origins[f"{section}.{key}" if section else key] = variable
    return origins


def _typed(
    raw: Mapping[str, object], section: str, cls: type, origins: dict[str, str], problems: list[str]
) -> dict[str, object]:
    defaults = {f.name: f for f in fields(cls)}
    names = TOP_LEVEL if cls is Config else set(defaults)
    values: dict[str, object] = {}
    for key, value in raw.items():
        dotted = f"{section}.{key}" if section else key
        where = origins.get(dotted) or (f"[{section}] {key}" if section else key)
        if key not in names:
            problems.append(f"{where}: неизвестный параметр")
            continue
        default = defaults[key].default
        try:
            values[key] = _coerce(value, type(default))
        except ValueError:
            problems.append(f"{where} = «{value}»: ожидается {_type_name(type(default))}")
            continue
        if dotted in CHOICES and values[key] not in CHOICES[dotted]:
            problems.append(f"{where} = «{value}»: допустимо {' / '.join(CHOICES[dotted])}")
        if dotted in RANGES and not RANGES[dotted][0] <= values[key] <= RANGES[dotted][1]:  # type: ignore[operator]
            low, high = (_number(n) for n in RANGES[dotted])
            problems.append(f"{where} = «{value}»: допустимо от {low} до {high}")
    return values


def _number(value: float) -> str:
    return f"{value:,.0f}".replace(",", " ") if float(value).is_integer() else str(value).replace(".", ",")


def _coerce(value: object, kind: type) -> object:
    # Environment variables are always strings; TOML already has types.
    if kind is tuple:  # a list of whole numbers: [7, 1], or "7, 1" from the environment
        items = value.replace(";", ",").split(",") if isinstance(value, str) else value
        if not isinstance(items, list | tuple):
            raise ValueError(value)
        return tuple(
            _coerce(item.strip() if isinstance(item, str) else item, int) for item in items if item != ""
        )
    if kind is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("1", "true", "yes", "да"):
            return True
        if isinstance(value, str) and value.lower() in ("0", "false", "no", "нет"):
            return False
        raise ValueError(value)
    if kind is float:
        if isinstance(value, bool):
            raise ValueError(value)
        if isinstance(value, int | float):
            return float(value)
        if isinstance(value, str):
            return float(value.replace(",", "."))
        raise ValueError(value)
    if kind is int:
        if isinstance(value, bool):
            raise ValueError(value)
        if isinstance(value, int):
            return value
        if isinstance(value, str):
            return int(value.strip())  # «-5» is a number out of range, not «not a number»
        raise ValueError(value)
    if not isinstance(value, str):
        raise ValueError(value)
    return value


def _type_name(kind: type) -> str:
    names = {
        bool: "true или false",
        int: "целое число",
        float: "число",
        tuple: "список целых чисел, например [7, 1]",
    }
    return names.get(kind, "строка")
