"""The layering the README promises, checked on the source: who may import what."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "gmo_sync"

# library → the only part of the package allowed to import it
CONFINED = {
    "click": "gmo_sync/cli",
    "docxtpl": "gmo_sync/rendering",
    "jinja2": "gmo_sync/rendering",
    "openpyxl": "gmo_sync/backends/local",
    "icalendar": "gmo_sync/backends/local",
    "gspread": "gmo_sync/backends/google",
    "googleapiclient": "gmo_sync/backends/google",
}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("library", sorted(CONFINED))
def test_library_is_confined_to_its_layer(library: str) -> None:
    allowed = CONFINED[library]
    offenders = [
        str(path.relative_to(PACKAGE.parent))
        for path in PACKAGE.rglob("*.py")
        if library in imported_modules(path) and not str(path.relative_to(PACKAGE.parent)).startswith(allowed)
    ]
    assert offenders == [], f"{library} may only be imported under {allowed}"


def test_core_does_not_import_backends_or_cli() -> None:
    for path in (PACKAGE / "core").rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert "gmo_sync.backends" not in source and "gmo_sync.cli" not in source, path
