"""The ``gmo-sync`` command line: thin commands over ``gmo_sync.core``.

Each command parses options, loads the config, opens the backends, calls one
core function and prints its result. This is the only layer that imports click,
and ``_Group.invoke`` is the one error boundary: expected errors become a Russian
message and an exit code (SPEC: 0 done, 1 some rows had problems, 2 nothing done,
3 locked); unexpected ones say how to see the traceback.
"""

from __future__ import annotations

import contextlib
import json
import logging
import logging.handlers
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import click

from gmo_sync import __version__
from gmo_sync.cli import redact, russian
from gmo_sync.cli.lock import workspace_lock
from gmo_sync.cli.output import emit, report_json, report_text, terminal_progress
from gmo_sync.core.actions import Action, Kind, Status
from gmo_sync.core.clock import Clock, local_now, system_clock
from gmo_sync.core.config import CONFIG_NAME, DEFAULT_TIMEZONE, Config, load_config
from gmo_sync.core.pipeline import Options, RunReport, run
from gmo_sync.core.problems import ConfigError, GmoSyncError, SheetStructureError

log = logging.getLogger("gmo_sync")
russian.install()  # before any option is declared: Click looks its help texts up at declaration


@dataclass
class Settings:
    config_path: Path | None = None
    verbose: int = 0
    quiet: bool = False
    json: bool = False
    clock: Clock = system_clock


class _Group(click.Group):
    group_class = type  # subgroups (auth) are _Groups too

    def make_context(self, info_name: str | None, args: list[str], parent: click.Context | None = None,
                     **extra: Any) -> click.Context:  # fmt: skip
        russian.localize(self)  # every command by now, whichever module added it
        return super().make_context(info_name, args, parent, **extra)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except GmoSyncError as error:
            code = error.exit_code
            click.echo(_error_text(error), err=True)
            settings = ctx.find_object(Settings)
            if settings and settings.json:  # a machine reading stdout learns of the failure too
                emit(json.dumps({"command": ctx.invoked_subcommand, "error": _error_text(error),
                                 "exit_code": code}, ensure_ascii=False, indent=2))  # fmt: skip
            ctx.exit(code)
        except Exception as error:
            settings = ctx.find_object(Settings)
            if settings and settings.verbose:
                raise
            click.echo(
                f"Непредвиденная ошибка: {type(error).__name__}: {error}\n"
                f"Запустите команду ещё раз с -v, чтобы увидеть подробности (traceback).",
                err=True,
            )
            ctx.exit(2)


def _error_text(error: Exception) -> str:
    text = f"Ошибка: {error}"
    if isinstance(error, ConfigError) and error.problems:
        text += "\n" + "\n".join(f"  {p}" for p in error.problems)
    if isinstance(error, SheetStructureError):
        text = "Ошибка: таблица не может быть прочитана:\n" + "\n".join(f"  {p}" for p in error.problems)
    return text


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


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
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


ALREADY_SHOWN = "gmo_sync_already_shown"  # a record the user has already read on stderr


def _not_shown_yet(record: logging.LogRecord) -> bool:
    return not getattr(record, ALREADY_SHOWN, False)


def _settings(ctx: click.Context) -> Settings:
    settings = ctx.ensure_object(Settings)
    level = logging.DEBUG if settings.verbose else logging.WARNING
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    for handler in logging.getLogger().handlers:
        # an error is printed once as a sentence; the console log must not repeat it as «ERROR gmo_sync: …»
        console = isinstance(handler, logging.StreamHandler) and not isinstance(handler, logging.FileHandler)
        if console and _not_shown_yet not in handler.filters:
            handler.addFilter(_not_shown_yet)
    redact.install()  # -v logs every library at DEBUG: credentials are scrubbed before any handler writes
    return settings


def _config(settings: Settings) -> Config:
    return load_config(settings.config_path)


def _finish(ctx: click.Context, settings: Settings, report: RunReport) -> None:
    if settings.json:
        emit(report_json(report))
    else:
        emit(report_text(report, quiet=settings.quiet))
    ctx.exit(report.exit_code)


def _run(ctx: click.Context, command: str, options: Options) -> None:
    settings = _settings(ctx)
    config = _config(settings)
    if sys.stderr.isatty() and not (settings.quiet or settings.json):
        options.progress = terminal_progress  # cron and pipes get no progress noise
    file_handler = _log_to_file(config, settings)
    try:
        _run_logged(ctx, settings, config, command, options)
    except GmoSyncError as error:
        # into the log file while it is still attached; the console shows the sentence once, not twice
        log.error("%s: %s", command, _error_text(error), extra={ALREADY_SHOWN: True})
        raise
    finally:
        if file_handler is not None:
            logging.getLogger().removeHandler(file_handler)
            file_handler.close()


def _log_to_file(config: Config, settings: Settings) -> logging.Handler | None:
    """A rotating log file when `log_file` is configured: one line per run, details with -v."""
    if not config.log_file:
        return None
    path = config.resolve(config.log_file)
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=1_000_000, backupCount=5, encoding="utf-8")
    handler.setLevel(logging.DEBUG if settings.verbose else logging.INFO)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    for existing in root.handlers:  # the console keeps its level; only the file gets INFO
        if existing.level == logging.NOTSET:
            existing.setLevel(root.level)
    root.addHandler(handler)
    root.setLevel(min(root.level, handler.level))
    redact.install()  # the file gets the same scrubbing as the console
    return handler


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
    _finish(ctx, settings, report)


@cli.command()
@click.option(
    "--local",
    "local_dir",
    type=click.Path(file_okay=False, path_type=Path),
    metavar="ПАПКА",
    help="Создать локальную рабочую папку (таблица .xlsx, шаблоны, настройки).",
)
@click.option(
    "--google",
    "google",
    is_flag=True,
    help="Создать (или починить) Google-таблицу, папку протоколов и шаблон; настройки — в ./gmo-sync.toml.",
)
@click.option(
    "--title",
    default="ГМО библиотекарей",
    show_default=True,
    metavar="НАЗВАНИЕ",
    help="Название Google-таблицы.",
)
@dry_run_option
@common_options
@click.pass_context
def init(ctx: click.Context, local_dir: Path | None, google: bool, title: str, dry_run: bool) -> None:
    """Создать рабочую папку: настройки, общую таблицу, шаблоны протоколов.

    Существующее не перезаписывается: повторный запуск только добавит недостающее
    (для Google — недостающие листы и столбцы).

    \b
    Примеры:
      gmo-sync init --local demo
      gmo-sync auth login && gmo-sync init --google --title "ГМО 2026/27"
    """  # fmt: skip
    settings = _settings(ctx)
    if (local_dir is None) == (not google):
        raise click.UsageError("Укажите одно: gmo-sync init --local ПАПКА или gmo-sync init --google")
    if google:
        _init_google(ctx, settings, title, dry_run)
        return
    assert local_dir is not None
    from gmo_sync.backends.local.setup import create_local_workspace

    today = local_now(settings.clock, ZoneInfo(DEFAULT_TIMEZONE)).date()
    created = create_local_workspace(local_dir, today, dry_run=dry_run)
    status = Status.PLANNED if dry_run else Status.DONE
    actions = [
        Action(Kind.WORKSPACE_FILE, "", str(p), planned=f"создать {p}", status=status) for p in created
    ]
    if settings.json:
        emit(_init_json(dry_run, actions, created=[str(p) for p in created]))
    elif dry_run:
        emit(_dry_run_text(actions))
    elif not settings.quiet:
        if created:
            emit("Создано:\n" + "\n".join(f"  {p}" for p in created))
        else:
            emit(f"Рабочая папка {local_dir} уже готова: ничего не создано.")
        emit(f"Дальше: cd {local_dir} && gmo-sync protocols")


def _init_google(ctx: click.Context, settings: Settings, title: str, dry_run: bool) -> None:
    from gmo_sync.backends.google import connect, state_file
    from gmo_sync.backends.google.setup import apply_setup, plan_setup, setup_actions, write_config

    config = load_config(settings.config_path)
    if config.path is not None and config.backend != "google":
        raise ConfigError(
            f'{config.path} настроен на backend = "{config.backend}"; для Google нужна другая папка.'
        )
    ids = config.google
    # a new workspace is planned without a connection; repairing one reads its spreadsheet first
    connection = connect(config) if ids.spreadsheet_id or not dry_run else None
    try:
        plan = plan_setup(connection, title, ids.spreadsheet_id, ids.protocols_folder_id, ids.template_doc_id)
        path = settings.config_path or config.path or Path.cwd() / CONFIG_NAME
        actions = setup_actions(plan, path)
        if dry_run:
            emit(_init_json(True, actions) if settings.json else _dry_run_text(actions))
            return
        assert connection is not None
        workspace = apply_setup(connection, plan, state_file(config).parent)
    finally:
        if connection is not None:
            connection.close()
    write_config(path, workspace, config)
    actions = [a.with_status(Status.DONE) for a in actions]
    if settings.json:
        emit(_init_json(False, actions, spreadsheet_id=workspace.spreadsheet_id, url=workspace.url,
                        protocols_folder_id=workspace.folder_id, template_doc_id=workspace.template_doc_id,
                        repaired=workspace.repaired))  # fmt: skip
    elif not settings.quiet:
        emit("\n".join([f"Таблица: {workspace.url}"] + [f"  {a.text}" for a in actions]))


def _dry_run_text(actions: list[Action]) -> str:
    if not actions:
        return "Пробный запуск (--dry-run): изменений не требуется."
    return "Пробный запуск (--dry-run): ничего не изменено. План:\n" + "\n".join(
        f"  {a.text}" for a in actions
    )


def _init_json(dry_run: bool, actions: list[Action], **extra: object) -> str:
    data = {"command": "init", "dry_run": dry_run, "actions": [a.as_json() for a in actions], **extra}
    return json.dumps(data, ensure_ascii=False, indent=2)


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


# Commands in their own modules (they import this one's helpers, hence at the end): one line each.
cli.add_command(__import__("gmo_sync.cli.report", fromlist=["report"]).report)
cli.add_command(__import__("gmo_sync.cli.auth", fromlist=["auth"]).auth)
cli.add_command(__import__("gmo_sync.cli.template", fromlist=["template"]).template)
cli.add_command(__import__("gmo_sync.cli.doctor", fromlist=["doctor"]).doctor)
