"""``gmo-sync report attendance | plan | year``: the association's year on paper.

Each is a thin command over a builder in ``gmo_sync.core`` and the shared
``run_documents`` of ``cli.report``; importing this module adds them to the
``report`` group.
"""

from __future__ import annotations

import click

from gmo_sync.cli.common import common_options, dry_run_option
from gmo_sync.cli.report import force_option, pdf_option, report, run_documents
from gmo_sync.core.parsing import ParseError, parse_academic_year
from gmo_sync.core.reports import DocumentOptions


def academic_year(ctx: click.Context, param: click.Parameter, value: str) -> int:
    try:
        return parse_academic_year(value)
    except ParseError as error:
        raise click.BadParameter(str(error)) from None


year_option = click.option(
    "--year", "start", required=True, metavar="ГОД", callback=academic_year,
    help="Учебный год, например 2026/27 (с 1 сентября по 31 августа).",
)  # fmt: skip


@report.command()
@click.option("--meeting", "meeting_id", required=True, metavar="ID", help="ID заседания (лист «Заседания»).")
@force_option
@pdf_option
@dry_run_option
@common_options
@click.pass_context
def attendance(ctx: click.Context, meeting_id: str, force: bool, pdf: bool, dry_run: bool) -> None:
    """«Лист регистрации участников заседания»: №, ФИО, должность, организация, подпись.

    Для запланированного заседания в лист входят все с листа «Участники»; для
    проведённого — отмеченные «присутствовал» на листе «Присутствие» (если
    отметок нет — тоже все участники). Внизу — пустые строки для гостей.

    \b
    Пример:
      gmo-sync report attendance --meeting ГМО-2026-12-16 --pdf
    """
    from gmo_sync.core.registration_report import build_registration

    run_documents(ctx, "report attendance", lambda request: build_registration(request, meeting_id),
                  DocumentOptions(dry_run=dry_run, force=force, pdf=pdf))  # fmt: skip


@report.command()
@year_option
@force_option
@pdf_option
@dry_run_option
@common_options
@click.pass_context
def plan(ctx: click.Context, start: int, force: bool, pdf: bool, dry_run: bool) -> None:
    """«План работы ГМО на учебный год»: заседания года с повесткой.

    Для каждого заседания (кроме отменённых): месяц и дата, тема и вопросы
    повестки, ответственные (докладчики), форма проведения. Тема, цель и задачи
    года — с листа «Год», если там есть строка этого года.

    \b
    Пример:
      gmo-sync report plan --year 2026/27
    """
    from gmo_sync.core.plan_report import build_plan

    run_documents(ctx, "report plan", lambda request: build_plan(request, start),
                  DocumentOptions(dry_run=dry_run, force=force, pdf=pdf))  # fmt: skip


@report.command()
@year_option
@force_option
@pdf_option
@dry_run_option
@common_options
@click.pass_context
def year(ctx: click.Context, start: int, force: bool, pdf: bool, dry_run: bool) -> None:
    """«Анализ работы ГМО за учебный год»: цифры года и графики.

    Заседания (проведено, отменено, онлайн), посещаемость (средняя и по
    участникам), докладчики и организации, решения (выполнено, в срок,
    просрочено, в работе); графики посещаемости и решений. Разделы для
    собственного анализа координатора оставлены пустыми.

    \b
    Пример:
      gmo-sync report year --year 2021/22 --pdf
    """
    from gmo_sync.core.year_report import build_year

    run_documents(ctx, "report year", lambda request: build_year(request, start),
                  DocumentOptions(dry_run=dry_run, force=force, pdf=pdf))  # fmt: skip
