"""The commands end to end on the local backend, with exact output (CliRunner, frozen clock)."""

from __future__ import annotations

import json
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner

from gmo_sync.backends.local.pdf import find_office
from gmo_sync.cli.main import cli
from tests import xlsx
from tests.conftest import Invoke

PROTOCOL = "2021-10-13 Протокол № 2.docx"


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file's bytes, except the run lock (an empty file the OS lock is taken on)."""
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != ".gmo-sync.lock"
    }


def test_check_on_a_fresh_workspace(gmo: Invoke) -> None:
    result = gmo("check")
    assert (result.exit_code, result.output) == (0, "Проблем не найдено.\n")


def test_protocols_dry_run_changes_nothing(gmo: Invoke, workspace: Path) -> None:
    before = snapshot(workspace)
    result = gmo("protocols", "--dry-run")
    assert result.exit_code == 0
    assert result.output == (
        "Пробный запуск (--dry-run): ничего не изменено. План:\n"
        "  создать протокол «2021-10-13 Протокол № 2» (заседание ГМО-2021-10-13)\n"
        "  Решения!F4: Статус ← «просрочено»\n"
        f"  Заседания!O2: Протокол ← «{PROTOCOL}»\n"
        "Протоколы: создано 1, обновлено 0, пропущено 0, без изменений 0.\n"
    )
    assert snapshot(workspace) == before


def test_protocols_then_second_run_writes_nothing(gmo: Invoke, workspace: Path) -> None:
    result = gmo("protocols")
    assert (result.exit_code, result.output) == (
        0,
        "создан протокол «2021-10-13 Протокол № 2» (заседание ГМО-2021-10-13)\n"
        "Решения!F4: Статус ← «просрочено»\n"
        f"Заседания!O2: Протокол ← «{PROTOCOL}»\n"
        "Протоколы: создано 1, обновлено 0, пропущено 0, без изменений 0.\n"
        "Ячеек записано: 3.\n",
    )
    workbook = workspace / "ГМО.xlsx"
    link = xlsx.cell(workbook, "Заседания", 2, "Протокол")
    assert link.value == PROTOCOL
    # relative and percent-encoded, so the folder can be moved and the link still opens the file
    assert (
        link.hyperlink.target
        == "protocols/2021-10-13%20%D0%9F%D1%80%D0%BE%D1%82%D0%BE%D0%BA%D0%BE%D0%BB%20%E2%84%96%202.docx"
    )
    assert xlsx.read(workbook, "Заседания", 2, "Синхронизировано") == "25.11.2026 12:00"
    assert xlsx.rows(workbook, "Журнал")[1] == (
        "25.11.2026 12:00",
        "protocols",
        "протоколов создано: 1, ячеек записано: 3",
        None,
    )
    before = snapshot(workspace)
    again = gmo("protocols")
    assert (again.exit_code, again.output) == (
        0,
        "Протоколы: создано 0, обновлено 0, пропущено 0, без изменений 1.\nТаблица не изменена.\n",
    )
    assert snapshot(workspace) == before, "a second run with no sheet change must write nothing"


def test_seed_protocol_reads_like_the_real_one(gmo: Invoke, workspace: Path) -> None:
    gmo("protocols")
    document = docx.Document(str(workspace / "protocols" / PROTOCOL))
    text = "\n".join(p.text for p in document.paragraphs)
    text += "\n".join(c.text for t in document.tables for row in t.rows for c in row.cells)
    for fact in [
        "Протокол № 2",
        "13 октября 2021 г.",
        "13 человек",
        "Организация методического сопровождения",
        "Социальное партнёрство как фактор профессионального развития",
        "Прения",
        "Я — школьный библиотекарь — 2021!",
        "региональном этапе Конкурсов",
        "чек-лист по авторизации",
        "Библиошкола",
        "Замятина Е.Д.",
    ]:
        assert fact in text, fact


def test_cosmetic_edit_causes_no_rewrite(gmo: Invoke, workspace: Path) -> None:
    assert gmo("protocols").exit_code == 0
    xlsx.edit(workspace / "ГМО.xlsx", "Заседания", 2, "Начало", "14-00")  # was a 14:00 time cell
    before = (workspace / "protocols" / PROTOCOL).read_bytes()
    result = gmo("protocols")
    assert result.exit_code == 0
    assert "Протоколы: создано 0, обновлено 0, пропущено 0, без изменений 1." in result.output
    assert (workspace / "protocols" / PROTOCOL).read_bytes() == before


def test_changed_meeting_updates_the_same_file(gmo: Invoke, workspace: Path) -> None:
    assert gmo("protocols").exit_code == 0
    xlsx.edit(workspace / "ГМО.xlsx", "Заседания", 2, "Тема", "Новая тема заседания")
    result = gmo("protocols")
    assert result.exit_code == 0
    assert "обновлён протокол «2021-10-13 Протокол № 2»" in result.output
    assert [p.name for p in (workspace / "protocols").iterdir()] == [PROTOCOL]
    text = "\n".join(p.text for p in docx.Document(str(workspace / "protocols" / PROTOCOL)).paragraphs)
    assert "Новая тема заседания" in text


def test_hand_edited_protocol_is_kept_without_force(gmo: Invoke, workspace: Path) -> None:
    assert gmo("protocols").exit_code == 0
    path = workspace / "protocols" / PROTOCOL
    document = docx.Document(str(path))
    document.add_paragraph("Дополнение секретаря, внесённое вручную.")
    document.save(str(path))
    xlsx.edit(workspace / "ГМО.xlsx", "Заседания", 2, "Тема", "Новая тема")
    result = gmo("protocols")
    assert result.exit_code == 1
    assert (
        "пропустить протокол «2021-10-13 Протокол № 2» (заседание ГМО-2021-10-13): документ изменён "
        "вручную после создания; чтобы перезаписать, запустите с --force" in result.output
    )
    assert "Дополнение секретаря" in "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
    forced = gmo("protocols", "--force")
    assert forced.exit_code == 0, forced.output
    assert "обновлён протокол" in forced.output
    assert "Дополнение секретаря" not in "\n".join(p.text for p in docx.Document(str(path)).paragraphs)


def test_cleared_link_is_written_again_without_a_second_protocol(gmo: Invoke, workspace: Path) -> None:
    assert gmo("protocols").exit_code == 0
    xlsx.edit(workspace / "ГМО.xlsx", "Заседания", 2, "Протокол", None)
    result = gmo("protocols")
    assert result.exit_code == 0
    assert f"Заседания!O2: Протокол ← «{PROTOCOL}»" in result.output
    assert len(list((workspace / "protocols").iterdir())) == 1


def test_held_meeting_gets_id_and_next_number(gmo: Invoke, workspace: Path) -> None:
    book = workspace / "ГМО.xlsx"
    row = xlsx.append(book, "Заседания", {"Дата": "18 ноября 2021 г.", "Начало": "15.00", "Формат": "очно",
                                           "Тема": "Итоги месячника", "Статус": "проведено"})  # fmt: skip
    result = gmo("sync")
    assert result.exit_code == 0, result.output
    assert f"Заседания!A{row}: ID ← «ГМО-2021-11-18»" in result.output
    assert f"Заседания!B{row}: № протокола ← «3»" in result.output
    assert xlsx.read(book, "Заседания", row, "ID") == "ГМО-2021-11-18"
    assert xlsx.read(book, "Заседания", row, "№ протокола") == "3"


def test_problems_are_listed_with_their_cells_and_valid_rows_go_on(gmo: Invoke, workspace: Path) -> None:
    book = workspace / "ГМО.xlsx"
    xlsx.edit(book, "Заседания", 2, "Присутствовало", "тринадцать")
    xlsx.append(book, "Заседания", {"Дата": "31.02.2022", "Тема": "Ошибка", "Статус": "провдено"})
    xlsx.append(book, "Повестка", {"ID заседания": "ГМО-1999", "№": 1, "Вопрос": "?"})
    result = gmo("check")
    assert result.exit_code == 1
    assert result.output == (
        "Проблемы (4):\n"
        "  Заседания!M2: найдено «тринадцать», ожидается целое число, например 13 или «13 человек»\n"
        "  Заседания!C4: такой даты нет: «31.02.2022»; ожидается дата, например 13.10.2021 или "
        "«13 октября 2021 г.»\n"
        "  Заседания!N4: найдено «провдено», ожидается «запланировано» / «проведено» / «отменено». "
        "Может быть, «проведено»?\n"
        "  Повестка!A7: заседание с ID «ГМО-1999» не найдено на листе «Заседания»\n"
    )


def test_missing_required_column_is_one_clear_error(gmo: Invoke, workspace: Path) -> None:
    xlsx.edit(workspace / "ГМО.xlsx", "Заседания", 1, "Тема", "Тема заседания")
    result = gmo("check")
    assert result.exit_code == 2
    assert (
        result.output
        == "Ошибка: таблица не может быть прочитана:\n  Заседания: нет обязательного столбца «Тема»\n"
    )


def test_headers_match_ignoring_case_spaces_and_yo(gmo: Invoke, workspace: Path) -> None:
    xlsx.edit(workspace / "ГМО.xlsx", "Заседания", 1, "Тема", "  тема\u00a0 ")
    xlsx.edit(workspace / "ГМО.xlsx", "Решения", 1, "Отметка о выполнении", "ОТМЕТКА  о выполнении")
    assert gmo("check").exit_code == 0


def test_formula_typed_in_a_cell_is_a_problem_and_tool_values_are_never_formulas(
    gmo: Invoke, workspace: Path
) -> None:
    book = workspace / "ГМО.xlsx"
    xlsx.edit(book, "Заседания", 2, "Присутствовало", "=10+3")
    result = gmo("protocols")
    assert result.exit_code == 1
    assert "Заседания!M2: в ячейке формула «=10+3»; введите значение, а не формулу" in result.output
    journal = xlsx.cell(book, "Журнал", 2, "Проблемы")
    assert journal.data_type == "s" and "=10+3" in journal.value


def test_problems_already_logged_write_no_new_journal_row(gmo: Invoke, workspace: Path) -> None:
    book = workspace / "ГМО.xlsx"
    xlsx.edit(book, "Заседания", 3, "Формат", "онлаин")
    first = gmo("sync")
    assert first.exit_code == 1
    assert len(xlsx.rows(book, "Журнал")) == 2
    before = book.read_bytes()
    second = gmo("sync")
    assert second.exit_code == 1
    assert book.read_bytes() == before


def test_workbook_open_in_an_editor_is_not_written(gmo: Invoke, workspace: Path) -> None:
    lock = workspace / ".~lock.ГМО.xlsx#"
    lock.write_text("user,host")
    before = snapshot(workspace)
    result = gmo("protocols")
    assert result.exit_code == 2
    assert "открыта в редакторе" in result.output
    assert snapshot(workspace) == before


def test_json_output(gmo: Invoke) -> None:
    result = gmo("protocols", "--json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["counts"]["created"] == 1
    assert data["exit_code"] == 0 and data["problems"] == []


def test_meeting_option_and_unknown_meeting(gmo: Invoke) -> None:
    result = gmo("protocols", "--meeting", "ГМО-2026-12-16", "--dry-run")
    assert result.exit_code == 0  # a skip is not a problem of the sheet
    assert "заседание ещё не проведено" in result.output
    unknown = gmo("protocols", "--meeting", "нет-такого")
    assert unknown.exit_code == 1
    assert "Заседания: заседание с ID «нет-такого» не найдено" in unknown.output


def test_init_twice_creates_nothing_the_second_time(tmp_path: Path) -> None:
    runner = CliRunner()
    first = runner.invoke(cli, ["init", "--local", str(tmp_path / "w")])
    assert first.exit_code == 0 and "ГМО.xlsx" in first.output
    second = runner.invoke(cli, ["init", "--local", str(tmp_path / "w")])
    assert second.exit_code == 0
    assert f"Рабочая папка {tmp_path / 'w'} уже готова: ничего не создано." in second.output


def test_missing_config_file_is_exit_2(gmo: Invoke) -> None:
    result = gmo("check", "--config", "nope.toml")
    assert (result.exit_code, result.output) == (2, "Ошибка: Файл настроек nope.toml не найден.\n")


def test_every_command_has_help_with_an_example() -> None:
    for name in cli.commands:
        result = CliRunner().invoke(cli, [name, "--help"])
        assert result.exit_code == 0
        assert "Пример" in result.output, name


def test_unexpected_error_says_how_to_see_the_traceback(gmo: Invoke, monkeypatch) -> None:
    import gmo_sync.cli.running as running

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("диск пропал")

    monkeypatch.setattr(running, "run", broken)
    result = gmo("sync")
    assert (result.exit_code, result.output) == (
        2,
        "Непредвиденная ошибка: RuntimeError: диск пропал\n"
        "Запустите команду ещё раз с -v, чтобы увидеть подробности (traceback).\n",
    )
    try:
        gmo("sync", "-v")
    except RuntimeError as error:
        assert str(error) == "диск пропал"
    else:
        raise AssertionError("-v must let the traceback through")


def test_hostile_cell_text_is_rendered_literally(gmo: Invoke, workspace: Path) -> None:
    book = workspace / "ГМО.xlsx"
    xlsx.edit(book, "Заседания", 2, "Тема", "{{ 7*7 }} <b>&amp; {% for x in y %}")
    xlsx.edit(book, "Выступления", 2, "Содержание", '=HYPERLINK("http://example.org")')
    assert gmo("protocols").exit_code == 1  # the formula is reported; the protocol is made all the same
    document = docx.Document(str(workspace / "protocols" / PROTOCOL))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "{{ 7*7 }} <b>&amp; {% for x in y %}" in text
    assert "49" not in text


def test_quiet_prints_nothing_on_success_and_problems_on_failure(gmo: Invoke, workspace: Path) -> None:
    assert gmo("protocols", "-q").output == ""
    xlsx.edit(workspace / "ГМО.xlsx", "Заседания", 2, "Формат", "онлаин")
    result = gmo("-q", "sync")
    assert result.exit_code == 1
    assert result.output == (
        "Проблемы (1):\n"
        "  Заседания!F2: найдено «онлаин», ожидается «онлайн» / «очно» / «смешанный». Может быть, «онлайн»?\n"
    )


def test_merged_cells_are_reported(gmo: Invoke, workspace: Path) -> None:
    import openpyxl

    book_path = workspace / "ГМО.xlsx"
    book = openpyxl.load_workbook(book_path)
    book["Повестка"].merge_cells("D2:D3")
    book.save(book_path)
    result = gmo("check")
    assert result.exit_code == 1
    assert (
        "Повестка!D2:D3: объединённые ячейки: разъедините их, у каждой строки свои значения" in result.output
    )


def test_gost_template_through_the_config(gmo: Invoke, workspace: Path, monkeypatch) -> None:
    monkeypatch.setenv("GMO_SYNC_LOCAL_TEMPLATE", "templates/gost.docx")
    assert gmo("protocols").exit_code == 0
    text = "\n".join(p.text for p in docx.Document(str(workspace / "protocols" / PROTOCOL)).paragraphs)
    assert "СЛУШАЛИ" in text and "ПОСТАНОВИЛИ" in text


def test_broken_template_is_exit_2_naming_template_and_tag(gmo: Invoke, workspace: Path) -> None:
    template = workspace / "templates" / "default.docx"
    document = docx.Document(str(template))
    document.add_paragraph("{% for п in повестка %}")
    document.save(str(template))
    result = gmo("protocols")
    assert result.exit_code == 2
    assert "Ошибка в шаблоне «default.docx», тег «{% for п in повестка %}»" in result.output
    assert not list((workspace / "protocols").iterdir())


def test_bad_config_reports_every_problem(gmo: Invoke, workspace: Path) -> None:
    (workspace / "gmo-sync.toml").write_text(
        'backend = "exel"\ntimezone = "Mars/Base"\nnumbring = "academic"\n[local]\nworkbok = "x.xlsx"\n',
        encoding="utf-8",
    )
    result = gmo("check")
    assert result.exit_code == 2
    assert result.output == (
        f"Ошибка: Ошибки в {workspace / 'gmo-sync.toml'}:\n"
        "  [local] workbok: неизвестный параметр\n"
        "  backend = «exel»: допустимо local / google\n"
        "  numbring: неизвестный параметр\n"
        "  timezone = «Mars/Base»: неизвестный часовой пояс (пример: Asia/Krasnoyarsk)\n"
    )


def test_pdf_without_libreoffice_is_a_clear_problem(gmo: Invoke, workspace: Path, monkeypatch) -> None:
    monkeypatch.setenv("PATH", str(workspace / "no-such-bin"))
    result = gmo("protocols", "--pdf")
    assert result.exit_code == 1
    assert "PDF не создан: не найден LibreOffice (soffice)" in result.output
    assert (workspace / "protocols" / PROTOCOL).exists()  # the document itself is still made


@pytest.mark.skipif(find_office() is None, reason="LibreOffice is not installed here")
def test_pdf_beside_the_protocol(gmo: Invoke, workspace: Path) -> None:
    result = gmo("protocols", "--pdf")
    assert result.exit_code == 0, result.output
    pdf = workspace / "protocols" / PROTOCOL.replace(".docx", ".pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
    again = gmo("protocols", "--pdf")
    assert again.exit_code == 0
    assert "PDF" not in again.output.replace("Протоколы", "")  # current: not made again


def test_init_dry_run_lists_and_creates_nothing(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["init", "--local", str(tmp_path / "w"), "--dry-run"])
    assert result.exit_code == 0
    assert result.output.splitlines()[0] == "Пробный запуск (--dry-run): ничего не изменено. План:"
    assert f"  создать {tmp_path / 'w' / 'ГМО.xlsx'}" in result.output
    assert not (tmp_path / "w").exists()
