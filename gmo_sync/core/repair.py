"""The tool's own tabs and columns, put back when someone deleted them.

«Журнал» and the cells the tool fills (ID, № протокола, Протокол) belong to the tool: a
coordinator who deletes one has not lost data the tool cannot rebuild, so refusing every
command (exit 2) would only punish the mistake. The tool recreates them — a missing tab at
the end, a missing header after the last used column (never over a coordinator's cell, even
one without a header) — and says so in the output. Coordinators' own tabs and columns are
not the tool's to invent: their absence stays a structural error.

Optional tool columns (Событие, Видеовстреча, Синхронизировано, Решения «Статус») may be
removed on purpose, so they stay removed.
"""

from __future__ import annotations

from dataclasses import dataclass

from gmo_sync.core.problems import cell_ref
from gmo_sync.core.schema import TABS, Column, Tab, find_tab, header_key
from gmo_sync.core.sheet import Formula, SheetSnapshot, TabData

# Tabs the tool writes in full; every other tab is the coordinators'.
TOOL_TABS = frozenset({"Журнал"})


@dataclass(frozen=True)
class SheetRepair:
    """One tab to create, or headers to add to an existing tab."""

    tab: Tab
    sheet_name: str  # the tab's name as spelled in the sheet (the schema's name for a new tab)
    create: bool  # the tab itself is missing
    columns: tuple[tuple[int, Column], ...]  # (1-based column, column) whose header goes into row 1

    def describe(self, done: bool) -> str:
        verb = "создан заново" if done else "будет создан"
        if self.create:
            return f"лист «{self.sheet_name}» не найден — {verb} (его ведёт gmo-sync)"
        added = "добавлен" if done else "будет добавлен"
        return "; ".join(
            f"{cell_ref(self.sheet_name, 1, index)}: столбец «{column.header}» не найден — {added} "
            f"(его заполняет gmo-sync)"
            for index, column in self.columns
        )


def _needed(tab: Tab, column: Column) -> bool:
    """Columns whose absence would stop every run; only the tool's own are put back."""
    return column.required and (column.tool or tab.name in TOOL_TABS)


def plan_repairs(snapshot: SheetSnapshot) -> list[SheetRepair]:
    repairs = []
    names = list(snapshot.tabs)
    for tab in TABS:
        name = find_tab(names, tab)
        if name is None:
            if tab.name in TOOL_TABS:
                columns = tuple(enumerate(tab.columns, start=1))
                repairs.append(SheetRepair(tab, tab.name, True, columns))
            continue
        data = snapshot.tabs[name]
        header = data.rows[0] if data.rows else []
        present = {header_key(h) for h in header if h is not None and not isinstance(h, Formula)}
        missing = [c for c in tab.columns if _needed(tab, c) and header_key(c.header) not in present]
        if missing:
            # after every used column, so a coordinator's cells (even ones without a header) stay theirs
            free = _last_used_column(data) + 1
            repairs.append(SheetRepair(tab, name, False, tuple(enumerate(missing, start=free))))
    return repairs


def _last_used_column(data: TabData) -> int:
    """The rightmost column with anything in it (a backend may pad rows with empty cells)."""
    used = [i for row in data.rows for i, value in enumerate(row, start=1) if value not in (None, "")]
    return max(used, default=0)


def apply_to_snapshot(snapshot: SheetSnapshot, repairs: list[SheetRepair]) -> None:
    """The snapshot as the sheet looks once repaired, so reading goes on without a second read."""
    for repair in repairs:
        if repair.create:
            snapshot.tabs[repair.sheet_name] = TabData(
                repair.sheet_name, [[c.header for c in repair.tab.columns]]
            )
            continue
        rows = snapshot.tabs[repair.sheet_name].rows
        if not rows:
            rows.append([])
        for index, column in repair.columns:
            while len(rows[0]) < index:
                rows[0].append(None)
            rows[0][index - 1] = column.header
