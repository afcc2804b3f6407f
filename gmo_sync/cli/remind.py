"""``gmo-sync remind``: letters to the people responsible for decisions (also a step of ``run``)."""

from __future__ import annotations

import click

from gmo_sync.cli.common import common_options, dry_run_option
from gmo_sync.cli.running import run_pipeline
from gmo_sync.core.pipeline import Options


@click.command()
@click.option(
    "--resend",
    is_flag=True,
    help="Отправить ещё раз письма, отправка которых была прервана (они могли не дойти).",
)
@dry_run_option
@common_options
@click.pass_context
def remind(ctx: click.Context, resend: bool, dry_run: bool) -> None:
    """Напомнить ответственным о решениях: за remind_before_days дней до срока и в первый день просрочки.

    Каждому — одно письмо со всеми его решениями; раз в неделю — сводка
    просроченных решений на адрес digest_to. Каждое письмо записывается на лист
    «Рассылки»: одно и то же письмо не уходит дважды, даже если запуск прервали.
    Нужен раздел [mail] в настройках (см. README).

    \b
    Пример:
      GMO_SYNC_MAIL_PASSWORD=… gmo-sync remind --dry-run
    """
    run_pipeline(ctx, "remind", Options(remind=True, dry_run=dry_run, resend=resend))
