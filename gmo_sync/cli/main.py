"""The ``gmo-sync`` command line: the group, the pipeline commands, and where every command is added.

Each command parses options, loads the config, opens the backends, calls one core function and
prints its result; this is the only layer that imports click. What commands share is in
``cli/common.py``, the error boundary in ``cli/boundary.py``, logging in ``cli/logs.py``; commands of
their own live in their own modules and are added at the end of this one, one line each.
"""

from __future__ import annotations

import click

from gmo_sync import __version__
from gmo_sync.cli.boundary import CommandGroup
from gmo_sync.cli.common import Settings, allow_mass_cancel_option, common_options, dry_run_option
from gmo_sync.cli.running import run_pipeline
from gmo_sync.core.pipeline import Options

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


@cli.command()
@common_options
@click.pass_context
def check(ctx: click.Context) -> None:
    """Проверить общую таблицу, ничего не меняя. Код выхода 1, если найдены проблемы.

    \b
    Пример:
      gmo-sync check
    """
    run_pipeline(ctx, "check", Options(write=False))


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
    run_pipeline(ctx, "sync", Options(dry_run=dry_run))


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
    options = Options(protocols=True, dry_run=dry_run, only=meeting_id, force=force, pdf=pdf)
    run_pipeline(ctx, "protocols", options)


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
    options = Options(calendar=True, dry_run=dry_run, allow_mass_cancel=allow_mass_cancel)
    run_pipeline(ctx, "calendar", options)


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
                      allow_mass_cancel=allow_mass_cancel, remind=True)  # fmt: skip
    run_pipeline(ctx, "run", options)


def main() -> None:
    cli(prog_name="gmo-sync")


# Commands in their own modules: one line each.
cli.add_command(__import__("gmo_sync.cli.init", fromlist=["init"]).init)
cli.add_command(__import__("gmo_sync.cli.report", fromlist=["report"]).report)
cli.add_command(__import__("gmo_sync.cli.auth", fromlist=["auth"]).auth)
cli.add_command(__import__("gmo_sync.cli.template", fromlist=["template"]).template)
cli.add_command(__import__("gmo_sync.cli.doctor", fromlist=["doctor"]).doctor)
cli.add_command(__import__("gmo_sync.cli.year_reports", fromlist=["report"]).report)  # attendance, plan, year
cli.add_command(__import__("gmo_sync.cli.remind", fromlist=["remind"]).remind)
cli.add_command(__import__("gmo_sync.cli.extract", fromlist=["extract"]).extract)
