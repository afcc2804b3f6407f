"""``gmo-sync template …``: the protocol template of a Google workspace."""

from __future__ import annotations

import json
from pathlib import Path

import click

from gmo_sync.cli.common import common_options, config_of, dry_run_option, dry_run_text, settings_of
from gmo_sync.cli.lock import workspace_lock
from gmo_sync.cli.output import emit
from gmo_sync.core.actions import Action, Status


@click.group()
def template() -> None:
    """Шаблон протокола для Google: загрузить .docx, из которого gmo-sync сделает свой Google Doc.

    \b
    Пример:
      gmo-sync template upload ~/Загрузки/Шаблон.docx
    """  # fmt: skip


@template.command()
@click.argument("docx", metavar="FILE.docx", type=click.Path(dir_okay=False, path_type=Path))
@dry_run_option
@common_options
@click.pass_context
def upload(ctx: click.Context, docx: Path, dry_run: bool) -> None:
    """Загрузить шаблон протокола (.docx): gmo-sync сделает из него Google Doc и запишет его в настройки.

    Шаблон проверяется (пробный рендер в памяти) до загрузки. Если google.template_doc_id —
    документ, который gmo-sync загрузил раньше, он заменяется на месте (ссылка та же);
    иначе создаётся новый, и его ID записывается в gmo-sync.toml (google.template_doc_id).
    Шаблон, сделанный вручную в Google Документах, скачайте как .docx
    (Файл → Скачать → Microsoft Word) и загрузите этой командой.

    \b
    Пример:
      gmo-sync template upload "Шаблон протокола.docx"
    """  # fmt: skip
    from gmo_sync.backends.google.template_doc import install_template, read_template

    settings = settings_of(ctx)
    config = config_of(settings)
    content = read_template(config, docx)  # checked (a trial render) before anything is sent
    assert config.path is not None  # read_template checked it
    if dry_run:
        plan, _ = install_template(config, content, docx.stem, dry_run=True)
        actions = plan.actions(config.path)
        emit(_json(True, actions) if settings.json else dry_run_text(actions))
        return
    with workspace_lock(config):
        plan, uploaded = install_template(config, content, docx.stem)
    assert uploaded is not None
    if settings.json:
        done = [a.with_status(Status.DONE) for a in plan.actions(config.path)]
        emit(
            _json(False, done, template_doc_id=uploaded.doc_id, url=uploaded.url, replaced=uploaded.replaced)
        )
        return
    if uploaded.replaced:
        emit(f"Шаблон обновлён на месте: {uploaded.url}")
    else:
        emit(f"Шаблон загружен: {uploaded.url}")
        emit(f"google.template_doc_id = «{uploaded.doc_id}» записан в {config.path}.")
    emit("Протоколы будут обновлены по новому шаблону при следующем запуске (gmo-sync protocols или run).")


def _json(dry_run: bool, actions: list[Action], **extra: object) -> str:
    data = {
        "command": "template upload",
        "dry_run": dry_run,
        "actions": [a.as_json() for a in actions],
        **extra,
    }
    return json.dumps(data, ensure_ascii=False, indent=2)
