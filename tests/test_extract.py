"""`gmo-sync extract` and the carry-over of open decisions into the next protocol."""

from __future__ import annotations

import datetime as dt
import importlib.util
import io
import zipfile
from pathlib import Path

import pytest

from gmo_sync.core.plan.protocols import plan_protocols
from gmo_sync.core.plan.sync import plan_sync
from gmo_sync.core.reading import parse_sheet
from gmo_sync.rendering import render_protocol, template_bytes
from tests import xlsx
from tests.conftest import Invoke
from tests.fakegoogle.docs import docx_text
from tests.frozen import TODAY
from tests.memory_backends import MemorySheet

SEED = "ГМО-2021-10-13"
TOOLS = Path(__file__).resolve().parent.parent / "tools" / "make_templates.py"


def extract_path(workspace: Path, what: str) -> Path:
    return workspace / "documents" / f"Выписка из протокола № 2 от 13.10.2021, {what}.docx"


def test_extract_of_an_agenda_item_in_the_gost_form(gmo: Invoke, workspace: Path) -> None:
    result = gmo("extract", "--meeting", SEED, "--item", "2")
    assert result.exit_code == 0, result.output
    lines = docx_text(extract_path(workspace, "вопрос 2").read_bytes())
    assert lines[:3] == [
        "Городское методическое объединение библиотечных работников школ",
        "ВЫПИСКА ИЗ ПРОТОКОЛА",
        "13.10.2021",
    ]
    assert "№ 2" in lines and "г. Красноярск" in lines
    assert "Председатель – Попыхова Т.Ю." in lines and "Секретарь – Замятина Е.Д." in lines
    assert "2. СЛУШАЛИ:" in lines and "ВЫСТУПИЛИ:" in lines and "ПОСТАНОВИЛИ:" in lines
    assert any(line.startswith("Попыхова Т.Ю., руководитель ГМО – Социальное партнёрство") for line in lines)
    assert "2.1. Принять участие в региональном этапе Конкурсов, организованных РШБА." in lines
    assert any(line.startswith("2.2. Создать чек-лист") for line in lines)
    assert not any("Организация методического сопровождения" in line for line in lines)  # item 1 is not in it
    certified = lines.index("Верно")
    assert lines[certified:] == ["Верно", "Секретарь", "____________", "Е.Д. Замятина", "25.11.2026"]
    again = gmo("extract", "--meeting", SEED, "--item", "2")
    assert "без изменений 1" in again.output


def test_extract_of_one_decision_keeps_its_item_and_number(gmo: Invoke, workspace: Path) -> None:
    result = gmo("extract", "--meeting", SEED, "--decision", "3", "--dry-run")
    assert "создать документ «Выписка из протокола № 2 от 13.10.2021, решение 3»" in result.output
    assert not (workspace / "documents").exists()
    assert gmo("extract", "--meeting", "гмо-2021-10-13", "--decision", "3").exit_code == 0
    lines = docx_text(extract_path(workspace, "решение 3").read_bytes())
    assert "2. СЛУШАЛИ:" in lines and any(line.startswith("2.2. Создать чек-лист") for line in lines)
    assert not any("Принять участие" in line for line in lines)
    assert "Ответственный: Замятина Е.Д., методист КИМЦ" in lines and "Срок: 01.11.2021" in lines


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--meeting", "ГМО-1999-01-01", "--item", "1"], "заседание с ID «ГМО-1999-01-01» не найдено"),
        (["--meeting", SEED, "--item", "9"], f"в повестке заседания {SEED} нет вопроса № 9"),
        (["--meeting", SEED, "--decision", "7"], f"у заседания {SEED} нет решения № 7"),
    ],
)
def test_what_cannot_be_extracted_is_a_problem_and_makes_nothing(
    gmo: Invoke, workspace: Path, args: list[str], message: str
) -> None:
    result = gmo("extract", *args)
    assert result.exit_code == 1 and message in result.output
    assert not (workspace / "documents").exists()


def test_a_planned_meeting_has_no_protocol_to_extract_from(gmo: Invoke, workspace: Path) -> None:
    planned = xlsx.read(workspace / "ГМО.xlsx", "Заседания", 3, "ID")
    result = gmo("extract", "--meeting", str(planned), "--item", "1")
    assert (
        result.exit_code == 1
        and "выписку из протокола сделать нельзя: заседание не проведено" in result.output
    )


@pytest.mark.parametrize("args", [[], ["--item", "1", "--decision", "1"]])
def test_item_or_decision_exactly_one(gmo: Invoke, args: list[str]) -> None:
    result = gmo("extract", "--meeting", SEED, *args)
    assert result.exit_code == 2 and "Укажите одно: --item N" in result.output


# -- carry-over ----------------------------------------------------------------------------------------------
def generator():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("make_templates", TOOLS)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def document_xml(docx: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        return archive.read("word/document.xml")


@pytest.mark.parametrize("name", ["default", "gost"])
def test_the_seed_protocol_is_byte_for_byte_what_it_was_without_the_carry_over_block(name: str) -> None:
    tools = generator()
    make = {"default": tools.make_default, "gost": tools.make_gost}[name]
    assert tools.stable_bytes(make()) == template_bytes(name)  # the shipped template is the generator's
    without = tools.stable_bytes(make(carry_over=False))
    assert without != template_bytes(name)
    parsed = parse_sheet(MemorySheet.seeded(TODAY).read(), TODAY)
    _, meetings = plan_sync(parsed, TODAY, "academic")
    (plan,) = [
        p
        for p in plan_protocols(meetings, {}, template_bytes(name), organisation="ГМО", city="Красноярск")
        if p.meeting.id == SEED
    ]
    assert plan.context["невыполненные_решения"] == []  # the first meeting: nothing carried over
    shipped = render_protocol(template_bytes(name), plan.context, template_name=name)
    before = render_protocol(without, plan.context, template_name=name)
    assert document_xml(shipped) == document_xml(before)


def add_later_meeting(workspace: Path) -> None:
    book = workspace / "ГМО.xlsx"
    xlsx.append(
        book,
        "Заседания",
        {
            "ID": "ГМО-2021-11-17",
            "Дата": dt.date(2021, 11, 17),
            "Начало": dt.time(14),
            "Формат": "очно",
            "Тема": "Итоги месячника",
            "Статус": "проведено",
            "Секретарь": "Замятина Е.Д.",
        },
    )
    xlsx.append(book, "Повестка", {"ID заседания": "ГМО-2021-11-17", "№": 1, "Вопрос": "Об итогах месячника"})


@pytest.mark.parametrize("template", ["default", "gost"])
def test_the_next_protocol_lists_decisions_still_open_and_drops_them_once_done(
    gmo: Invoke, workspace: Path, template: str
) -> None:
    config = workspace / "gmo-sync.toml"
    text = config.read_text(encoding="utf-8").replace("templates/default.docx", f"templates/{template}.docx")
    config.write_text(text, encoding="utf-8")
    add_later_meeting(workspace)
    assert gmo("protocols").exit_code == 0
    later = docx_text((workspace / "protocols" / "2021-11-17 Протокол № 3.docx").read_bytes())
    assert "О выполнении решений предыдущих заседаний:" in later
    heading = later.index("О выполнении решений предыдущих заседаний:")
    assert later[heading + 1 : heading + 3] == [
        "1. Создать чек-лист по авторизации в электронной библиотеке «Библиошкола».",
        "Протокол № 2 от 13.10.2021; ответственный: Замятина Е.Д., методист КИМЦ; срок: 01.11.2021 — "
        "просрочено",
    ]
    seed = docx_text((workspace / "protocols" / "2021-10-13 Протокол № 2.docx").read_bytes())
    assert "О выполнении решений предыдущих заседаний:" not in seed
    xlsx.edit(workspace / "ГМО.xlsx", "Решения", 4, "Статус", "выполнено")
    rerun = gmo("protocols")
    assert "обновлён протокол «2021-11-17 Протокол № 3»" in rerun.output
    later = docx_text((workspace / "protocols" / "2021-11-17 Протокол № 3.docx").read_bytes())
    assert "О выполнении решений предыдущих заседаний:" not in later
