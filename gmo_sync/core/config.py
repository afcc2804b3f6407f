"""Configuration: one typed object from ``gmo-sync.toml`` and ``GMO_SYNC_*`` overrides.

Precedence: ``--config PATH`` > ``./gmo-sync.toml``; every key can be overridden
by an environment variable named ``GMO_SYNC_<SECTION>_<KEY>`` (top-level keys:
``GMO_SYNC_<KEY>``). Every problem is reported at once, unknown keys included
(a typo in a key would otherwise be silently ignored). This is the only module
that reads ``os.environ`` for settings.
"""

from __future__ import annotations

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

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def resolve(self, relative: str) -> Path:
        path = Path(relative).expanduser()
        return path if path.is_absolute() else self.root / path


SECTIONS = {"local": LocalSettings, "google": GoogleSettings, "calendar": CalendarSettings}
TOP_LEVEL = {f.name for f in fields(Config)} - {"path", "root", *SECTIONS}
CHOICES = {"backend": ("local", "google"), "numbering": ("academic", "calendar")}


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
    _apply_environment(data, environ)
    top = {k: v for k, v in data.items() if k not in SECTIONS}
    sections: dict[str, object] = {}
    for name, cls in SECTIONS.items():
        raw = data.get(name, {})
        if not isinstance(raw, dict):
            problems.append(f"[{name}] должен быть разделом")
            raw = {}
        sections[name] = _build(cls, raw, f"[{name}] ", problems)
    config_values = _typed(top, TOP_LEVEL, Config, "", problems)
    for key, allowed in CHOICES.items():
        if key in config_values and config_values[key] not in allowed:
            problems.append(f"{key} = «{config_values[key]}»: допустимо {' / '.join(allowed)}")
    if "timezone" in config_values:
        try:
            ZoneInfo(str(config_values["timezone"]))
        except (ZoneInfoNotFoundError, ValueError):
            zone = config_values["timezone"]
            problems.append(f"timezone = «{zone}»: неизвестный часовой пояс (пример: Asia/Krasnoyarsk)")
    if problems:
        where = str(path) if path else "настройках"
        raise ConfigError(f"Ошибки в {where}:", problems)
    root = path.parent.resolve() if path else cwd.resolve()
    return Config(path=path, root=root, **config_values, **sections)  # type: ignore[arg-type]


def _apply_environment(data: dict[str, object], environ: Mapping[str, str]) -> None:
    for name in TOP_LEVEL:
        if (value := environ.get(ENV_PREFIX + name.upper())) is not None:
            data[name] = value
    for section, cls in SECTIONS.items():
        for f in fields(cls):
            if (value := environ.get(f"{ENV_PREFIX}{section.upper()}_{f.name.upper()}")) is not None:
                target = data.setdefault(section, {})
                if isinstance(target, dict):
                    target[f.name] = value


def _build(cls: type, raw: dict[str, object], prefix: str, problems: list[str]) -> object:
    names = {f.name for f in fields(cls)}
    return cls(**_typed(raw, names, cls, prefix, problems))


def _typed(raw: Mapping[str, object], names: set[str], cls: type, prefix: str, problems: list[str]) -> dict:
    defaults = {f.name: f for f in fields(cls)}
    values: dict[str, object] = {}
    for key, value in raw.items():
        if key not in names:
            problems.append(f"{prefix}{key}: неизвестный параметр")
            continue
        default = defaults[key].default
        try:
            values[key] = _coerce(value, type(default))
        except ValueError:
            problems.append(f"{prefix}{key} = «{value}»: ожидается {_type_name(type(default))}")
    return values


def _coerce(value: object, kind: type) -> object:
    # Environment variables are always strings; TOML already has types.
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
        if isinstance(value, str) and value.strip().isdigit():
            return int(value)
        raise ValueError(value)
    if not isinstance(value, str):
        raise ValueError(value)
    return value


def _type_name(kind: type) -> str:
    return {bool: "true или false", int: "целое число", float: "число"}.get(kind, "строка")
