"""``gmo-sync extract``: «Выписка из протокола» (ГОСТ Р 7.0.97-2016), one item or one decision."""

from __future__ import annotations

import click

from gmo_sync.cli.common import common_options, dry_run_option
from gmo_sync.cli.report import force_option, pdf_option, run_documents
from gmo_sync.core.extract import ExtractQuery, build_extract
from gmo_sync.core.reports import DocumentOptions


@click.command()
@click.option("--meeting", "meeting_id", required=True, metavar="ID", help="ID заседания (лист «Заседания»).")
@click.option("--item", type=click.IntRange(min=1), metavar="N", help="Вопрос повестки № N.")
@click.option("--decision", type=click.IntRange(min=1), metavar="N", help="Решение № N (с его вопросом).")
@force_option
@pdf_option
@dry_run_option
@common_options
@click.pass_context
def extract(
    ctx: click.Context,
    meeting_id: str,
    item: int | None,
    decision: int | None,
    force: bool,
    pdf: bool,
    dry_run: bool,
) -> None:
    """«Выписка из протокола»: вопрос повестки (СЛУШАЛИ – ВЫСТУПИЛИ – ПОСТАНОВИЛИ) или одно решение.

    Форма ГОСТ Р 7.0.97-2016: организация, ВЫПИСКА ИЗ ПРОТОКОЛА, дата и номер,
    председатель и секретарь, текст вопроса, заверительная надпись «Верно».
    Документ хранится рядом с отчётами и обновляется на месте.

    \b
    Примеры:
      gmo-sync extract --meeting ГМО-2021-10-13 --item 2 --pdf
      gmo-sync extract --meeting ГМО-2021-10-13 --decision 3
    """
    if (item is None) == (decision is None):
        raise click.UsageError("Укажите одно: --item N (вопрос повестки) или --decision N (решение).")
    query = ExtractQuery(meeting_id, item, decision)
    run_documents(
        ctx,
        "extract",
        lambda request: build_extract(request, query),
        DocumentOptions(dry_run=dry_run, force=force, pdf=pdf),
    )
