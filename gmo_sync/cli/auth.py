"""``gmo-sync auth …``: signing in to Google — here, on a server without a browser, or on a laptop for it."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from gmo_sync.cli.common import common_options, config_of, settings_of
from gmo_sync.cli.output import emit


@click.group()
def auth() -> None:
    """Вход в Google: OAuth (по умолчанию) или ключ сервисного аккаунта.

    \b
    Примеры:
      gmo-sync auth login --client-secrets client_secret.json
      gmo-sync auth login --no-browser --port 8765      # на сервере без браузера
      gmo-sync auth import token.json                   # токен, полученный на ноутбуке
      gmo-sync auth status
    """  # fmt: skip


@auth.command()
@click.option(
    "--client-secrets",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="ФАЙЛ",
    help="JSON OAuth-клиента типа «Desktop app» (по умолчанию google.client_secrets из настроек).",
)
@click.option(
    "--no-browser",
    is_flag=True,
    help="Не открывать браузер: напечатать ссылку и ждать адрес, на который перейдёт браузер.",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=0,
    show_default=True,
    help="Порт адреса http://localhost:ПОРТ (0 — любой свободный); постоянный нужен для ssh -L.",
)
@common_options
@click.pass_context
def login(ctx: click.Context, client_secrets: Path | None, no_browser: bool, port: int) -> None:
    """Войти в Google своим аккаунтом; токен сохраняется только для вас (права 0600).

    На сервере без браузера: с --no-browser откройте напечатанную ссылку на любом
    компьютере, разрешите доступ и вставьте в терминал адрес, на который перейдёт
    браузер (http://localhost:ПОРТ/?state=…&code=…; страница может не открыться — это
    нормально). Или пробросьте порт: ssh -L 8765:localhost:8765 сервер и --port 8765.

    \b
    Примеры:
      gmo-sync auth login --client-secrets ~/Загрузки/client_secret.json
      gmo-sync auth login --client-secrets client_secret.json --no-browser --port 8765
    """  # fmt: skip
    from gmo_sync.backends.google import auth as google_auth
    from gmo_sync.backends.google import signin

    settings = settings_of(ctx)
    config = config_of(settings)
    secrets = client_secrets or (config.resolve(config.google.client_secrets) if config.google.client_secrets
                                 else None)  # fmt: skip
    if secrets is None:
        raise click.UsageError("Укажите файл OAuth-клиента: gmo-sync auth login --client-secrets ФАЙЛ")
    path = signin.login(
        secrets, open_browser=not no_browser, port=port, say=click.echo, read_line=sys.stdin.readline,
        now=settings.clock(), endpoint=config.google.endpoint, ca_bundle=config.google.ca_bundle,
        scopes=google_auth.scopes_for(config),
    )  # fmt: skip
    emit(f"Вход выполнен. Токен сохранён в {path} (доступ только у владельца).")
    emit(google_auth.TESTING_WARNING)
    emit("Проверьте настройку: gmo-sync doctor")


@auth.command(name="import")
@click.argument("token_file", metavar="ФАЙЛ", type=click.Path(dir_okay=False, path_type=Path))
@common_options
@click.pass_context
def import_(ctx: click.Context, token_file: Path) -> None:
    """Установить токен, полученный командой auth login на другом компьютере.

    Для сервера, где нет браузера: войдите на ноутбуке (gmo-sync auth login), скопируйте
    напечатанный файл token.json на сервер (scp) и установите его здесь. Файл проверяется,
    ставится с правами 0600; секреты не печатаются. Копию затем удалите.

    \b
    Пример:
      scp ~/.config/gmo-sync/token.json сервер:/tmp/ && ssh сервер gmo-sync auth import /tmp/token.json
    """  # fmt: skip
    from gmo_sync.backends.google import auth as google_auth

    settings_of(ctx)
    path = google_auth.import_token(token_file)
    emit(f"Токен установлен в {path} (доступ только у владельца). Удалите копию {token_file}.")
    emit("Проверьте настройку: gmo-sync doctor")


@auth.command()
@common_options
@click.pass_context
def status(ctx: click.Context) -> None:
    """Показать, кто вошёл, права доступа и срок токена (сами токены не печатаются).

    \b
    Пример:
      gmo-sync auth status
    """  # fmt: skip
    from gmo_sync.backends.google.status import auth_status

    settings = settings_of(ctx)
    lines, ok = auth_status(config_of(settings), settings.clock())
    if settings.json:
        emit(json.dumps({"command": "auth status", "ok": ok, "lines": lines, "exit_code": 0 if ok else 2},
                        ensure_ascii=False, indent=2))  # fmt: skip
    else:
        emit("\n".join(lines))
    ctx.exit(0 if ok else 2)
