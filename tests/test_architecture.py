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


# Errors that never leave their layer: ParseError always becomes a ``Problem`` with its cell; BudgetExceeded
# is a Jinja error inside rendering, turned into a ``TemplateError`` that names the template and the tag.
NOT_RUN_ERRORS = {"gmo_sync.core.parsing.ParseError", "gmo_sync.rendering.budget.BudgetExceeded"}


def test_one_exception_root() -> None:
    """Every error gmo-sync raises to the CLI derives from GmoSyncError and carries its exit code."""
    import importlib
    import inspect

    from gmo_sync.core.problems import GmoSyncError

    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        name = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__")
        module = importlib.import_module(name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, BaseException) and cls.__module__ == name:
                found.append(cls)
    names = {f"{c.__module__}.{c.__name__}": c for c in found}
    assert {
        "gmo_sync.rendering.errors.TemplateError",
        "gmo_sync.backends.google.drive.DriveStorageError",
    } <= set(names)
    strays = sorted(
        q for q, c in names.items() if not issubclass(c, GmoSyncError) and q not in NOT_RUN_ERRORS
    )
    assert strays == []
    assert all(isinstance(c.exit_code, int) for c in found if issubclass(c, GmoSyncError))
