"""Backends behind the core's contracts (``gmo_sync.core.ports``): local (default) and google."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from gmo_sync.core.clock import Clock, system_clock
from gmo_sync.core.config import Config
from gmo_sync.core.ports import CalendarStore, DocumentStore, ProtocolStore, SheetBackend


@dataclass
class Backends:
    sheet: SheetBackend
    protocols: ProtocolStore
    calendar: CalendarStore | None = None
    documents: DocumentStore | None = None  # reports and extracts
    close: Callable[[], None] = lambda: None  # called after a run (the google backend keeps its token)
    warnings: list[str] = field(default_factory=list)  # shown on stderr before the run (an exposed key)
    # (requests retried, seconds waited for quota) so far, for the run summary; only Google has either
    stats: Callable[[], tuple[int, float]] = lambda: (0, 0.0)


def open_backends(config: Config, clock: Clock = system_clock) -> Backends:
    if config.backend == "local":
        from gmo_sync.backends.local import open_local

        return open_local(config, clock)
    # load_config accepts only "local" and "google"
    from gmo_sync.backends.google import open_google

    return open_google(config)
