"""``gmo-sync init``: a new workspace, local (a folder) or Google (a sheet, a folder, a template Doc).

Like every writing command, planned first: ``--dry-run`` lists exactly the files, documents and
repairs the run then reports as done.
"""

from __future__ import annotations

import json
from pathlib import Path
from zoneinfo import ZoneInfo

import click

from gmo_sync.cli.common import Settings, common_options, dry_run_option, dry_run_text, settings_of
from gmo_sync.cli.output import emit
from gmo_sync.core.actions import Action, Kind, Status
from gmo_sync.core.clock import local_now
from gmo_sync.core.config import CONFIG_NAME, DEFAULT_TIMEZONE, load_config
from gmo_sync.core.problems import ConfigError


@click.command()
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
    settings = settings_of(ctx)
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
        emit(dry_run_text(actions))
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
            emit(_init_json(True, actions) if settings.json else dry_run_text(actions))
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


def _init_json(dry_run: bool, actions: list[Action], **extra: object) -> str:
    data = {"command": "init", "dry_run": dry_run, "actions": [a.as_json() for a in actions], **extra}
    return json.dumps(data, ensure_ascii=False, indent=2)
