"""Running a pipeline command: open the backends, hold the workspace lock, run, log and print the report.

Shared by the pipeline commands of ``cli/main.py`` and those in their own modules (``cli/remind.py``), so a
command module never imports ``cli.main``.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import time

import click

from gmo_sync.cli import logs
from gmo_sync.cli.boundary import error_text
from gmo_sync.cli.common import Settings, config_of, finish, settings_of
from gmo_sync.cli.lock import workspace_lock
from gmo_sync.cli.output import terminal_progress
from gmo_sync.core.config import Config
from gmo_sync.core.pipeline import Options, run
from gmo_sync.core.problems import ConfigError, GmoSyncError

log = logging.getLogger("gmo_sync")


def run_pipeline(ctx: click.Context, command: str, options: Options) -> None:
    """Run one pipeline command (check, sync, protocols, calendar, run, remind) and print its report."""
    settings = settings_of(ctx)
    config = config_of(settings)
    if sys.stderr.isatty() and not (settings.quiet or settings.json):
        options.progress = terminal_progress  # cron and pipes get no progress noise
    with logs.log_file(config, settings.verbose):
        try:
            _run_logged(ctx, settings, config, command, options)
        except GmoSyncError as error:
            # into the log file while it is still attached; the console shows the sentence once, not twice
            log.error("%s: %s", command, error_text(error), extra={logs.ALREADY_SHOWN: True})
            raise


def _run_logged(
    ctx: click.Context, settings: Settings, config: Config, command: str, options: Options
) -> None:
    from gmo_sync.backends import open_backends

    backends = open_backends(config, settings.clock)
    for warning in backends.warnings:
        click.echo(warning, err=True)  # even with -q: it needs a look
    started = time.monotonic()
    # `check` and dry runs change nothing, so they need not wait for the lock
    lock = workspace_lock(config) if options.write and not options.dry_run else contextlib.nullcontext()
    with lock:
        try:
            if options.remind and backends.mailer is None:
                if command == "remind":
                    raise ConfigError("Почта не настроена: добавьте в gmo-sync.toml раздел [mail] "
                                      "(smtp_host, from; см. README, «Письма о решениях»).")  # fmt: skip
                options.remind = False  # `run` without [mail]: no letters, nothing to say
            report = run(command, config, backends.sheet, backends.protocols, settings.clock, options,
                         backends.calendar, backends.mailer)  # fmt: skip
        finally:
            backends.close()
    report.duration = time.monotonic() - started
    report.retries, report.paced_seconds = backends.stats()
    log.info("%s: %s; проблем: %d; код выхода %d; %.1f с; повторов %d, ожидание квот %.1f с", command,
             ", ".join(f"{k}={v}" for k, v in sorted(report.counts.items())) or "без изменений",
             len(report.problems), report.exit_code, report.duration, report.retries,
             report.paced_seconds)  # fmt: skip
    finish(ctx, settings, report)
