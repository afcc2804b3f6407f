"""Backends behind the core's contracts (``gmo_sync.core.ports``): local (default) and google."""

from __future__ import annotations

from dataclasses import dataclass

from gmo_sync.core.config import Config
from gmo_sync.core.ports import ProtocolStore, SheetBackend
from gmo_sync.core.problems import ConfigError


@dataclass
class Backends:
    sheet: SheetBackend
    protocols: ProtocolStore


def open_backends(config: Config) -> Backends:
    if config.backend == "local":
        from gmo_sync.backends.local import open_local

        return open_local(config)
    if config.backend == "google":
        from gmo_sync.backends.google import open_google

        return open_google(config)
    raise ConfigError(f'Бэкенд «{config.backend}» пока не поддерживается; используйте backend = "local".')
