"""The one error boundary of the command line, and its Russian face.

Expected errors (``GmoSyncError``, each with its ``exit_code``) become a Russian message on stderr —
and a JSON object on stdout with --json — and the exit code (SPEC: 2 nothing done, 3 locked); anything
unexpected says how to see the traceback (-v). Usage errors stay Click's, in Russian (``russian``).
"""

from __future__ import annotations

import json
from typing import Any

import click

from gmo_sync.cli import russian
from gmo_sync.cli.common import Settings
from gmo_sync.cli.output import emit
from gmo_sync.core.problems import ConfigError, GmoSyncError, SheetStructureError


class CommandGroup(click.Group):
    group_class = type  # subgroups are CommandGroups too

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
            click.echo(error_text(error), err=True)
            settings = ctx.find_object(Settings)
            if settings and settings.json:  # a machine reading stdout learns of the failure too
                emit(json.dumps({"command": ctx.invoked_subcommand, "error": error_text(error),
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


def error_text(error: Exception) -> str:
    text = f"Ошибка: {error}"
    if isinstance(error, ConfigError) and error.problems:
        text += "\n" + "\n".join(f"  {p}" for p in error.problems)
    if isinstance(error, SheetStructureError):
        text = "Ошибка: таблица не может быть прочитана:\n" + "\n".join(f"  {p}" for p in error.problems)
    return text
