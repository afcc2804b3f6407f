"""«Присутствие» and «Год»: marks matched to «Участники», the count they imply, the ГОСТ attendance line."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import pytest

from gmo_sync.core.model import Mark
from gmo_sync.core.parsing import ParseError, parse_academic_year
from gmo_sync.core.plan.protocols import meeting_context
from gmo_sync.core.plan.sync import plan_sync
from gmo_sync.core.reading import ParsedSheet, parse_sheet
from gmo_sync.core.seed import SEED_ID, seed_rows
from gmo_sync.core.sheet import SheetSnapshot
from gmo_sync.rendering import render_protocol, template_bytes
from tests.conftest import Invoke
from tests.frozen import TODAY
from tests.memory_backends import MemorySheet
from tests.xlsx import append, edit

SEED_PARTICIPANTS = len(seed_rows(TODAY)["Участники"])
SEED_MARKS = len(seed_rows(TODAY)["Присутствие"])


def add_row(sheet: MemorySheet, tab: str, values: dict[str, object]) -> int:
    data = sheet.snapshot.tabs[tab]
    data.rows.append([values.get(str(h)) for h in data.rows[0]])
    return len(data.rows)


def set_cell(sheet: MemorySheet, tab: str, row: int, header: str, value: object) -> None:
    data = sheet.snapshot.tabs[tab]
    sheet.set(tab, row, data.rows[0].index(header) + 1, value)


def parsed(sheet: MemorySheet) -> ParsedSheet:
    return parse_sheet(sheet.read(), TODAY)


def problems_at(sheet: ParsedSheet, place: str) -> list[str]:
    return [p.message for p in sheet.problems if p.place == place]


def seed_meeting(sheet: ParsedSheet):  # type: ignore[no-untyped-def]
    return next(m for m in sheet.meetings if m.id == SEED_ID)


def test_seed_marks_match_participants_and_the_typed_count() -> None:
    sheet = parsed(MemorySheet.seeded(TODAY))
    meeting = seed_meeting(sheet)
    assert sheet.problems == []
    assert len(meeting.marks) == SEED_MARKS
    assert all(m.participant is not None for m in meeting.marks)
    assert len(meeting.present) == meeting.attendance == 13
    assert {m.mark for m in meeting.marks} == set(Mark)
    # «Замятина Е.Д.» on «Присутствие» is «Замятина Елена Дмитриевна» of «Участники»
    names = {m.name: m.participant.name for m in meeting.marks if m.participant}
    assert names["Замятина Е.Д."] == "Замятина Елена Дмитриевна"


def test_unknown_person_is_reported_with_its_cell_and_still_counted() -> None:
    memory = MemorySheet.seeded(TODAY)
    set_cell(memory, "Заседания", 2, "Присутствовало", None)
    row = add_row(memory, "Присутствие", {"ID заседания": SEED_ID, "ФИО": "Сидорова А.А.",
                                          "Отметка": "присутствовала"})  # fmt: skip
    sheet = parsed(memory)
    assert problems_at(sheet, f"Присутствие!B{row}") == [
        "«Сидорова А.А.» нет на листе «Участники»: проверьте фамилию и инициалы "
        "или добавьте этого человека туда (ФИО и E-mail)"
    ]
    meeting = seed_meeting(sheet)
    assert meeting.present_count == 14  # a guest was there all the same
    assert "Сидорова А.А." in meeting_context(meeting, "ГМО", "Красноярск")["присутствовали_кратко"]  # type: ignore[operator]


def test_a_count_that_disagrees_with_the_marks_is_reported_at_the_count() -> None:
    memory = MemorySheet.seeded(TODAY)
    set_cell(memory, "Заседания", 2, "Присутствовало", "12 человек")
    sheet = parsed(memory)
    column = sheet.columns["Заседания"].ref("attendance", 2)
    assert column == "Заседания!M2"
    assert problems_at(sheet, column) == [
        "указано 12, а на листе «Присутствие» отмечено «присутствовал»: 13 человек; исправьте число или "
        "отметки (если очистить ячейку, число будет считаться по отметкам)"
    ]


def test_a_blank_count_is_taken_from_the_marks_and_never_written() -> None:
    memory = MemorySheet.seeded(TODAY)
    set_cell(memory, "Заседания", 2, "Присутствовало", None)
    sheet = parsed(memory)
    meeting = seed_meeting(sheet)
    assert meeting.attendance is None and meeting.present_count == 13
    context = meeting_context(meeting, "ГМО", "Красноярск")
    assert (context["присутствовало"], context["присутствовало_человек"]) == (13, "13 человек")
    changes, _ = plan_sync(sheet, TODAY, "academic")
    assert not [c for c in changes if c.key == "attendance"]  # the coordinators' cell stays theirs
    assert sheet.problems == []


def test_marks_only_of_absence_leave_a_typed_count_alone() -> None:
    memory = MemorySheet.seeded(TODAY)
    data = memory.snapshot.tabs["Присутствие"]
    data.rows = [data.rows[0]] + [r for r in data.rows[1:] if r[2] != "присутствовал"]
    sheet = parsed(memory)
    assert sheet.problems == []
    assert seed_meeting(sheet).present_count == 13


@pytest.mark.parametrize(
    ("values", "column", "message"),
    [
        ({"ФИО": "Замятина Е.Д.", "Отметка": "присуствовал"}, "C",
         "найдено «присуствовал», ожидается «присутствовал» / «отсутствовал» / «по уважительной причине». "
         "Может быть, «присутствовал»?"),
        ({"ФИО": "Замятина Е.Д."}, "C", "не заполнено «Отметка»"),
        ({"Отметка": "присутствовал"}, "B", "не заполнено «ФИО»"),
        ({"ФИО": "ОМО", "Отметка": "присутствовал"}, "B",
         "«ОМО» — это 4 человека; на листе «Присутствие» по одному в строке"),
        ({"ФИО": "Замятина Е. Д.", "Отметка": "отсутствовала"}, "B",
         "«Замятина Е. Д.» уже отмечен(а) для этого заседания в строке 3; оставьте одну строку "
         "(учтена строка 3)"),
    ],
)  # fmt: skip
def test_bad_marks(values: dict[str, object], column: str, message: str) -> None:
    memory = MemorySheet.seeded(TODAY)
    row = add_row(memory, "Присутствие", {"ID заседания": SEED_ID, **values})
    sheet = parsed(memory)
    assert problems_at(sheet, f"Присутствие!{column}{row}") == [message]
    assert len(seed_meeting(sheet).marks) == SEED_MARKS  # the bad row is left out, the others stay


def test_a_mark_for_an_unknown_meeting_is_reported() -> None:
    memory = MemorySheet.seeded(TODAY)
    row = add_row(memory, "Присутствие", {"ID заседания": "ГМО-1999-01-01", "ФИО": "Замятина Е.Д.",
                                          "Отметка": "присутствовал"})  # fmt: skip
    assert problems_at(parsed(memory), f"Присутствие!A{row}") == [
        "заседание с ID «ГМО-1999-01-01» не найдено на листе «Заседания»"
    ]


def test_a_sheet_without_the_new_tabs_still_reads() -> None:
    snapshot = MemorySheet.seeded(TODAY).read()
    tabs = {name: data for name, data in snapshot.tabs.items() if name not in ("Присутствие", "Год")}
    sheet = parse_sheet(SheetSnapshot(tabs), TODAY)
    assert sheet.problems == [] and sheet.years == []
    assert seed_meeting(sheet).marks == () and seed_meeting(sheet).present_count == 13


def test_year_tab() -> None:
    memory = MemorySheet.seeded(TODAY)
    bad = add_row(memory, "Год", {"Учебный год": "2027/29", "Тема": "…"})
    repeat = add_row(memory, "Год", {"Учебный год": "2021-2022 учебный год", "Тема": "ещё раз"})
    sheet = parsed(memory)
    assert [y.label for y in sheet.years] == ["2021/22", "2026/27"]
    assert problems_at(sheet, f"Год!A{bad}") == [
        "найдено «2027/29»: годы должны идти подряд, ожидается 2027/28"
    ]
    assert problems_at(sheet, f"Год!A{repeat}") == [
        "Год: 2021/22 уже есть в строке 2; используется та строка"
    ]


@pytest.mark.parametrize(
    ("text", "start"),
    [("2026/27", 2026), ("2026/2027", 2026), ("2026-2027", 2026), ("2026–27 учебный год", 2026),
     ("2026/27 уч. г.", 2026), ("1999/00", 1999)],
)  # fmt: skip
def test_academic_year(text: str, start: int) -> None:
    assert parse_academic_year(text) == start


@pytest.mark.parametrize("text", ["2026", "2026/28", "осень 2026", ""])
def test_academic_year_refused(text: str) -> None:
    with pytest.raises(ParseError):
        parse_academic_year(text)


# --- the ГОСТ protocol: names up to 15, «N человек (список прилагается)» and the list after the signatures


def gost_text(memory: MemorySheet) -> list[str]:
    meeting = seed_meeting(parsed(memory))
    content = render_protocol(template_bytes("gost"), meeting_context(meeting, "ГМО", "Красноярск"),
                              template_name="gost.docx")  # fmt: skip
    return [p.text for p in docx.Document(io.BytesIO(content)).paragraphs]


def test_gost_lists_those_present_by_name_up_to_fifteen() -> None:
    text = gost_text(MemorySheet.seeded(TODAY))
    line = next(p for p in text if p.startswith("Присутствовали:"))
    assert line.startswith("Присутствовали: Егорова Ю.О., Замятина Е.Д., Иванова О.П., ")  # alphabetical
    assert line.count(",") == 12 and "список прилагается" not in line
    assert "Отсутствовали: Волкова Е.С. (по уважительной причине), Морозова Н.А." in text
    assert "СПИСОК" not in text


def test_gost_above_fifteen_gives_the_number_and_attaches_the_list() -> None:
    memory = MemorySheet.seeded(TODAY)
    set_cell(memory, "Заседания", 2, "Присутствовало", None)
    for n in range(1, 5):  # 13 + 4 = 17 present
        name = f"Гостева{n} Анна Ивановна"
        add_row(memory, "Участники", {"ФИО": name, "Должность": "библиотекарь", "Организация": f"СШ № {n}"})
        add_row(memory, "Присутствие", {"ID заседания": SEED_ID, "ФИО": name, "Отметка": "присутствовала"})
    text = gost_text(memory)
    assert "Присутствовали: 17 человек (список прилагается)" in text
    start = text.index("СПИСОК")
    assert text[start - 1] == "Приложение к протоколу от 13.10.2021 № 2"
    listed = text[start + 2 :]
    assert len(listed) == 17
    assert listed[0] == "1. Гостева1 Анна Ивановна, библиотекарь, СШ №\u00a01"  # «№ 1» never split
    assert listed[5] == "6. Замятина Елена Дмитриевна, методист, КИМЦ"  # Г… Е… З…: alphabetical


def test_default_template_keeps_the_seed_protocol_as_it_was() -> None:
    meeting = seed_meeting(parsed(MemorySheet.seeded(TODAY)))
    content = render_protocol(template_bytes("default"), meeting_context(meeting, "ГМО", "Красноярск"),
                              template_name="default.docx")  # fmt: skip
    text = [p.text for p in docx.Document(io.BytesIO(content)).paragraphs]
    assert "Присутствовало: 13 человек." in text


# --- through the CLI -------------------------------------------------------------------------------


def test_check_reports_unknown_people_and_a_wrong_count(gmo: Invoke, workspace: Path) -> None:
    book = workspace / "ГМО.xlsx"
    row = append(book, "Присутствие", {"ID заседания": SEED_ID, "ФИО": "Сидорова А.А.",
                                       "Отметка": "присутствовал"})  # fmt: skip
    edit(book, "Заседания", 2, "Присутствовало", 12)
    result = gmo("check")
    assert result.exit_code == 1, result.output
    assert f"  Присутствие!B{row}: «Сидорова А.А.» нет на листе «Участники»" in result.output
    assert "  Заседания!M2: указано 12, а на листе «Присутствие» отмечено «присутствовал»: 14 человек" in (
        result.output
    )


def test_init_makes_the_new_tabs_with_a_dropdown(workspace: Path) -> None:
    import openpyxl

    book = openpyxl.load_workbook(workspace / "ГМО.xlsx")
    assert [c.value for c in book["Присутствие"][1]] == ["ID заседания", "ФИО", "Отметка"]
    assert [c.value for c in book["Год"][1]] == ["Учебный год", "Тема", "Цель", "Задачи"]
    rules = book["Присутствие"].data_validations.dataValidation
    assert any(r.formula1 == '"присутствовал,отсутствовал,по уважительной причине"' for r in rules)
    assert book["Участники"].max_row == SEED_PARTICIPANTS + 1
