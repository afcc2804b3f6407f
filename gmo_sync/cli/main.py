"""The ``gmo-sync`` command line: the group, the pipeline commands, and where every command is added.

Each command parses options, loads the config, opens the backends, calls one core function and
prints its result; this is the only layer that imports click. What commands share is in
``cli/common.py``, the error boundary in ``cli/boundary.py``, logging in ``cli/logs.py``; commands of
their own live in their own modules and are added at the end of this one, one line each.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import time

import click

from gmo_sync import __version__
from gmo_sync.cli import logs
from gmo_sync.cli.boundary import CommandGroup, error_text
from gmo_sync.cli.common import (
    Settings,
    allow_mass_cancel_option,
    common_options,
    config_of,
    dry_run_option,
    finish,
    settings_of,
)
from gmo_sync.cli.lock import workspace_lock
from gmo_sync.cli.output import terminal_progress
from gmo_sync.core.config import Config
from gmo_sync.core.pipeline import Options, run
from gmo_sync.core.problems import GmoSyncError

log = logging.getLogger("gmo_sync")

__all__ = ["Settings", "cli", "main"]


@click.group(cls=CommandGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="gmo-sync")
@common_options
@click.pass_context
def cli(ctx: click.Context) -> None:
    """gmo-sync: общая таблица ГМО → протоколы и события календаря.

    \b
    Пример (локально, без Google):
      gmo-sync init --local demo && cd demo && gmo-sync protocols
    """
    ctx.ensure_object(Settings)


def _run(ctx: click.Context, command: str, options: Options) -> None:
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
            report = run(command, config, backends.sheet, backends.protocols, settings.clock, options,
                         backends.calendar)  # fmt: skip
        finally:
            backends.close()
    report.duration = time.monotonic() - started
    report.retries, report.paced_seconds = backends.stats()
    log.info("%s: %s; проблем: %d; код выхода %d; %.1f с; повторов %d, ожидание квот %.1f с", command,
             ", ".join(f"{k}={v}" for k, v in sorted(report.counts.items())) or "без изменений",
             len(report.problems), report.exit_code, report.duration, report.retries,
             report.paced_seconds)  # fmt: skip
    finish(ctx, settings, report)


@cli.command()
@common_options
@click.pass_context
def check(ctx: click.Context) -> None:
    """Проверить общую таблицу, ничего не меняя. Код выхода 1, если найдены проблемы.

    \b
    Пример:
      gmo-sync check
    """
    _run(ctx, "check", Options(write=False))


@cli.command()
@dry_run_option
@common_options
@click.pass_context
def sync(ctx: click.Context, dry_run: bool) -> None:
    """Заполнить ячейки, которые ведёт инструмент: ID, № протокола, статусы решений.

    \b
    Пример:
      gmo-sync sync --dry-run
    """
    _run(ctx, "sync", Options(dry_run=dry_run))


@cli.command()
@click.option("--meeting", "meeting_id", metavar="ID", help="Только заседание с этим ID.")
@click.option("--force", is_flag=True, help="Перезаписать протоколы, изменённые вручную.")
@click.option("--pdf", is_flag=True, help="Сохранить рядом копию в PDF (локально нужен LibreOffice).")
@dry_run_option
@common_options
@click.pass_context
def protocols(ctx: click.Context, meeting_id: str | None, force: bool, pdf: bool, dry_run: bool) -> None:
    """Создать или обновить протоколы проведённых заседаний и записать ссылки в таблицу.

    \b
    Пример:
      gmo-sync protocols --meeting ГМО-2021-10-13 --dry-run
    """
    _run(ctx, "protocols", Options(protocols=True, dry_run=dry_run, only=meeting_id, force=force, pdf=pdf))


@cli.command()
@dry_run_option
@allow_mass_cancel_option
@common_options
@click.pass_context
def calendar(ctx: click.Context, dry_run: bool, allow_mass_cancel: bool) -> None:
    """Создать и обновить события календаря для онлайн- и смешанных заседаний.

    Локально — файл .ics (импортируется в любой календарь), в Google — события
    Google Календаря со ссылкой Meet. Событие отменённого или удалённого заседания отменяется.

    \b
    Пример:
      gmo-sync calendar --dry-run
    """  # fmt: skip
    _run(ctx, "calendar", Options(calendar=True, dry_run=dry_run, allow_mass_cancel=allow_mass_cancel))


@cli.command(name="run")
@dry_run_option
@click.option("--force", is_flag=True, help="Перезаписать протоколы, изменённые вручную.")
@click.option("--pdf", is_flag=True, help="Сохранять рядом с протоколами копии в PDF.")
@allow_mass_cancel_option
@common_options
@click.pass_context
def run_all(ctx: click.Context, dry_run: bool, force: bool, pdf: bool, allow_mass_cancel: bool) -> None:
    """Всё сразу, для cron: проверка, служебные ячейки, протоколы, календарь.

    Одновременно работает только один запуск (второй завершается с кодом 3).
    С -q ничего не печатает, если всё хорошо.

    \b
    Пример (crontab, каждый час):
      0 * * * * cd /srv/gmo && ~/.venv/bin/gmo-sync run -q >> gmo-sync.log 2>&1
    """  # fmt: skip
    options = Options(protocols=True, calendar=True, dry_run=dry_run, force=force, pdf=pdf,
                      allow_mass_cancel=allow_mass_cancel)  # fmt: skip
    _run(ctx, "run", options)


def main() -> None:
    cli(prog_name="gmo-sync")


# Commands in their own modules: one line each.
cli.add_command(__import__("gmo_sync.cli.init", fromlist=["init"]).init)
cli.add_command(__import__("gmo_sync.cli.report", fromlist=["report"]).report)
cli.add_command(__import__("gmo_sync.cli.auth", fromlist=["auth"]).auth)
cli.add_command(__import__("gmo_sync.cli.template", fromlist=["template"]).template)
cli.add_command(__import__("gmo_sync.cli.doctor", fromlist=["doctor"]).doctor)
cli.add_command(__import__("gmo_sync.cli.year_reports", fromlist=["report"]).report)  # attendance, plan, year
