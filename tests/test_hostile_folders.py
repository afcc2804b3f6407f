"""Broken folders and files fail only their own step, with a Russian sentence naming the path (issue 15.3).

Each case breaks something real — a file where the protocols folder should be, a full disk (a tiny
tmpfs), a workspace the run may not write to (another user), a damaged workbook — and checks that
the other steps still ran, the exit code is 1 (2 only when nothing could be done), the Журнал has
the row, and no «Непредвиденная ошибка» appears.
"""

from __future__ import annotations

import os
import shutil
import zipfile
from pathlib import Path

import icalendar

from gmo_sync.backends.local.setup import create_local_workspace
from tests import xlsx
from tests.conftest import Invoke
from tests.frozen import TODAY
from tests.hostile_support import as_unprivileged, journal_rows, on_tiny_disk, run, shared_tmp

BOOK = "ГМО.xlsx"
NEW_ROW = {"Дата": "20.11.2026", "Начало": "15:00", "Формат": "онлайн", "Тема": "Новое заседание",
           "Статус": "проведено"}  # fmt: skip


def event_ids(workspace: Path) -> set[str]:
    calendar = icalendar.Calendar.from_ical((workspace / "calendar.ics").read_bytes())
    return {str(e["X-GMO-SYNC-MEETING"]) for e in calendar.walk("VEVENT")}


def assert_other_steps_ran(workspace: Path, row: int, output: str) -> None:
    assert "Непредвиденная ошибка" not in output
    assert xlsx.read(workspace / BOOK, "Заседания", row, "ID") == "ГМО-2026-11-20"  # IDs synced
    assert "ГМО-2026-11-20" in event_ids(workspace)  # the calendar written


def test_a_file_named_protocols_fails_only_the_protocols_step(gmo: Invoke, workspace: Path) -> None:
    row = xlsx.append(workspace / BOOK, "Заседания", NEW_ROW)
    shutil.rmtree(workspace / "protocols")
    (workspace / "protocols").write_text("not a folder", encoding="utf-8")
    result = gmo("run")
    assert result.exit_code == 1, result.output
    assert_other_steps_ran(workspace, row, result.output)
    message = (f"Протоколы: Папка протоколов {workspace / 'protocols'}: это файл, а не папка. Что делать: "
               "переименуйте или уберите файл «protocols»")  # fmt: skip
    assert message in result.output
    assert message in str(journal_rows(workspace / BOOK)[-1][3])  # Проблемы of the run's Журнал row
    assert (workspace / "protocols").read_text(encoding="utf-8") == "not a folder"  # never replaced
    again = gmo("run")  # nothing new: the problem is already in the Журнал
    assert again.exit_code == 1 and message in again.output
    assert len(journal_rows(workspace / BOOK)) == 1


def test_a_template_that_is_a_folder_fails_only_the_protocols_step(gmo: Invoke, workspace: Path) -> None:
    row = xlsx.append(workspace / BOOK, "Заседания", NEW_ROW)
    template = workspace / "templates" / "default.docx"
    template.unlink()
    template.mkdir()
    result = gmo("run")
    assert result.exit_code == 1, result.output
    assert_other_steps_ran(workspace, row, result.output)
    assert f"Шаблон протокола {template}: это папка, а ожидается файл." in result.output


def test_a_calendar_file_that_is_a_folder_fails_only_the_calendar(gmo: Invoke, workspace: Path) -> None:
    (workspace / "calendar.ics").mkdir()
    result = gmo("run")
    assert result.exit_code == 1, result.output
    assert "Непредвиденная ошибка" not in result.output
    assert f"Календарь: Календарь {workspace / 'calendar.ics'}: это папка, а ожидается файл." in result.output
    assert any((workspace / "protocols").glob("*.docx"))  # protocols made and linked
    assert xlsx.read(workspace / BOOK, "Заседания", 2, "Протокол")


def test_a_full_disk_under_the_protocols_folder(workspace: Path) -> None:
    row = xlsx.append(workspace / BOOK, "Заседания", NEW_ROW)
    result = run(["run"], workspace, on_tiny_disk(workspace / "protocols", size="8k"))
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert_other_steps_ran(workspace, row, output)
    assert f"Протоколы: Папка протоколов {workspace / 'protocols'}: на диске нет места." in output
    assert "освободите место" in output
    assert not any((workspace / "protocols").iterdir())  # the tmpfs is gone, nothing leaked beneath


def test_a_workspace_the_run_may_not_write_to() -> None:
    with shared_tmp() as tmp:
        workspace = tmp / "ws"
        create_local_workspace(workspace, TODAY)
        workspace.chmod(0o555)
        prefix = as_unprivileged([workspace / "protocols"])  # only the protocols folder stays writable
        result = run(["run"], workspace, prefix)
        workspace.chmod(0o755)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "Непредвиденная ошибка" not in output
    assert "создан протокол «2021-10-13 Протокол № 2»" in output  # the writable folder got its protocol
    for what, path in (("Календарь", workspace / "calendar.ics"), ("Таблица", workspace / BOOK)):
        assert f"{what}: {what} {path}: нет прав на запись в папку {workspace}." in output
    assert "Изменения таблицы не сохранены" in output
    # a link that was not written is not shown as written: the planned write-back is reported failed
    written = [line for line in output.splitlines() if "Заседания!O2: Протокол ←" in line]
    assert written and all(line.startswith("не выполнено: ") for line in written), written


def _damage(book: Path, part: str) -> None:
    with zipfile.ZipFile(book) as source:
        items = [(i, source.read(i.filename)) for i in source.infolist()]
    with zipfile.ZipFile(book, "w") as target:
        for info, data in items:
            target.writestr(info, data[: len(data) // 2] if info.filename == part else data)


def test_a_damaged_workbook_names_the_backup(gmo: Invoke, workspace: Path) -> None:
    assert gmo("sync").exit_code in (0, 1)  # a write keeps the previous version as ГМО.xlsx.bak
    assert (workspace / "ГМО.xlsx.bak").exists()
    _damage(workspace / BOOK, "xl/worksheets/sheet1.xml")  # the zip opens, one sheet's XML is cut
    result = gmo("run")
    assert result.exit_code == 2
    assert "Непредвиденная ошибка" not in result.output
    assert f"Таблица {workspace / BOOK} повреждена" in result.output
    assert "ГМО.xlsx.bak" in result.output and "cp «" in result.output
    (workspace / BOOK).write_bytes(b"PK\x03\x04 not a zip at all")
    assert "ГМО.xlsx.bak" in gmo("check").output


def test_a_damaged_workbook_without_a_backup_says_so(gmo: Invoke, workspace: Path) -> None:
    (workspace / BOOK).write_bytes(b"garbage")
    result = gmo("check")
    assert result.exit_code == 2
    assert f"Таблица {workspace / BOOK} повреждена" in result.output
    assert "ГМО.xlsx.bak не найден" in result.output


def test_a_protocols_folder_the_run_may_not_write_to() -> None:
    with shared_tmp() as tmp:
        workspace = tmp / "ws"
        create_local_workspace(workspace, TODAY)
        row = xlsx.append(workspace / BOOK, "Заседания", NEW_ROW)
        prefix = as_unprivileged([workspace])  # the workspace is the user's …
        protocols = workspace / "protocols"
        if os.geteuid() == 0:
            os.chown(protocols, 0, 0)  # … its protocols folder is not
        protocols.chmod(0o555)
        result = run(["run"], workspace, prefix)
        protocols.chmod(0o755)
        output = result.stdout + result.stderr
        assert result.returncode == 1, output
        assert_other_steps_ran(workspace, row, output)
        assert f"Протоколы: Папка протоколов {protocols}: нет прав доступа. Что делать:" in output
        assert not any(protocols.iterdir())
