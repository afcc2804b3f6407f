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
    "matplotlib": "gmo_sync/rendering",
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


# -- the layout (issue 14): no import cycle, modules of a readable size, one home per shared word --


def module_graph() -> dict[str, set[str]]:
    """gmo_sync's modules and the gmo_sync modules each imports anywhere in it (TYPE_CHECKING and
    imports inside functions included: a cycle hidden in a function is still a cycle of the design)."""
    modules = {}
    for path in PACKAGE.rglob("*.py"):
        name = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__")
        modules[name] = path
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*parts, base] if base else parts)
                targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
            elif isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.Call) and getattr(node.func, "id", "") == "__import__" and node.args:
                first = node.args[0]
                targets = (
                    [first.value] if isinstance(first, ast.Constant) and isinstance(first.value, str) else []
                )
            if isinstance(node, ast.ImportFrom):
                named = [t for t in targets[:-1] if t in modules]  # «from package import module»
                found = named or [t for t in targets[-1:] if t in modules]
            else:
                found = [t for t in targets if t in modules]
            graph[name].update(t for t in found if t != name)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in sorted(graph[node]):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                other = stack.pop()
                component.append(other)
                if other == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycle() -> None:
    graph = module_graph()
    assert len(graph) > 40 and graph["gmo_sync.core.pipeline"]  # the graph is really read
    assert cycles(graph) == []


def test_the_cycle_check_sees_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


LONG = 400  # lines; a longer module says at its top why it is one module


def test_long_modules_say_why_at_their_top() -> None:
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if text.count("\n") > LONG:
            docstring = ast.get_docstring(ast.parse(text)) or ""
            reason = "one module" in docstring.lower() or "on purpose" in docstring.lower()
            assert reason, f"{path}: {text.count(chr(10))} lines, no reason given at its top"


# Shared words and their one home: imported from there, never through another module.
HOMES = {"id_key": "gmo_sync.core.model", "EventAction": "gmo_sync.core.ports",
         "EventActionKind": "gmo_sync.core.ports", "EventSpec": "gmo_sync.core.ports",
         "Backends": "gmo_sync.core.ports"}  # fmt: skip


def test_shared_vocabulary_has_one_home() -> None:
    import importlib

    for word, home in HOMES.items():
        assert hasattr(importlib.import_module(home), word), (word, home)
    for path in [*PACKAGE.rglob("*.py"), *(PACKAGE.parent / "tests").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("gmo_sync"):
                for alias in node.names:
                    home = HOMES.get(alias.name)
                    assert home is None or node.module == home, f"{path}: {alias.name} from {node.module}"
