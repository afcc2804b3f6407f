"""Backends behind the core's contracts (``gmo_sync.core.ports``): local (default) and google."""

from __future__ import annotations

from gmo_sync.core.clock import Clock, system_clock
from gmo_sync.core.config import Config
from gmo_sync.core.ports import Backends


def open_backends(config: Config, clock: Clock = system_clock) -> Backends:
    # imported here: a local run never loads the Google client libraries
    if config.backend == "local":
        from gmo_sync.backends.local import open_local

        return open_local(config, clock)
    # load_config accepts only "local" and "google"
    from gmo_sync.backends.google import open_google

    return open_google(config)
