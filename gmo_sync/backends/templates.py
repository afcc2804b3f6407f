"""Document templates by kind: the workspace's own file, or the one shipped with gmo-sync."""

from __future__ import annotations

from pathlib import Path

from gmo_sync.core.problems import BackendError
from gmo_sync.rendering import template_bytes


def document_template(folder: Path, kind: str) -> tuple[str, bytes]:
    """``<folder>/<kind>.docx`` when the workspace has one (both backends), else the shipped template."""
    own = folder / f"{kind}.docx"
    if own.is_file():
        try:
            return own.name, own.read_bytes()
        except OSError as error:
            raise BackendError(f"Шаблон {own} не читается: {error}") from None
    return f"{kind}.docx", template_bytes(kind)
