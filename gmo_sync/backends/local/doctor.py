"""``gmo-sync doctor`` for a local workspace: the workbook, the templates, the folders, LibreOffice."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from gmo_sync.backends.local.pdf import find_office
from gmo_sync.backends.local.workbook import LocalWorkbook, editor_lock_files
from gmo_sync.backends.templates import document_template
from gmo_sync.core.config import Config
from gmo_sync.core.doctor import Check, fail, ok, sample_meeting, try_template, warn
from gmo_sync.core.model import Meeting
from gmo_sync.core.problems import BackendError, SheetStructureError
from gmo_sync.core.reading import parse_sheet
from gmo_sync.rendering import DOCUMENT_TEMPLATES, TemplateError, check_template


def local_checks(config: Config, today: dt.date) -> list[Check]:
    checks, meetings = _workbook(config, today)
    checks.append(_protocol_template(config, meetings[0] if meetings else sample_meeting(today)))
    checks += [_document_template(config, kind) for kind in DOCUMENT_TEMPLATES]
    for name, key, path in (
        ("Папка протоколов", "local.protocols_dir", config.resolve(config.local.protocols_dir)),
        ("Папка документов", "local.documents_dir", config.resolve(config.local.documents_dir)),
        ("Файл календаря", "local.calendar_file", config.resolve(config.local.calendar_file).parent),
    ):
        checks.append(writable_folder(name, key, path))
    office = find_office()
    if office:
        checks.append(ok("LibreOffice для --pdf", office))
    else:
        checks.append(warn("LibreOffice для --pdf", "не найден (soffice): --pdf не сделает PDF",
                           "установите LibreOffice (например, sudo apt install libreoffice-writer) или не "
                           "используйте --pdf"))  # fmt: skip
    return checks


def _workbook(config: Config, today: dt.date) -> tuple[list[Check], list[Meeting]]:
    path = config.resolve(config.local.workbook)
    name = "Таблица"
    try:
        snapshot = LocalWorkbook(path).read()
        parsed = parse_sheet(snapshot, today)
    except SheetStructureError as error:
        problems = "; ".join(str(p) for p in error.problems)
        return [fail(name, f"{path}: {problems}", "верните листы и столбцы (README, «The master sheet»)")], []
    except BackendError as error:
        return [fail(name, str(error), "проверьте local.workbook в gmo-sync.toml")], []
    found = f"{path}: заседаний {len(parsed.meetings)}"
    if parsed.problems:
        found += f", замечаний {len(parsed.problems)} (подробно: gmo-sync check)"
    checks = [ok(name, found)]
    locks = editor_lock_files(path)
    if locks:
        checks.append(warn("Редактор", f"таблица открыта в редакторе ({locks[0].name})",
                           "закройте её в LibreOffice/Excel до запуска: пока она открыта, gmo-sync ничего "
                           f"не записывает (если не открыта — удалите {locks[0]})"))  # fmt: skip
    return checks, parsed.meetings


def _protocol_template(config: Config, meeting: Meeting) -> Check:
    path = config.resolve(config.local.template)
    name = "Шаблон протокола"
    try:
        try_template(path.read_bytes(), path.name, meeting, config.organisation, config.city)
    except OSError as error:
        return fail(name, f"{path} не читается ({error.strerror})", "проверьте local.template в настройках")
    except TemplateError as error:
        return fail(name, str(error), "исправьте тег в шаблоне (см. docs/templates.md)")
    return ok(name, f"{path}: пробный протокол заседания {meeting.id} собран")


def _document_template(config: Config, kind: str) -> Check:
    name = f"Шаблон документа {kind}.docx"
    try:
        source, content = document_template(config.resolve(config.templates_dir), kind)
        check_template(content, template_name=source)
    except BackendError as error:
        return fail(name, str(error), "проверьте файл в templates_dir")
    except TemplateError as error:
        return fail(name, str(error), "исправьте тег в шаблоне")
    return ok(name, source)


def writable_folder(name: str, key: str, path: Path) -> Check:
    """A folder gmo-sync writes into: it exists and takes a file, or it can be created."""
    existing = next((p for p in (path, *path.parents) if p.exists()), None)
    if existing is None or not existing.is_dir():
        return fail(name, f"{path}: {existing} — не папка", f"укажите другую папку в {key}")
    probe = existing / ".gmo-sync-doctor"
    try:
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as error:
        return fail(name, f"{path}: запись запрещена ({error.strerror})",
                    f"дайте права на запись в {existing} или укажите другую папку в {key}")  # fmt: skip
    return ok(name, str(path) if existing == path else f"{path} (будет создана)")
