"""``gmo-sync doctor``: the set-up proved one part at a time, each with what to do when it fails.

The checks themselves live with the backend they are about (``backends/doctor.py`` runs them); this module
holds what every check produces and how a template is tried. Exit codes: 0 every check passed; 1 only
warnings (a run works, but something will bite: no LibreOffice for ``--pdf``, a service account without
Meet links); 2 at least one check failed (a run would fail or do the wrong thing).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from gmo_sync.core.model import Meeting
from gmo_sync.core.plan.protocols import meeting_context
from gmo_sync.core.reading import parse_sheet
from gmo_sync.core.seed import headers, seed_rows
from gmo_sync.core.sheet import SheetSnapshot, TabData
from gmo_sync.rendering import compile_template


class Status(StrEnum):
    OK = "ok"
    WARN = "warn"
    FAIL = "fail"
    SKIPPED = "skipped"  # not tried: what it depends on failed (said by that check)


MARKS = {Status.OK: "✓", Status.WARN: "⚠", Status.FAIL: "✗", Status.SKIPPED: "–"}


@dataclass(frozen=True)
class Check:
    name: str  # what was checked, e.g. «Таблица»
    status: Status
    detail: str  # what was found
    fix: str = ""  # what to do (empty when nothing needs doing)

    def line(self) -> str:
        text = f"{MARKS[self.status]} {self.name}: {self.detail}"
        return f"{text} → {self.fix}" if self.fix else text


def ok(name: str, detail: str, note: str = "") -> Check:
    return Check(name, Status.OK, detail, note)


def warn(name: str, detail: str, fix: str) -> Check:
    return Check(name, Status.WARN, detail, fix)


def fail(name: str, detail: str, fix: str = "") -> Check:
    return Check(name, Status.FAIL, detail, fix)


def skipped(name: str, because: str) -> Check:
    return Check(name, Status.SKIPPED, f"не проверено: {because}")


def exit_code(checks: list[Check]) -> int:
    statuses = {c.status for c in checks}
    if Status.FAIL in statuses:
        return 2
    return 1 if Status.WARN in statuses else 0


def sample_meeting(today: dt.date) -> Meeting:
    """The shipped example meeting (13.10.2021), to try a template on when the sheet offers none."""
    tabs = {}
    for name, rows in seed_rows(today).items():
        names = headers(name)
        tabs[name] = TabData(name, [list(names)] + [[row.get(h) for h in names] for row in rows])
    return parse_sheet(SheetSnapshot(tabs), today).meetings[0]


def try_template(template: bytes, name: str, meeting: Meeting, organisation: str, city: str) -> None:
    """Compile the template and render it once in memory; ``TemplateError`` names the tag that fails."""
    compile_template(template, template_name=name).render(meeting_context(meeting, organisation, city))
