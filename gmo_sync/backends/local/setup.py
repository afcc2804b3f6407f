"""``gmo-sync init --local DIR``: a new local workspace that works out of the box.

Creates only what is missing and never overwrites a file, so running it again on
an existing workspace is harmless.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import openpyxl
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from gmo_sync.core.config import CONFIG_NAME, LocalSettings
from gmo_sync.core.schema import TABS
from gmo_sync.core.seed import headers, seed_rows
from gmo_sync.rendering import DOCUMENT_TEMPLATES, TEMPLATE_NAMES, template_bytes

CONFIG_TEMPLATE = """\
# gmo-sync: настройки рабочей папки. Полный список параметров — в README.
backend = "local"
timezone = "Asia/Krasnoyarsk"
# Нумерация протоколов: "academic" (учебный год, с 1 сентября) или "calendar"
numbering = "academic"
organisation = "Городское методическое объединение библиотечных работников школ"
city = "Красноярск"

[local]
workbook = "{workbook}"
protocols_dir = "{protocols_dir}"
# Шаблон протокола: templates/default.docx (как в протоколах ГМО) или templates/gost.docx (ГОСТ Р 7.0.97-2016)
template = "{template}"
calendar_file = "{calendar_file}"

[calendar]
summary = "ГМО: {{тема}}"
duration_minutes = 90
"""

WIDE = {"Тема": 60, "Вопрос": 60, "Содержание": 80, "Решение": 60, "Ведущие": 40, "Проблемы": 80,
        "Изменения": 40, "Протокол": 32, "Участники": 30, "Ответственный": 30, "Докладчик": 30,
        "ФИО": 32, "Отметка": 24, "Цель": 50, "Задачи": 70}  # fmt: skip
TOOL_FILL = PatternFill("solid", fgColor="EDEDED")
OVERDUE_FILL = PatternFill(bgColor="F5CCCC")


def create_local_workspace(folder: Path, today: dt.date, *, dry_run: bool = False) -> list[Path]:
    """Create the workspace files that do not exist yet; return them (with ``dry_run``: only list them)."""
    settings = LocalSettings()
    config_text = CONFIG_TEMPLATE.format(**settings.__dict__)
    makers: dict[Path, Callable[[Path], object]] = {
        folder / CONFIG_NAME: lambda p: p.write_text(config_text, encoding="utf-8"),
        folder / settings.workbook: lambda p: write_seed_workbook(p, today),
    }
    for name in TEMPLATE_NAMES + DOCUMENT_TEMPLATES:
        makers[folder / "templates" / f"{name}.docx"] = lambda p, n=name: p.write_bytes(template_bytes(n))
    makers[folder / settings.protocols_dir] = lambda p: p.mkdir()
    missing = [path for path in makers if not path.exists()]
    if not dry_run:
        for path in missing:
            path.parent.mkdir(parents=True, exist_ok=True)
            makers[path](path)
    return missing


def write_seed_workbook(path: Path, today: dt.date) -> None:
    book = openpyxl.Workbook()
    book.remove(book.active)
    rows = seed_rows(today)
    for tab in TABS:
        sheet = book.create_sheet(tab.name)
        names = headers(tab.name)
        sheet.append(names)
        for row in rows[tab.name]:
            sheet.append([row.get(h) for h in names])
        _format(sheet, tab.name, names)
    book.save(path)


def _format(sheet: object, tab_name: str, names: list[str]) -> None:
    tab = next(t for t in TABS if t.name == tab_name)
    tool_headers = {c.header for c in tab.columns if c.tool}
    sheet.freeze_panes = "A2"  # type: ignore[attr-defined]
    for index, name in enumerate(names, start=1):
        letter = get_column_letter(index)
        cell = sheet.cell(1, index)  # type: ignore[attr-defined]
        cell.font = Font(bold=True)
        if name in tool_headers:
            cell.fill = TOOL_FILL  # grey headers: columns the tool fills
        sheet.column_dimensions[letter].width = WIDE.get(name, max(12, len(name) + 2))  # type: ignore[attr-defined]
        for data_row in range(2, sheet.max_row + 1):  # type: ignore[attr-defined]
            value = sheet.cell(data_row, index)  # type: ignore[attr-defined]
            value.alignment = Alignment(wrap_text=name in WIDE, vertical="top")
            if isinstance(value.value, dt.date):
                value.number_format = "DD.MM.YYYY"
            elif isinstance(value.value, dt.time):
                value.number_format = "HH:MM"
        column = next((c for c in tab.columns if c.header == name), None)
        if column is not None and column.choices:
            options = ",".join(column.choices)
            validation = DataValidation(type="list", formula1=f'"{options}"', allow_blank=True)
            validation.error = f"Выберите значение из списка: {options}"
            validation.showErrorMessage = True
            sheet.add_data_validation(validation)  # type: ignore[attr-defined]
            validation.add(f"{letter}2:{letter}1000")
        if (tab_name, name) == ("Решения", "Статус"):
            # the same red as the Google Sheet: an overdue decision stands out
            overdue = CellIsRule(operator="equal", formula=['"просрочено"'], fill=OVERDUE_FILL)
            sheet.conditional_formatting.add(f"{letter}2:{letter}1000", overdue)  # type: ignore[attr-defined]
