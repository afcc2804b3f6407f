"""The shipped protocol templates: package data in ``templates/``, made by ``tools/make_templates.py``."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

__all__ = ["DOCUMENT_TEMPLATES", "TEMPLATE_NAMES", "template_bytes", "template_path"]

# default: the layout of the association's own protocols; gost: ГОСТ Р 7.0.97-2016 full form.
TEMPLATE_NAMES = ("default", "gost")
# documents besides protocols, by kind: decisions — «Контроль исполнения решений»;
# attendance — «Лист регистрации», plan — «План работы ГМО», year — «Анализ работы ГМО за учебный год»,
# extract — «Выписка из протокола» (ГОСТ Р 7.0.97-2016).
DOCUMENT_TEMPLATES = ("decisions", "attendance", "plan", "year", "extract")


def template_path(name: str) -> Path:
    """Path of a shipped template, e.g. ``template_path("gost")``; ``KeyError`` for an unknown name."""
    if name not in TEMPLATE_NAMES + DOCUMENT_TEMPLATES:
        raise KeyError(name)
    return Path(str(files("gmo_sync.rendering") / "templates" / f"{name}.docx"))


def template_bytes(name: str) -> bytes:
    return template_path(name).read_bytes()
