"""How results reach the user: text for people, JSON for machines. Results go to stdout."""

from __future__ import annotations

import json

import click

from gmo_sync.core.report import RunReport

PROTOCOL_COUNTS = (("created", "создано"), ("updated", "обновлено"), ("skipped", "пропущено"),
                   ("unchanged", "без изменений"))  # fmt: skip
DOCUMENT_COUNTS = (("documents_created", "создано"), ("documents_updated", "обновлено"),
                   ("documents_skipped", "пропущено"), ("documents_unchanged", "без изменений"))  # fmt: skip
EVENT_COUNTS = (
    ("events_created", "создано"),
    ("events_updated", "обновлено"),
    ("events_cancelled", "отменено"),
)


def report_text(report: RunReport, *, quiet: bool) -> str:
    lines: list[str] = []
    actions = report.all_actions()
    if not quiet:
        if report.dry_run:
            lines.append("Пробный запуск (--dry-run): ничего не изменено. План:" if actions
                         else "Пробный запуск (--dry-run): изменений не требуется.")  # fmt: skip
            lines.extend(f"  {action.text}" for action in actions)
        else:
            lines.extend(action.text for action in actions)
        if "протоколы" in report.steps:
            counts = ", ".join(f"{label} {report.counts.get(key, 0)}" for key, label in PROTOCOL_COUNTS)
            lines.append(f"Протоколы: {counts}.")
        if "календарь" in report.steps:
            counts = ", ".join(f"{label} {report.counts.get(key, 0)}" for key, label in EVENT_COUNTS)
            lines.append(f"События: {counts}.")
        if "документы" in report.steps:
            counts = ", ".join(f"{label} {report.counts.get(key, 0)}" for key, label in DOCUMENT_COUNTS
                               if key != "documents_skipped" or report.counts.get(key))  # fmt: skip
            lines.append(f"Документы: {counts}.")
        if "рассылка" in report.steps:
            if report.dry_run:
                lines.append(f"Письма: к отправке {report.counts.get('letters_sent', 0)}.")
            else:
                lines.append(f"Письма: отправлено {report.counts.get('letters_sent', 0)}, "
                             f"не отправлено {report.counts.get('letters_failed', 0)}.")  # fmt: skip
        if not report.dry_run and report.command != "check" and report.steps != ["документы"]:
            lines.append(f"Ячеек записано: {report.cells_written}." if report.cells_written
                         else "Таблица не изменена.")  # fmt: skip
        if report.retries or report.paced_seconds:
            lines.append(f"Повторных запросов к Google: {report.retries}; ожидание, чтобы не превысить "
                         f"лимиты Google: {report.paced_seconds:.1f} с.")  # fmt: skip
    if report.notices:
        lines.append(f"Замечания ({len(report.notices)}):")
        lines.extend(f"  {p}" for p in report.notices)
    if report.problems:
        lines.append(f"Проблемы ({len(report.problems)}):")
        lines.extend(f"  {p}" for p in report.problems)
    elif report.command == "check" and not quiet:
        lines.append("Проблем не найдено.")
    return "\n".join(lines)


def report_json(report: RunReport) -> str:
    """The run summary for scripts; the keys and the action kinds are documented in docs/json.md."""
    return json.dumps(
        {
            "command": report.command,
            "dry_run": report.dry_run,
            "actions": [action.as_json() for action in report.all_actions()],
            "counts": report.counts,
            "cells_written": report.cells_written,
            "failed_steps": report.failed_steps,
            "problems": [{"place": p.place, "message": p.message} for p in report.problems],
            "notices": [{"place": p.place, "message": p.message} for p in report.notices],
            "retries": report.retries,
            "paced_seconds": round(report.paced_seconds, 3),
            "duration_seconds": round(report.duration, 3),
            "exit_code": report.exit_code,
        },
        ensure_ascii=False,
        indent=2,
    )


def emit(text: str) -> None:
    if text:
        click.echo(text)


def terminal_progress(step: str, done: int, total: int) -> None:
    """A one-line counter on stderr, redrawn in place; the CLI uses it only when stderr is a terminal."""
    end = "\n" if done >= total else ""
    click.echo(f"\r{step}: {done}/{total}", nl=False, err=True)
    if end:
        click.echo("", err=True)
