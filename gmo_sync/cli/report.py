"""``gmo-sync report …``: documents made from the sheet and a template (reports, registers).

Every report command is a thin wrapper over ``core.reports.make_documents`` with its own
builder; ``run_documents`` is the shared part (config, backends, lock, output), so a new
kind of report is one builder and one small command here.
"""

from __future__ import annotations

import contextlib

import click

from gmo_sync.cli.common import common_options, config_of, dry_run_option, finish, settings_of
from gmo_sync.cli.lock import workspace_lock
from gmo_sync.core.decisions_report import DecisionsQuery, build_decisions
from gmo_sync.core.problems import ConfigError
from gmo_sync.core.reports import Builder, DocumentOptions, Period, make_documents, parse_period

force_option = click.option("--force", is_flag=True, help="Перезаписать документ, изменённый вручную.")
pdf_option = click.option(
    "--pdf", is_flag=True, help="Сохранить рядом копию в PDF (локально нужен LibreOffice)."
)


def run_documents(ctx: click.Context, command: str, build: Builder, options: DocumentOptions) -> None:
    """Make the documents ``build`` describes; the sheet is only read, so no lock is needed to plan."""
    from gmo_sync.backends import open_backends

    settings = settings_of(ctx)
    config = config_of(settings)
    backends = open_backends(config, settings.clock)
    if backends.documents is None:
        raise ConfigError("Этот бэкенд не умеет хранить документы.")
    lock = contextlib.nullcontext() if options.dry_run else workspace_lock(config)
    with lock:
        try:
            report = make_documents(
                command, config, backends.sheet, backends.documents, settings.clock, build, options
            )
        finally:
            backends.close()
    finish(ctx, settings, report)


def year_option(value: str | None) -> Period | None:
    if value is None:
        return None
    try:
        return parse_period(value)
    except ConfigError as error:
        raise click.BadParameter(
            str(error).removeprefix(f"--year «{value}»: "), param_hint="--year"
        ) from None


@click.group()
def report() -> None:
    """Документы по данным общей таблицы: создаются из шаблонов и хранятся рядом с протоколами.

    Документ обновляется на месте; если данные и шаблон не менялись, он не переписывается.

    \b
    Пример:
      gmo-sync report decisions --year 2021/22 --open --pdf
    """


@report.command()
@click.option(
    "--year", metavar="ГОД", help="Только заседания учебного года (2021/22) или календарного (2021)."
)
@click.option("--open", "open_only", is_flag=True, help="Только невыполненные решения.")
@force_option
@pdf_option
@dry_run_option
@common_options
@click.pass_context
def decisions(
    ctx: click.Context, year: str | None, open_only: bool, force: bool, pdf: bool, dry_run: bool
) -> None:
    """«Контроль исполнения решений»: решения всех проведённых заседаний.

    Для каждого решения: протокол (№ и дата), решение, ответственный, срок, статус,
    отметка о выполнении; по группам — сначала просроченные, затем в работе и
    выполненные, внутри — по ответственным; в конце итоги.

    \b
    Пример:
      gmo-sync report decisions --year 2021/22 --open
    """
    query = DecisionsQuery(year_option(year), open_only)
    run_documents(
        ctx,
        "report decisions",
        lambda request: build_decisions(request, query),
        DocumentOptions(dry_run=dry_run, force=force, pdf=pdf),
    )
