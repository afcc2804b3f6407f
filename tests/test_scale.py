"""Work grows linearly with the sheet, and the fast paths of a no-change run agree with the slow ones.

Nothing here is timed (the benchmark measures speed): the work of a run is counted in Python function
calls, which do not depend on the machine or its load. Twice the meetings must cost about twice the calls;
a scan of every meeting per decision (quadratic) shows up as far more.
"""

from __future__ import annotations

import cProfile
import datetime as dt
import io
import pstats
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from icalendar import Calendar

from gmo_sync.backends.local.ics import LocalCalendar, _our_events, _untrusted_zones
from gmo_sync.backends.local.protocols import LocalProtocolStore, file_marks, mark
from gmo_sync.backends.local.vtimezone import GENERATOR_VERSION
from gmo_sync.core.clock import fixed_clock
from gmo_sync.core.pipeline import Options, run
from gmo_sync.core.ports import EventAction, EventActionKind
from gmo_sync.core.schema import AGENDA, DECISIONS, MEETINGS
from gmo_sync.rendering import compile_template, template_bytes
from tests.contract.memory_calendar import MemoryCalendar
from tests.contract.samples import ZONE, make_config
from tests.frozen import NOW, TODAY
from tests.memory_backends import MemoryProtocolStore, MemorySheet
from tests.test_rendering import context_for, make_meeting

PEOPLE = ["Замятина Е.Д.", "Попыхова Т.Ю."]


def sheet_with(count: int) -> MemorySheet:
    """The seeded sheet plus ``count`` held meetings, each with two agenda items and two decisions."""
    sheet = MemorySheet.seeded(TODAY)
    tabs = sheet.snapshot.tabs
    header = {name: list(tabs[name].rows[0]) for name in tabs}

    def add(tab: str, values: dict[str, object]) -> None:
        tabs[tab].rows.append([values.get(h) for h in header[tab]])

    for i in range(count):
        day = dt.date(2015, 1, 5) + dt.timedelta(days=i)
        meeting_id = f"ГМО-{day:%Y-%m-%d}"
        place = "онлайн" if i % 2 else "очно"
        add(MEETINGS.name, {"ID": meeting_id, "Дата": day, "Начало": "14:00", "Формат": place,
                            "Тема": f"Тема {i}", "Статус": "проведено", "Присутствовало": 12})  # fmt: skip
        for n in (1, 2):
            add(AGENDA.name, {"ID заседания": meeting_id, "№": n, "Вопрос": f"Вопрос {n}",
                              "Докладчик": PEOPLE[0]})  # fmt: skip
            add(DECISIONS.name, {"ID заседания": meeting_id, "№": n, "Решение": f"Решение {n}",
                                 "Ответственный": PEOPLE[n - 1], "Срок": "постоянно"})  # fmt: skip
    return sheet


def calls_of_a_run(count: int) -> int:
    """Python function calls of a whole `run` (sync, protocols, calendar) over ``count`` meetings."""
    sheet, store, calendar = sheet_with(count), MemoryProtocolStore(), MemoryCalendar()
    options = Options(protocols=True, calendar=True, allow_mass_cancel=True)
    first = run("run", make_config(), sheet, store, fixed_clock(NOW), options, calendar)
    assert not first.problems, first.problems
    assert store.saves == count + 1  # and the seeded held meeting
    profile = cProfile.Profile()
    profile.enable()
    again = run("run", make_config(), sheet, store, fixed_clock(NOW), Options(protocols=True, calendar=True),
                calendar)  # fmt: skip
    profile.disable()
    assert again.counts.get("unchanged") == count + 1 and store.saves == count + 1
    return int(pstats.Stats(profile).total_calls)  # type: ignore[attr-defined]


def test_a_no_change_run_over_twice_the_meetings_costs_about_twice_the_work() -> None:
    small, large = calls_of_a_run(60), calls_of_a_run(120)
    # linear work plus a constant: the ratio is a little under 2; per-decision scans make it ~2.7
    assert large / small < 2.15, (small, large)


# -- the .ics: reading only the properties `existing` needs gives what the full parse gives ----------------
def tricky(zones: str) -> str:
    """Folded, escaped, nested, lower-case and pasted events; ``zones``: the file's VTIMEZONE part."""
    return f"""BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//gmo-sync//gmo-sync//RU\r
{zones}BEGIN:VEVENT\r
UID:gmo-1@gmo-sync\r
DTSTART;TZID=Asia/Krasnoyarsk:20261216T140000\r
SUMMARY:ГМО: тема\\, с запятой\\; и точкой с запятой\\nи новой строкой — длинная строка, которая\r
  переносится по правилам RFC 5545 посреди слова\r
SEQUENCE:3\r
STATUS:CONFIRMED\r
X-GMO-SYNC-MEETING;VALUE=TEXT:ГМО\\,1\r
X-GMO-SYNC-HASH:abc123\r
BEGIN:VALARM\r
ACTION:DISPLAY\r
SUMMARY:напоминание\r
STATUS:CANCELLED\r
END:VALARM\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:party@example.org\r
DTSTART;TZID=Europe/Paris:20261216T140000\r
SUMMARY:Чужое событие\r
END:VEVENT\r
BEGIN:VEVENT\r
uid:gmo-2@gmo-sync\r
dtstart;tzid=Europe/Moscow:20261217T100000\r
summary;LANGUAGE=ru:отменённое\r
status:cancelled\r
x-gmo-sync-meeting;VALUE=TEXT:гмо-2\r
X-GMO-SYNC-HASH:def456\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:copy@example.org\r
DTSTART;TZID=America/New_York:20261217T100000\r
SUMMARY:копия, вставленная вручную\r
X-GMO-SYNC-MEETING;VALUE=TEXT:ГМО-2\r
X-GMO-SYNC-HASH:000\r
END:VEVENT\r
END:VCALENDAR\r
"""


ZONE_BLOCK = "BEGIN:VTIMEZONE\r\nTZID:{tzid}\r\nBEGIN:STANDARD\r\nDTSTART:20000101T000000\r\n" \
    "TZOFFSETFROM:+0700\r\nTZOFFSETTO:+0700\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"
VARIANTS = {
    "no zones": "",
    "zones, no generator mark": ZONE_BLOCK.format(tzid="Asia/Krasnoyarsk"),
    "ours marked, one zone missing": f"X-GMO-SYNC-VTIMEZONE:{GENERATOR_VERSION}\r\n"
    + ZONE_BLOCK.format(tzid="Asia/Krasnoyarsk"),
    "ours marked, both zones": f"X-GMO-SYNC-VTIMEZONE:{GENERATOR_VERSION}\r\n"
    + ZONE_BLOCK.format(tzid="Asia/Krasnoyarsk") + ZONE_BLOCK.format(tzid="Europe/Moscow"),
}


@pytest.mark.parametrize("variant", VARIANTS)
def test_existing_events_read_quickly_are_those_the_full_parse_reads(tmp_path: Path, variant: str) -> None:
    path = tmp_path / "calendar.ics"
    path.write_bytes(tricky(VARIANTS[variant]).encode("utf-8"))
    store = LocalCalendar(path, ZONE, clock=fixed_clock(NOW))
    calendar = Calendar.from_ical(path.read_bytes())
    untrusted = _untrusted_zones(calendar)
    full = {s.meeting_id: s for s in (store._stored(e, untrusted) for e in _our_events(calendar).values())}
    assert store.existing() == full
    assert set(full) == {"ГМО,1", "гмо-2"}  # the pasted copy of ГМО-2 comes after the original: ignored
    assert full["ГМО,1"].summary.startswith("ГМО: тема, с запятой; и точкой с запятой\nи новой")
    assert full["ГМО,1"].sequence == 3 and not full["ГМО,1"].cancelled  # not the alarm's STATUS
    assert full["гмо-2"].cancelled
    trusted = {m for m, s in full.items() if s.content_hash}
    assert trusted == {"no zones": set(), "zones, no generator mark": set(),
                       "ours marked, one zone missing": {"ГМО,1"},
                       "ours marked, both zones": {"ГМО,1", "гмо-2"}}[variant]  # fmt: skip


def test_a_run_with_nothing_to_change_leaves_the_ics_file_untouched(tmp_path: Path) -> None:
    path = tmp_path / "calendar.ics"
    data = tricky(VARIANTS["ours marked, both zones"]).encode("utf-8")
    path.write_bytes(data)
    store = LocalCalendar(path, ZONE, clock=fixed_clock(NOW))
    # the plan of a run in which nothing changed: every event as it is
    actions = [EventAction(EventActionKind.KEEP, s.meeting_id, None, s) for s in store.existing().values()]
    before = path.stat().st_mtime_ns
    outcomes = store.apply(actions)
    assert [o.stored for o in outcomes] == [a.existing for a in actions] and len(outcomes) == 2
    assert path.read_bytes() == data and path.stat().st_mtime_ns == before


# -- .docx protocols: a file exactly as written is recognised from the zip directory -------------------------
def rewrite(path: Path, member: str, edit: Callable[[bytes], bytes]) -> None:
    """Rewrite one member of a .docx the way an editor re-saving the file would: a new zip, new bytes."""
    with zipfile.ZipFile(path) as archive:
        members = {i.filename: archive.read(i.filename) for i in archive.infolist()}
    members[member] = edit(members[member])
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    path.write_bytes(out.getvalue())


def rewrite_body(path: Path, change: bytes) -> None:
    """New bytes for word/document.xml; ``change`` added to its first text (b"": the same text)."""
    if change:
        rewrite(path, "word/document.xml", lambda body: body.replace(b"</w:t>", change + b"</w:t>", 1))
    else:
        rewrite(path, "word/document.xml", lambda body: body.replace(b"<w:body>", b"<w:body>\n"))


@pytest.mark.parametrize(
    ("change", "edited"),
    [(None, False), (b"", False), (b" (\xd0\xbf\xd1\x80\xd0\xb0\xd0\xb2\xd0\xba\xd0\xb0)", True)],
)
def test_hand_edits_are_found_with_and_without_the_shortcut(
    tmp_path: Path, change: bytes | None, edited: bool
) -> None:
    store = LocalProtocolStore(tmp_path / "protocols", tmp_path, tmp_path / "t.docx")
    compiled = compile_template(template_bytes("default"), template_name="default.docx")
    content = compiled.render(context_for(make_meeting()), store.stamp("ГМО-1", "input"))
    stored = store.save("ГМО-1", "Протокол", content, "input", None)
    path = tmp_path / "protocols" / stored.location
    if change is not None:
        rewrite_body(path, change)  # b"": other bytes, same text — a re-save is not an edit
    assert file_marks(path) == ("gmo-sync:ГМО-1", "input", edited)
    assert store.existing()["ГМО-1"].edited_by_hand is edited


def test_files_marked_before_the_crc_was_recorded_are_still_checked_by_their_text(tmp_path: Path) -> None:
    path = tmp_path / "a.docx"
    rendered = compile_template(template_bytes("default"), template_name="default.docx").render({"тема": "x"})
    path.write_bytes(mark(rendered, "ГМО-1", "input"))
    # «input:text», as gmo-sync wrote it before the version carried the CRC
    rewrite(
        path, "docProps/core.xml", lambda core: re.sub(rb"(<cp:version>[^:]*:[^:]*):[0-9a-f]+", rb"\1", core)
    )
    assert file_marks(path) == ("gmo-sync:ГМО-1", "input", False)
    rewrite_body(path, b"!")
    assert file_marks(path) == ("gmo-sync:ГМО-1", "input", True)
