"""`gmo-sync report decisions`: the register of decisions as a document kept like protocols.

Local: a .docx in documents/ found again by its key, rewritten only when its data or template change,
never over a hand edit without --force; the workspace's own template replaces the shipped one.
Google: a Doc in the protocols folder, updated in place, against the fake Workspace.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import docx
import gspread
import pytest

from tests import xlsx
from tests.conftest import Invoke
from tests.fakegoogle.docs import docx_text
from tests.fakegoogle.server import FakeGoogle
from tests.google_env import GoogleInvoke
from tests.test_google_sheet import init_workspace, requests_since, type_rows

NAME = "Контроль исполнения решений"
SEED = "ГМО-2021-10-13"


def text_of(path: Path) -> list[str]:
    return docx_text(path.read_bytes())


def add_decision(
    book: Path, number: int, text: str, responsible: str, deadline: object, status: str = ""
) -> int:
    values = {
        "ID заседания": SEED,
        "№": number,
        "Решение": text,
        "Ответственный": responsible,
        "Срок": deadline,
    }
    if status:
        values["Статус"] = status
    return xlsx.append(book, "Решения", values)


def test_register_groups_by_status_then_person_with_totals(gmo: Invoke, workspace: Path) -> None:
    book = workspace / "ГМО.xlsx"
    add_decision(book, 4, "Обновить страницу ГМО", "Е. Д. Замятина", dt.date(2026, 12, 20))
    add_decision(book, 5, "Собрать отчёты РМО", "Попыхова Т.Ю.", dt.date(2026, 11, 1))
    result = gmo("report", "decisions")
    assert result.exit_code == 0, result.output
    path = workspace / "documents" / f"{NAME}.docx"
    assert f"создан документ «{NAME}»: documents/{NAME}.docx" in result.output
    lines = text_of(path)
    order = [line for line in lines if line.startswith(("Просрочено", "В работе", "Выполнено"))]
    assert order == ["Просрочено — 2", "В работе — 1", "Выполнено — 2"]
    # two spellings of one person are one group, named by the «ФИО» of «Участники»
    assert lines.count("Замятина Елена Дмитриевна (1)") == 2  # one overdue (seed), one in progress
    assert "Попыхова Татьяна Юрьевна (1)" in lines
    assert "№ 2 от 13.10.2021" in lines and "Заявки поданы от 6 районов" in lines
    assert "Итого решений: 5; выполнено — 2, в работе — 1, просрочено — 2." in lines
    overdue = lines.index("Просрочено — 2")
    in_progress = lines.index("В работе — 1")
    assert "Собрать отчёты РМО" in lines[overdue:in_progress]  # computed status: past its deadline


def test_unchanged_data_is_not_rewritten_changed_data_updates_in_place(gmo: Invoke, workspace: Path) -> None:
    assert gmo("report", "decisions").exit_code == 0
    path = workspace / "documents" / f"{NAME}.docx"
    written = path.stat().st_mtime_ns
    again = gmo("report", "decisions")
    assert again.exit_code == 0 and "без изменений 1" in again.output
    assert path.stat().st_mtime_ns == written
    xlsx.edit(workspace / "ГМО.xlsx", "Решения", 4, "Отметка о выполнении", "Чек-лист на сайте")
    updated = gmo("report", "decisions")
    assert "обновлён документ" in updated.output and "обновлено 1" in updated.output
    assert "Чек-лист на сайте" in text_of(path)
    assert sorted(p.name for p in (workspace / "documents").iterdir()) == [f"{NAME}.docx"]


def test_a_hand_edited_register_is_kept_unless_forced(gmo: Invoke, workspace: Path) -> None:
    gmo("report", "decisions")
    path = workspace / "documents" / f"{NAME}.docx"
    document = docx.Document(str(path))
    document.add_paragraph("Проверено завучем")
    document.save(str(path))
    xlsx.edit(workspace / "ГМО.xlsx", "Решения", 4, "Отметка о выполнении", "Готово")
    kept = gmo("report", "decisions")
    assert kept.exit_code == 1, kept.output
    assert "изменён вручную" in kept.output and "Проверено завучем" in text_of(path)
    forced = gmo("report", "decisions", "--force")
    assert forced.exit_code == 0, forced.output
    assert "Проверено завучем" not in text_of(path) and "Готово" in text_of(path)


def test_year_and_open_filters_name_their_own_document(gmo: Invoke, workspace: Path) -> None:
    result = gmo("report", "decisions", "--year", "2021/22", "--open")
    assert result.exit_code == 0, result.output
    path = workspace / "documents" / f"{NAME} 2021-22 (невыполненные).docx"
    lines = text_of(path)
    assert "заседаний ГМО: 2021/22 учебный год (только невыполненные решения)" in lines
    assert "Итого решений: 1; выполнено — 0, в работе — 0, просрочено — 1." in lines
    empty = gmo("report", "decisions", "--year", "2025/26")
    assert empty.exit_code == 1 and "за 2025/26 учебный год нет проведённых заседаний" in empty.output
    assert "Решений нет." in text_of(workspace / "documents" / f"{NAME} 2025-26.docx")


@pytest.mark.parametrize("year", ["2021/23", "21/22", "прошлый"])
def test_a_bad_year_is_a_usage_error(gmo: Invoke, year: str) -> None:
    result = gmo("report", "decisions", "--year", year)
    assert result.exit_code == 2 and "учебный год, например 2021/22" in result.output


def test_dry_run_makes_nothing(gmo: Invoke, workspace: Path) -> None:
    result = gmo("report", "decisions", "--dry-run")
    assert result.exit_code == 0, result.output
    assert f"создать документ «{NAME}»" in result.output
    assert not (workspace / "documents").exists()


def test_the_workspace_template_replaces_the_shipped_one(gmo: Invoke, workspace: Path) -> None:
    own = docx.Document()
    own.add_paragraph("Свой реестр: {{ итого.всего }} решений, просрочено {{ итого.просрочено }}")
    own.save(str(workspace / "templates" / "decisions.docx"))
    assert gmo("report", "decisions").exit_code == 0
    assert text_of(workspace / "documents" / f"{NAME}.docx") == ["Свой реестр: 3 решений, просрочено 1"]


def test_a_broken_template_stops_with_its_name_and_tag(gmo: Invoke, workspace: Path) -> None:
    own = docx.Document()
    own.add_paragraph("{% for р in решения %}{{ р.решение }}")
    own.save(str(workspace / "templates" / "decisions.docx"))
    result = gmo("report", "decisions")
    assert result.exit_code == 2
    assert "Ошибка в шаблоне «decisions.docx», тег «{% for р in решения %}»" in result.output
    assert not (workspace / "documents").exists()


def test_reports_never_write_the_sheet(gmo: Invoke, workspace: Path) -> None:
    book = workspace / "ГМО.xlsx"
    before = book.read_bytes()
    lock = workspace / ".~lock.ГМО.xlsx#"
    lock.write_text("a coordinator has the workbook open")
    result = gmo("report", "decisions")
    assert result.exit_code == 0, result.output
    assert book.read_bytes() == before


def test_json_output_lists_the_document(gmo: Invoke) -> None:
    import json

    result = gmo("report", "decisions", "--json")
    data = json.loads(result.output)
    assert data["command"] == "report decisions" and data["counts"]["documents_created"] == 1
    assert [a["text"] for a in data["actions"]] == [f"создан документ «{NAME}»: documents/{NAME}.docx"]
    assert [(a["kind"], a["status"], a["target"]) for a in data["actions"]] == [
        ("document.create", "done", NAME)
    ]


# -- google ------------------------------------------------------------------------------------------------
def report_docs(fake: FakeGoogle) -> list[dict]:
    return [
        f
        for f in fake.ws.files.values()
        if (f.get("appProperties") or {}).get("gmoKind") == "document" and not f.get("trashed")
    ]


def test_google_register_is_one_doc_in_the_protocols_folder_updated_in_place(
    gmo_google: GoogleInvoke, fake: FakeGoogle, coordinator: gspread.Client
) -> None:
    book = init_workspace(gmo_google, coordinator)
    type_rows(
        book,
        "Заседания",
        [
            [
                "ГМО-2021-10-13",
                "2",
                "13.10.2021",
                "14:00",
                "",
                "онлайн",
                "",
                "Тема",
                "",
                "",
                "",
                "",
                "",
                "проведено",
            ]
        ],
    )
    type_rows(book, "Решения", [[SEED, "1", "Сделать чек-лист", "Замятина Е.Д.", "01.11.2021"]])
    type_rows(book, "Участники", [["Замятина Елена Дмитриевна", "методист", "КИМЦ", "z@example.org", "нет"]])
    first = gmo_google("report", "decisions")
    assert first.exit_code == 0, first.output
    (doc,) = report_docs(fake)
    folder = __import__("tomllib").loads(Path("gmo-sync.toml").read_text(encoding="utf-8"))["google"]
    assert doc["parents"] == [folder["protocols_folder_id"]] and doc["name"] == NAME
    assert doc["mimeType"] == "application/vnd.google-apps.document"
    assert f"https://docs.google.com/document/d/{doc['id']}" in first.output
    lines = docx_text(fake.ws.contents[doc["id"]])
    assert "Замятина Елена Дмитриевна (1)" in lines and "просрочено" in lines

    start = fake.request_count
    again = gmo_google("report", "decisions")
    assert again.exit_code == 0 and "без изменений 1" in again.output
    written = [
        e["api_method"] for e in requests_since(fake, start) if not e["api_method"].endswith(("get", "list"))
    ]
    assert written == []

    type_rows(book, "Решения", [["выполнено", "Готово"]], start="F2")
    updated = gmo_google("report", "decisions", "--pdf")
    assert updated.exit_code == 0, updated.output
    (same,) = report_docs(fake)
    assert same["id"] == doc["id"] and "Готово" in docx_text(fake.ws.contents[doc["id"]])
    pdfs = [
        f for f in fake.ws.files.values() if (f.get("appProperties") or {}).get("gmoKind") == "document-pdf"
    ]
    assert [p["name"] for p in pdfs] == [f"{NAME}.pdf"]
    assert io.BytesIO(fake.ws.contents[pdfs[0]["id"]]).read(4) == b"%PDF"
