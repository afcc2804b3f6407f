"""`gmo-sync run` and `calendar` on the local backend: all steps, idempotence, lock, cancellation."""

from __future__ import annotations

import json
from pathlib import Path

import filelock
import icalendar

from tests import xlsx
from tests.conftest import Invoke
from tests.test_cli import snapshot

PLANNED_ID = "ГМО-2026-12-16"


def events(workspace: Path) -> dict[str, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical((workspace / "calendar.ics").read_bytes())
    return {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}


def test_run_does_everything_and_the_second_run_nothing(gmo: Invoke, workspace: Path) -> None:
    first = gmo("run")
    assert first.exit_code == 0, first.output
    assert "Протоколы: создано 1, обновлено 0, пропущено 0, без изменений 0." in first.output
    assert "События: создано 2, обновлено 0, отменено 0." in first.output
    book = workspace / "ГМО.xlsx"
    assert xlsx.read(book, "Заседания", 3, "Событие") == "calendar.ics"
    assert xlsx.cell(book, "Заседания", 3, "Событие").hyperlink.target == "calendar.ics"
    found = events(workspace)
    planned = found[
        "ГМО: Итоги Международного месячника школьных библиотек и план работы на второе полугодие"
    ]
    assert planned["DTSTART"].dt.isoformat() == "2026-12-16T14:00:00+07:00"
    assert planned["DTEND"].dt.isoformat() == "2026-12-16T15:30:00+07:00"
    assert planned["DTSTART"].params["TZID"] == "Asia/Krasnoyarsk"
    assert "1. Итоги Международного месячника школьных библиотек в районах." in str(planned["DESCRIPTION"])
    before = snapshot(workspace)
    second = gmo("run")
    assert (second.exit_code, second.output) == (
        0,
        "Протоколы: создано 0, обновлено 0, пропущено 0, без изменений 1.\n"
        "События: создано 0, обновлено 0, отменено 0.\n"
        "Таблица не изменена.\n",
    )
    assert snapshot(workspace) == before


def test_changed_and_cancelled_meetings_update_the_calendar(gmo: Invoke, workspace: Path) -> None:
    assert gmo("run").exit_code == 0
    book = workspace / "ГМО.xlsx"
    uid_before = {str(e["UID"]) for e in events(workspace).values()}
    xlsx.edit(book, "Заседания", 3, "Начало", "15:00")
    changed = gmo("calendar")
    assert changed.exit_code == 0
    assert "События: создано 0, обновлено 1, отменено 0." in changed.output
    xlsx.edit(book, "Заседания", 3, "Статус", "отменено")
    cancelled = gmo("calendar")
    assert cancelled.exit_code == 0
    assert "События: создано 0, обновлено 0, отменено 1." in cancelled.output
    after = events(workspace)
    assert {str(e["UID"]) for e in after.values()} == uid_before  # same events, never duplicated
    planned = next(e for e in after.values() if str(e["UID"]).startswith("gmo-2026-12-16"))
    assert (str(planned["STATUS"]), int(planned["SEQUENCE"])) == ("CANCELLED", 2)


def test_mass_cancellation_needs_the_flag(gmo: Invoke, workspace: Path) -> None:
    book = workspace / "ГМО.xlsx"
    for day in range(17, 24):
        meeting = {"ID": f"ГМО-2026-12-{day}", "Дата": f"{day}.12.2026", "Начало": "10:00",
                   "Формат": "онлайн",
                   "Тема": f"Встреча {day}", "Статус": "запланировано"}  # fmt: skip
        xlsx.append(book, "Заседания", meeting)
    assert gmo("calendar").exit_code == 0
    for row in range(4, 11):
        xlsx.edit(book, "Заседания", row, "Статус", "отменено")
    refused = gmo("calendar")
    assert refused.exit_code == 1
    assert "Календарь: Отмена 7 событий из 9 за один запуск похожа на ошибку" in refused.output
    allowed = gmo("calendar", "--allow-mass-cancel")
    assert allowed.exit_code == 0
    assert "События: создано 0, обновлено 0, отменено 7." in allowed.output


def test_calendar_dry_run_changes_nothing(gmo: Invoke, workspace: Path) -> None:
    before = snapshot(workspace)
    result = gmo("calendar", "--dry-run")
    assert result.exit_code == 0
    assert "  создать событие «ГМО: Итоги Международного месячника" in result.output
    assert snapshot(workspace) == before


def test_second_run_while_one_holds_the_lock_exits_3(gmo: Invoke, workspace: Path) -> None:
    with filelock.FileLock(str(workspace / ".gmo-sync.lock"), timeout=0):
        result = gmo("run")
    assert result.exit_code == 3
    assert "Другой запуск gmo-sync уже работает" in result.output
    assert gmo("run").exit_code == 0  # released: the next run goes


def test_json_summary_of_run(gmo: Invoke) -> None:
    data = json.loads(gmo("run", "--json").output)
    assert data["counts"]["created"] == 1 and data["counts"]["events_created"] == 2
    assert data["exit_code"] == 0 and data["failed_steps"] == [] and data["duration_seconds"] >= 0


def test_log_file_gets_one_line_per_run(gmo: Invoke, workspace: Path) -> None:
    config = workspace / "gmo-sync.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text('log_file = "logs/gmo-sync.log"\n' + text, encoding="utf-8")
    assert gmo("run", "-q").exit_code == 0
    assert gmo("run", "-q").exit_code == 0
    lines = (workspace / "logs" / "gmo-sync.log").read_text(encoding="utf-8").splitlines()
    runs = [line for line in lines if " INFO gmo_sync: run: " in line]
    assert len(runs) == 2
    assert "created=1" in runs[0] and "events_created=2" in runs[0] and "код выхода 0" in runs[0]
    assert " run: unchanged=1; проблем: 0; код выхода 0;" in runs[1]  # nothing changed, one protocol kept


def test_json_on_a_fatal_error_still_prints_json(gmo: Invoke, workspace: Path) -> None:
    (workspace / ".~lock.ГМО.xlsx#").write_text("user,host")
    result = gmo("run", "--json")
    assert result.exit_code == 2
    data = json.loads(result.stdout)
    assert data["exit_code"] == 2 and "открыта в редакторе" in data["error"]


def test_leftovers_of_a_killed_save_are_removed_by_the_next_write(gmo: Invoke, workspace: Path) -> None:
    stale = [
        workspace / ".ГМО.xlsx.abc123.tmp",
        workspace / "protocols" / ".2021-10-13 Протокол № 2.docx.x1.tmp",
    ]
    for path in stale:
        path.write_bytes(b"half a file")
    assert gmo("run").exit_code == 0
    assert not any(path.exists() for path in stale)


def test_a_sort_saved_between_read_and_write_never_puts_a_link_in_another_row(workspace: Path) -> None:
    """A coordinator sorts the workbook (and saves) while a run renders: each link follows its row."""
    from gmo_sync.backends.local import open_local
    from gmo_sync.backends.local.workbook import LocalWorkbook
    from gmo_sync.core.clock import fixed_clock
    from gmo_sync.core.config import load_config
    from gmo_sync.core.pipeline import Options, run
    from tests.frozen import NOW

    book = workspace / "ГМО.xlsx"
    xlsx.append(book, "Заседания", {"Дата": "17.11.2021", "Формат": "очно", "Тема": "Вторая встреча",
                                     "Статус": "проведено"})  # fmt: skip

    class SortedMeanwhile(LocalWorkbook):
        def read(self):  # type: ignore[no-untyped-def]
            snapshot = super().read()
            xlsx.reorder(self.path, "Заседания", [1, 4, 2, 3])  # the new meeting first now
            return snapshot

    config = load_config(workspace / "gmo-sync.toml")
    backends = open_local(config)
    report = run("protocols", config, SortedMeanwhile(book), backends.protocols, fixed_clock(NOW),
                 Options(protocols=True))  # fmt: skip
    assert report.problems == [] and report.cells_written > 0
    for row in (2, 3, 4):
        meeting_id = xlsx.read(book, "Заседания", row, "ID")
        link = xlsx.read(book, "Заседания", row, "Протокол")
        if meeting_id == "ГМО-2021-10-13":
            assert link == "2021-10-13 Протокол № 2.docx"
        elif meeting_id == "ГМО-2021-11-17":
            assert link == "2021-11-17 Протокол № 3.docx"
        else:
            assert link is None, (row, meeting_id, link)  # the planned meeting has no protocol
    assert xlsx.read(book, "Заседания", 2, "ID") == "ГМО-2021-11-17"  # its ID followed it too
