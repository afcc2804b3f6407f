"""Academic years: the meetings of one, its bounds (the «Год» tab itself is read by ``core.reading``).

Academic years run from 1 September to 31 August and are written «2026/27»
(``parsing.parse_academic_year`` also takes «2026/2027», «2026-2027 учебный год»).
"""

from __future__ import annotations

import datetime as dt

from gmo_sync.core.model import Meeting, academic_year_of


def year_bounds(start: int) -> tuple[dt.date, dt.date]:
    return dt.date(start, 9, 1), dt.date(start + 1, 8, 31)


def meetings_of_year(meetings: list[Meeting], start: int) -> list[Meeting]:
    """The year's meetings in date (then start time, then row) order."""
    chosen = [m for m in meetings if academic_year_of(m.date) == start]
    return sorted(chosen, key=lambda m: (m.date, m.start or dt.time(0), m.row))
