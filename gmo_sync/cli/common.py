"""What every command shares: the settings of one invocation, the common options, the finish.

Commands live in their own modules (``cli/init.py``, ``cli/report.py`` …) and import from here, never
from ``cli/main.py``, which only assembles them: so no command module and the main module import each
other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from gmo_sync.cli import logs, russian
from gmo_sync.cli.output import emit, report_json, report_text
from gmo_sync.core.actions import Action
from gmo_sync.core.clock import Clock, system_clock
from gmo_sync.core.config import CONFIG_NAME, Config, load_config
from gmo_sync.core.report import RunReport

russian.install()  # before any option is declared: Click looks some of its texts up at declaration


@dataclass
class Settings:
    """The common options of one invocation (and the clock, which tests freeze)."""

    config_path: Path | None = None
    verbose: int = 0
    quiet: bool = False
    json: bool = False
    clock: Clock = system_clock


def common_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """--config, -v/-q and --json, accepted before or after the command name."""

    def remember(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
        settings = ctx.ensure_object(Settings)
        if param.name == "config" and value is not None:
            settings.config_path = value
        elif param.name == "verbose" and value:
            settings.verbose += value
        elif param.name in ("quiet", "as_json") and value:
            setattr(settings, "json" if param.name == "as_json" else "quiet", True)
        return value

    options = [
        click.option("--config", type=click.Path(path_type=Path), metavar="ФАЙЛ", expose_value=False,
                     callback=remember,
                     help=f"Файл настроек (по умолчанию ./{CONFIG_NAME})."),
        click.option("-v", "--verbose", count=True, expose_value=False, callback=remember,
                     help="Подробный журнал в stderr; при ошибке — traceback."),
        click.option("-q", "--quiet", is_flag=True, expose_value=False, callback=remember,
                     help="Ничего не печатать, если всё хорошо (для cron)."),
        click.option("--json", "as_json", is_flag=True, expose_value=False, callback=remember,
                     help="Результат одним JSON-объектом."),
    ]  # fmt: skip
    for option in reversed(options):
        func = option(func)
    return func


dry_run_option = click.option("--dry-run", is_flag=True, help="Показать план и ничего не менять.")
allow_mass_cancel_option = click.option(
    "--allow-mass-cancel",
    is_flag=True,
    help="Разрешить отменить сразу много событий (больше 5 или больше половины).",
)


def settings_of(ctx: click.Context) -> Settings:
    """This invocation's settings, with console logging set up by them."""
    settings = ctx.ensure_object(Settings)
    logs.configure_console(settings.verbose)
    return settings


def config_of(settings: Settings) -> Config:
    return load_config(settings.config_path)


def finish(ctx: click.Context, settings: Settings, report: RunReport) -> None:
    """Print the report (text or JSON) and exit with its code."""
    if settings.json:
        emit(report_json(report))
    else:
        emit(report_text(report, quiet=settings.quiet))
    ctx.exit(report.exit_code)


def dry_run_text(actions: list[Action]) -> str:
    """The plan of a command that has no report of its own (init, template upload)."""
    if not actions:
        return "Пробный запуск (--dry-run): изменений не требуется."
    return "Пробный запуск (--dry-run): ничего не изменено. План:\n" + "\n".join(
        f"  {a.text}" for a in actions
    )
