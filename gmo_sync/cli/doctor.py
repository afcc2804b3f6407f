"""``gmo-sync doctor``: prove the set-up, one line per check with what to do."""

from __future__ import annotations

import json

import click

from gmo_sync.cli.common import common_options, settings_of
from gmo_sync.cli.output import emit


@click.command()
@common_options
@click.pass_context
def doctor(ctx: click.Context) -> None:
    """Проверить настройку: по одной безвредной проверке на каждую часть и что исправить.

    Для Google: настройки, вход и его вид, обновление токена, права (scopes), срок
    входа (приложение в «Testing» — 7 дней), Диск, таблица, папка протоколов, шаблон
    (пробный протокол в памяти), календарь, ссылки Meet, часовые пояса, локальные папки.
    Локально: таблица, шаблоны, папки, LibreOffice для --pdf. Ничего не записывает.
    Код выхода: 0 — всё в порядке, 1 — только предупреждения (⚠), 2 — есть ошибки (✗).

    \b
    Примеры:
      gmo-sync doctor
      gmo-sync doctor --json
    """  # fmt: skip
    from gmo_sync.backends.doctor import diagnose
    from gmo_sync.core.doctor import Status, exit_code

    settings = settings_of(ctx)
    checks = diagnose(settings.config_path, settings.clock)
    code = exit_code(checks)
    if settings.json:
        items = [{"name": c.name, "status": str(c.status), "detail": c.detail, "fix": c.fix} for c in checks]
        summary = {"command": "doctor", "checks": items, "exit_code": code}
        emit(json.dumps(summary, ensure_ascii=False, indent=2))
    else:
        shown = [c for c in checks if not settings.quiet or c.status != Status.OK]
        emit("\n".join(c.line() for c in shown))
    ctx.exit(code)
