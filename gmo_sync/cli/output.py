"""How results reach the user: text for people, JSON for machines. Results go to stdout."""

from __future__ import annotations

import json

import click

from gmo_sync.core.pipeline import RunReport

COUNT_LABELS = (("created", "создано"), ("updated", "обновлено"), ("skipped", "пропущено"),
                ("unchanged", "без изменений"))  # fmt: skip


def report_text(report: RunReport, *, quiet: bool, protocols: bool) -> str:
    lines: list[str] = []
    if not quiet:
        if report.dry_run:
            lines.append("Пробный запуск (--dry-run): ничего не изменено. План:" if report.lines
                         else "Пробный запуск (--dry-run): изменений не требуется.")  # fmt: skip
            lines.extend(f"  {line}" for line in report.lines)
        else:
            lines.extend(report.lines)
        if protocols:
            counts = ", ".join(f"{label} {report.counts.get(key, 0)}" for key, label in COUNT_LABELS)
            lines.append(f"Протоколы: {counts}.")
        if not report.dry_run and report.command != "check":
            lines.append(f"Ячеек записано: {report.cells_written}." if report.cells_written
                         else "Таблица не изменена.")  # fmt: skip
    if report.problems:
        lines.append(f"Проблемы ({len(report.problems)}):")
        lines.extend(f"  {p}" for p in report.problems)
    elif report.command == "check" and not quiet:
        lines.append("Проблем не найдено.")
    return "\n".join(lines)


def report_json(report: RunReport) -> str:
    return json.dumps(
        {
            "command": report.command,
            "dry_run": report.dry_run,
            "actions": report.lines,
            "counts": report.counts,
            "cells_written": report.cells_written,
            "problems": [{"place": p.place, "message": p.message} for p in report.problems],
            "exit_code": report.exit_code,
        },
        ensure_ascii=False,
        indent=2,
    )


def emit(text: str) -> None:
    if text:
        click.echo(text)
