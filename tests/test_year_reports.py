"""`report attendance | plan | year`: the registration sheet, the work plan, the annual analysis with charts.

Local documents are checked through their text and tables (python-docx) and their embedded pictures;
the Google side against the fake Workspace (a Doc in the protocols folder, updated in place).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
import struct
import subprocess
import zipfile
from pathlib import Path

import docx
import gspread
import pytest

from gmo_sync.core.model import Deadline, Decision, DecisionStatus
from gmo_sync.core.people import PeopleDirectory
from gmo_sync.core.plan.sync import plan_sync
from gmo_sync.core.reading import parse_sheet
from gmo_sync.core.seed import SEED_ID, planned_date, seed_rows
from gmo_sync.core.year_figures import DecisionOutcome, decision_outcome, done_date, year_figures
from gmo_sync.rendering.charts import bar_chart
from tests import xlsx
from tests.conftest import Invoke
from tests.fakegoogle.docs import docx_text
from tests.fakegoogle.server import FakeGoogle
from tests.frozen import TODAY
from tests.google_env import GoogleInvoke
from tests.memory_backends import MemorySheet
from tests.test_google_sheet import init_workspace, requests_since, type_rows
from tests.test_plan_is_run import compare, keys

PLANNED = planned_date(TODAY)
PLANNED_ID = f"ГМО-{PLANNED:%Y-%m-%d}"
SHEET = f"{PLANNED:%Y-%m-%d} Лист регистрации"
PLAN = "План работы ГМО на 2026-27 учебный год"
YEAR = "Анализ работы ГМО за 2021-22 учебный год"
PARTICIPANTS = [p["ФИО"] for p in seed_rows(TODAY)["Участники"]]


def document(workspace: Path, name: str) -> docx.document.Document:
    return docx.Document(str(workspace / "documents" / f"{name}.docx"))


def rows(table) -> list[list[str]]:  # type: ignore[no-untyped-def]
    return [[cell.text for cell in row.cells] for row in table.rows]


def pictures(path: Path | bytes) -> list[bytes]:
    source = path if isinstance(path, bytes) else path.read_bytes()
    with zipfile.ZipFile(io.BytesIO(source)) as archive:
        return [archive.read(n) for n in sorted(archive.namelist()) if n.startswith("word/media/")]


def png_chunks(png: bytes) -> list[bytes]:
    chunks, data = [], png[8:]
    while data:
        length, kind = struct.unpack(">I4s", data[:8])
        chunks.append(kind)
        data = data[12 + length :]
    return chunks


# -- the registration sheet ----------------------------------------------------------------------------


def test_registration_sheet_of_a_planned_meeting_lists_everyone_in_participants(
    gmo: Invoke, workspace: Path
) -> None:
    result = gmo("report", "attendance", "--meeting", PLANNED_ID)
    assert result.exit_code == 0, result.output
    assert f"создан документ «{SHEET}»: documents/{SHEET}.docx" in result.output
    doc = document(workspace, SHEET)
    table = rows(doc.tables[0])
    assert table[0] == ["№", "Фамилия, имя, отчество", "Должность", "Организация", "Подпись"]
    listed = [r[1] for r in table[1:] if r[1]]
    assert sorted(listed) == sorted(PARTICIPANTS) and listed == sorted(
        listed, key=lambda n: n.replace("ё", "е")
    )
    assert table[1][0] == "1" and table[1][4] == ""
    blank = [r for r in table[1:] if not r[1]]
    assert [r[0] for r in blank] == [str(len(PARTICIPANTS) + n) for n in (1, 2, 3)]  # rows for guests
    zamyatina = next(r for r in table if r[1] == "Замятина Елена Дмитриевна")
    assert zamyatina[2:4] == ["методист", "КИМЦ"]
    kozlova = next(r for r in table if r[1] == "Козлова Наталья Андреевна")
    assert kozlova[3] == "МАОУ Лицей №\u00a07"  # «7» never alone on the cell's second line
    # headed like the association's protocols: «…библиотечных работников школ г. Красноярска»
    header = doc.paragraphs[0].text
    assert header == "Городское методическое объединение библиотечных работников школ г.\u00a0Красноярска"
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "ЛИСТ РЕГИСТРАЦИИ" in text and "Итоги Международного месячника" in text
    assert f"Дата: {PLANNED.day} декабря 2026 г., 14:00–15:30" in text


def test_registration_sheet_of_a_held_meeting_lists_those_marked_present(
    gmo: Invoke, workspace: Path
) -> None:
    assert gmo("report", "attendance", "--meeting", SEED_ID).exit_code == 0
    table = rows(document(workspace, "2021-10-13 Лист регистрации").tables[0])
    listed = [r[1] for r in table[1:] if r[1]]
    assert len(listed) == 13
    assert "Морозова Надежда Алексеевна" not in listed  # marked «отсутствовал»


def test_registration_sheet_of_an_unknown_or_cancelled_meeting(gmo: Invoke, workspace: Path) -> None:
    result = gmo("report", "attendance", "--meeting", "ГМО-1999-01-01")
    assert result.exit_code == 1 and "Заседания: заседание с ID «ГМО-1999-01-01» не найдено" in result.output
    xlsx.edit(workspace / "ГМО.xlsx", "Заседания", 3, "Статус", "отменено")
    result = gmo("report", "attendance", "--meeting", PLANNED_ID)
    assert result.exit_code == 1
    assert f"Заседания!3: заседание {PLANNED_ID} отменено: лист регистрации не нужен" in result.output
    assert not list((workspace / "documents").glob("*.docx"))


# -- the work plan -------------------------------------------------------------------------------------


def test_plan_lists_the_planned_meeting_with_its_agenda_and_the_year(gmo: Invoke, workspace: Path) -> None:
    result = gmo("report", "plan", "--year", "2026/27")
    assert result.exit_code == 0, result.output
    doc = document(workspace, PLAN)
    text = [p.text for p in doc.paragraphs]
    assert "на 2026/27 учебный год" in text
    assert any(line.startswith("Методическая тема: Школьная библиотека как центр") for line in text)
    assert "1. Провести Международный месячник школьных библиотек и подвести его итоги." in text
    table = rows(doc.tables[0])
    assert table[0] == ["№", "Месяц, дата", "Тема заседания и вопросы", "Ответственные", "Форма проведения"]
    (row,) = table[1:]
    assert row[0] == "1" and row[1] == f"Декабрь\n{PLANNED:%d.%m.%Y}, 14:00"
    assert row[2].split("\n") == [
        "Итоги Международного месячника школьных библиотек и план работы на второе полугодие",
        "1. Итоги Международного месячника школьных библиотек в районах.",
        "2. План работы ГМО на второе полугодие.",
    ]
    assert row[3].split("\n") == ["руководители РМО", "Попыхова Т.Ю., руководитель ГМО"]
    assert row[4] == "онлайн"


def test_plan_without_a_year_row_leaves_out_theme_aim_and_tasks(gmo: Invoke, workspace: Path) -> None:
    xlsx.edit(workspace / "ГМО.xlsx", "Год", 2, "Учебный год", "2019/20")
    assert gmo("report", "plan", "--year", "2021-2022").exit_code == 0
    text = [p.text for p in document(workspace, "План работы ГМО на 2021-22 учебный год").paragraphs]
    assert not any(line.startswith(("Методическая тема", "Цель", "Задачи")) for line in text)


def test_plan_of_a_year_without_meetings_is_a_problem_and_no_document(gmo: Invoke, workspace: Path) -> None:
    result = gmo("report", "plan", "--year", "2019/20")
    assert result.exit_code == 1
    assert "Заседания: на 2019/20 учебный год заседаний нет: план не составлен" in result.output
    assert not list((workspace / "documents").glob("*.docx"))


@pytest.mark.parametrize("year", ["2026", "2026/28", "осень"])
def test_a_bad_year_is_a_usage_error(gmo: Invoke, year: str) -> None:
    result = gmo("report", "plan", "--year", year)
    assert result.exit_code == 2 and "--year" in result.output and "Traceback" not in result.output


# -- the annual analysis -------------------------------------------------------------------------------


def test_year_report_figures_and_two_charts(gmo: Invoke, workspace: Path) -> None:
    result = gmo("report", "year", "--year", "2021/22")
    assert result.exit_code == 0, result.output
    path = workspace / "documents" / f"{YEAR}.docx"
    doc = docx.Document(str(path))
    text = [p.text for p in doc.paragraphs]
    meetings = rows(doc.tables[0])
    assert meetings[0][-1] == "Человек"
    assert meetings[1][:3] == ["1", "13.10.2021", "№ 2"] and meetings[1][-1] == "13"  # the seed meeting's 13
    assert "Присутствовало в среднем на заседании: 13 чел." in text
    assert "Проведено: 1 (онлайн и смешанных — 1, очно — 0)" in text
    assert (
        "Выполнено: 2 (в срок — 0, с опозданием — 1, без даты выполнения — 1)" in text
    )  # done 02.12 > 30.11
    assert "Просрочено: 1" in text
    people = rows(doc.tables[1])
    assert people[1][1:] == ["Егорова Юлия Олеговна", "педагог-библиотекарь", "1 из 1", "100"]
    assert ["Морозова Надежда Алексеевна", "руководитель ОМО", "0 из 1", "0"] in [r[1:] for r in people]
    assert any(line.startswith("1. Замятина Елена Дмитриевна (КИМЦ) — выступлений") for line in text)
    for section in ("Основные результаты работы за год:", "Трудности и нерешённые вопросы:"):
        assert section in text  # left for the coordinator
    charts = pictures(path)
    assert len(charts) == 2 and all(c.startswith(b"\x89PNG") for c in charts)
    # the charts are drawn the same way every time: a second run finds nothing to rewrite
    written = path.stat().st_mtime_ns
    again = gmo("report", "year", "--year", "2021/22")
    assert "без изменений 1" in again.output and path.stat().st_mtime_ns == written


def test_year_report_follows_the_sheet(gmo: Invoke, workspace: Path) -> None:
    book = workspace / "ГМО.xlsx"
    assert gmo("report", "year", "--year", "2021/22").exit_code == 0
    before = pictures(workspace / "documents" / f"{YEAR}.docx")
    xlsx.edit(book, "Заседания", 2, "Присутствовало", None)  # counted from the marks: still 13
    xlsx.edit(book, "Присутствие", 15, "Отметка", "присутствовал")  # Морозова came after all
    updated = gmo("report", "year", "--year", "2021/22")
    assert "обновлён документ" in updated.output, updated.output
    doc = document(workspace, YEAR)
    assert rows(doc.tables[0])[1][-1] == "14"
    after = pictures(workspace / "documents" / f"{YEAR}.docx")
    assert len(set(after) & set(before)) == 1  # the attendance chart is new, the decisions chart is not


def test_dry_run_makes_nothing(gmo: Invoke, workspace: Path) -> None:
    for args in (
        ("year", "--year", "2021/22"),
        ("plan", "--year", "2026/27"),
        ("attendance", "--meeting", SEED_ID),
    ):
        result = gmo("report", *args, "--dry-run")
        assert result.exit_code == 0 and "создать документ" in result.output, result.output
    assert not list((workspace / "documents").glob("*"))


# Each report, and a coordinator's edit that changes what it shows.
REPORT_EDITS = {
    ("attendance", "--meeting", PLANNED_ID): ("Участники", 3, "Должность", "методист КИМЦ"),
    ("plan", "--year", "2026/27"): ("Заседания", 3, "Тема", "Итоги месячника и план на полугодие"),
    ("year", "--year", "2021/22"): ("Решения", 2, "Отметка о выполнении", "выполнено 20.10.2021"),
}


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
@pytest.mark.parametrize("args", list(REPORT_EDITS))
def test_dry_run_lists_what_the_report_does(args: tuple[str, ...], gmo: Invoke, workspace: Path) -> None:
    """Made (with its PDF), kept, changed after an edit: the dry run says each first, as --json actions."""
    expected = (["document.create", "document.pdf"], ["document.keep"], ["document.update", "document.pdf"])
    for number, kinds in enumerate(expected):
        if number == 2:
            xlsx.edit(workspace / "ГМО.xlsx", *REPORT_EDITS[args])
        dry_result = gmo("report", *args, "--pdf", "--dry-run", "--json")
        real_result = gmo("report", *args, "--pdf", "--json")
        assert dry_result.exit_code == real_result.exit_code == 0, real_result.output
        dry, real = json.loads(dry_result.stdout), json.loads(real_result.stdout)
        compare(dry, real)
        assert [kind for kind, _, _ in keys(real)] == kinds


def test_reports_never_write_the_sheet(gmo: Invoke, workspace: Path) -> None:
    book = workspace / "ГМО.xlsx"
    before = book.read_bytes()
    for args in (
        ("year", "--year", "2021/22"),
        ("plan", "--year", "2026/27"),
        ("attendance", "--meeting", SEED_ID),
    ):
        assert gmo("report", *args).exit_code == 0
    assert book.read_bytes() == before


@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftotext") is None,
                    reason="LibreOffice and poppler are needed for --pdf")  # fmt: skip
def test_year_report_as_pdf_reads_right(gmo: Invoke, workspace: Path) -> None:
    result = gmo("report", "year", "--year", "2021/22", "--pdf")
    assert result.exit_code == 0, result.output
    pdf = workspace / "documents" / f"{YEAR}.pdf"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True)
    assert "АНАЛИЗ РАБОТЫ" in text.stdout and "13 чел." in text.stdout
    images = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=False)
    if images.returncode == 0:
        assert len(images.stdout.strip().splitlines()) - 2 >= 2  # two charts (header lines excepted)


# -- the figures and the charts, without documents --------------------------------------------------------


NOV_30 = dt.date(2021, 11, 30)


def decision(status: DecisionStatus | None, deadline: dt.date | None, note: str = "") -> Decision:
    term = Deadline(deadline, deadline.strftime("%d.%m.%Y")) if deadline else Deadline(None, "постоянно")
    return Decision("ГМО-2021-10-13", 1, "…", "", term, status, note, None, 2)


@pytest.mark.parametrize(
    ("status", "deadline", "note", "outcome"),
    [
        (DecisionStatus.DONE, NOV_30, "размещены 02.12.2021", DecisionOutcome.LATE),
        (DecisionStatus.DONE, NOV_30, "готово 29.11.2021, проверено 30.11.21", DecisionOutcome.ON_TIME),
        (DecisionStatus.DONE, NOV_30, "Заявки поданы от 6 районов", DecisionOutcome.DONE_UNDATED),
        (DecisionStatus.DONE, None, "готово 01.12.2021", DecisionOutcome.DONE_UNDATED),
        (None, dt.date(2021, 11, 1), "", DecisionOutcome.OVERDUE),
        (DecisionStatus.IN_PROGRESS, dt.date(2027, 1, 1), "", DecisionOutcome.IN_PROGRESS),
        (DecisionStatus.OVERDUE, dt.date(2027, 1, 1), "", DecisionOutcome.OVERDUE),
    ],
)  # fmt: skip
def test_decision_outcome(status, deadline, note, outcome) -> None:  # type: ignore[no-untyped-def]
    assert decision_outcome(decision(status, deadline, note), TODAY) == outcome


def test_done_date_takes_the_last_date_in_the_note() -> None:
    assert done_date("начато 01.11.2021, закончено 05.11.2021") == dt.date(2021, 11, 5)
    assert done_date("без даты") is None


def test_figures_of_a_year_with_two_held_meetings_and_a_cancelled_one() -> None:
    sheet = MemorySheet.seeded(TODAY)
    data = sheet.snapshot.tabs["Заседания"]
    headers = data.rows[0]
    for values in (
        {
            "Дата": dt.date(2022, 3, 16),
            "Тема": "Весна",
            "Статус": "проведено",
            "Формат": "очно",
            "Присутствовало": 10,
        },
        {"Дата": dt.date(2022, 5, 18), "Тема": "Итоги", "Статус": "отменено", "Формат": "онлайн"},
        {"Дата": dt.date(2022, 9, 14), "Тема": "Следующий год", "Статус": "проведено", "Формат": "очно"},
    ):
        data.rows.append([values.get(h) for h in headers])
    parsed = parse_sheet(sheet.read(), TODAY)
    _, meetings = plan_sync(parsed, TODAY, "academic")
    figures = year_figures(meetings, PeopleDirectory(parsed.participants), 2021, TODAY)
    assert [m.topic for m in figures.held] == [figures.held[0].topic, "Весна"]
    assert (len(figures.cancelled), figures.online, figures.offline) == (1, 1, 1)
    assert figures.average_attendance == 11.5  # (13 + 10) / 2; the 2022/23 meeting is not this year's
    zamyatina = next(p for p in figures.people if p.name == "Замятина Елена Дмитриевна")
    assert (zamyatina.present, zamyatina.marked) == (1, 1)  # only the seed meeting has marks
    speakers = {s.name: s.meetings for s in figures.speakers}
    assert speakers == {"Замятина Елена Дмитриевна": 1, "Попыхова Татьяна Юрьевна": 1}
    assert ("КИМЦ", 2) in figures.organisations


def test_charts_are_the_same_bytes_for_the_same_data_and_carry_no_stamp() -> None:
    first = bar_chart(["13.10.2021", "16.03.2022"], [13, 10], title="Посещаемость заседаний", average=11.5)
    second = bar_chart(["13.10.2021", "16.03.2022"], [13, 10], title="Посещаемость заседаний", average=11.5)
    other = bar_chart(["13.10.2021", "16.03.2022"], [13, 11], title="Посещаемость заседаний", average=12)
    assert first.png == second.png and first.png != other.png
    assert set(png_chunks(first.png)) == {b"IHDR", b"pHYs", b"IDAT", b"IEND"}  # no tEXt, no tIME
    assert str(first) == str(second) != str(other)  # what the content hash sees


# -- google --------------------------------------------------------------------------------------------


def report_docs(fake: FakeGoogle) -> dict[str, dict]:
    return {
        f["name"]: f
        for f in fake.ws.files.values()
        if (f.get("appProperties") or {}).get("gmoKind") == "document" and not f.get("trashed")
    }


def test_google_year_documents(
    gmo_google: GoogleInvoke, fake: FakeGoogle, coordinator: gspread.Client
) -> None:
    book = init_workspace(gmo_google, coordinator)
    assert [c for c in book.worksheet("Присутствие").row_values(1)] == ["ID заседания", "ФИО", "Отметка"]
    row = [
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
    type_rows(book, "Заседания", [row])
    type_rows(book, "Повестка", [["ГМО-2021-10-13", "1", "О плане работы", "Замятина Е.Д."]])
    type_rows(
        book,
        "Участники",
        [
            ["Замятина Елена Дмитриевна", "методист", "КИМЦ", "z@example.org", "нет"],
            ["Попыхова Татьяна Юрьевна", "руководитель ГМО", "КИМЦ", "p@example.org", "нет"],
        ],
    )
    type_rows(
        book,
        "Присутствие",
        [
            ["ГМО-2021-10-13", "Замятина Е.Д.", "присутствовал"],
            ["ГМО-2021-10-13", "Попыхова Т.Ю.", "отсутствовала"],
        ],
    )
    type_rows(book, "Год", [["2021/22", "Читательская грамотность", "Цель года", "Первая задача"]])
    type_rows(book, "Решения", [["ГМО-2021-10-13", "1", "Сделать чек-лист", "Замятина Е.Д.", "01.11.2021"]])

    year = gmo_google("report", "year", "--year", "2021/22")
    assert year.exit_code == 0, year.output
    doc = report_docs(fake)["Анализ работы ГМО за 2021-22 учебный год"]
    folder = __import__("tomllib").loads(Path("gmo-sync.toml").read_text(encoding="utf-8"))["google"]
    assert doc["parents"] == [folder["protocols_folder_id"]]
    assert doc["mimeType"] == "application/vnd.google-apps.document"
    content = fake.ws.contents[doc["id"]]
    lines = docx_text(content)
    assert "Присутствовало в среднем на заседании: 1 чел." in lines  # blank count: taken from the marks
    assert len(pictures(content)) == 2  # attendance and decisions
    assert "Просрочено: 1" in lines

    start = fake.request_count
    again = gmo_google("report", "year", "--year", "2021/22")
    assert again.exit_code == 0 and "без изменений 1" in again.output
    written = [
        e["api_method"] for e in requests_since(fake, start) if not e["api_method"].endswith(("get", "list"))
    ]
    assert written == []

    plan = gmo_google("report", "plan", "--year", "2021/22")
    assert plan.exit_code == 0, plan.output
    plan_lines = docx_text(
        fake.ws.contents[report_docs(fake)["План работы ГМО на 2021-22 учебный год"]["id"]]
    )
    assert "Методическая тема: Читательская грамотность" in plan_lines and "1. О плане работы" in plan_lines

    sheet = gmo_google("report", "attendance", "--meeting", "ГМО-2021-10-13")
    assert sheet.exit_code == 0, sheet.output
    sheet_lines = docx_text(fake.ws.contents[report_docs(fake)["2021-10-13 Лист регистрации"]["id"]])
    assert "Замятина Елена Дмитриевна" in sheet_lines and "Попыхова Татьяна Юрьевна" not in sheet_lines


def test_google_check_reports_attendance_problems(
    gmo_google: GoogleInvoke, fake: FakeGoogle, coordinator: gspread.Client
) -> None:
    book = init_workspace(gmo_google, coordinator)
    row = [
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
        "5",
        "проведено",
    ]
    type_rows(book, "Заседания", [row])
    type_rows(book, "Участники", [["Замятина Елена Дмитриевна", "методист", "КИМЦ", "z@example.org", "нет"]])
    type_rows(
        book,
        "Присутствие",
        [
            ["ГМО-2021-10-13", "Замятина Е.Д.", "присутствовал"],
            ["ГМО-2021-10-13", "Сидорова А.А.", "присутствовал"],
        ],
    )
    result = gmo_google("check")
    assert result.exit_code == 1, result.output
    assert "Присутствие!B3: «Сидорова А.А.» нет на листе «Участники»" in result.output
    assert (
        "Заседания!M2: указано 5, а на листе «Присутствие» отмечено «присутствовал»: 2 человека"
        in result.output
    )
