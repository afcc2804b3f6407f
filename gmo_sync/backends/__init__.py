"""Backends behind the core's contracts (``gmo_sync.core.ports``): local (default) and google."""

from __future__ import annotations

from gmo_sync.core.clock import Clock, system_clock
from gmo_sync.core.config import Config
from gmo_sync.core.ports import Backends
from gmo_sync.core.problems import ConfigError


def open_backends(config: Config, clock: Clock = system_clock) -> Backends:
    # imported here: a local run never loads the Google client libraries
    if config.backend == "local":
        from gmo_sync.backends.local import open_local

        backends = open_local(config, clock)
    else:  # load_config accepts only "local" and "google"
        from gmo_sync.backends.google import open_google

        backends = open_google(config)
    if config.mail.configured and backends.mailer is None:
        if config.mail.via == "gmail":
            raise ConfigError('[mail] via = "gmail" работает только с backend = "google"; для локальной '
                              'работы укажите SMTP-сервер (smtp_host)')  # fmt: skip
        from gmo_sync.backends.mail.smtp import SmtpMailer

        backends.mailer = SmtpMailer(config.mail)
    return backends
