"""Bad input: a corpus of coordinator mistakes run through the CLI on the local backend.

Each case is a small edit of the seed workbook, made with openpyxl the way Excel or
LibreOffice would save it, followed by ``gmo-sync protocols``. The corpus holds
**55 distinct mistakes** (``len(CORPUS)``; a test keeps the count honest): 46 that must be
reported with their cell, and 9 that look like mistakes but must be understood or rendered
exactly as typed (hostile text, blank rows, a two-digit year, an e-mail-less participant).

For every case: the exit code (1 for a row problem, 2 for a structural one, 0 for
tolerated input); the problem names the right cell (``Заседания!C4``), in Russian;
the other rows still go through (the seed meeting's protocol is created and linked
unless the mistake is structural, when nothing at all is written); no traceback;
every cell the tool wrote, the Журнал included, is a plain string, never a formula;
hostile text appears in the .docx exactly as typed. A hypothesis test then throws
random values into random coordinator cells and checks that ``check`` never crashes.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import docx
import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.workbook import Workbook

from gmo_sync.core.seed import SEED_ID, seed_rows
from tests.conftest import Invoke
from tests.frozen import TODAY
from tests.xlsx import column_of

SEED_DOC = "2021-10-13 Протокол № 2.docx"
WORKBOOK = "ГМО.xlsx"
NEW_PARTICIPANT = len(seed_rows(TODAY)["Участники"]) + 2  # the row a participant added to the seed lands in
HOSTILE_FORMULA = '=HYPERLINK("http://evil.example","клик")'
LONG_TEXT = "Очень длинное выступление. " * 1852  # 50,004 characters

Edit = Callable[[Workbook], None]


@dataclass(frozen=True)
class Mistake:
    """One coordinator mistake and what the run must make of it."""

    name: str
    edit: Edit
    place: str | None  # the cell (or tab) the problem names; None: nothing to report
    fragment: str = ""  # a part of the Russian message
    exit_code: int = 1
    seed_protocol: bool = True  # the seed meeting's protocol is still created and linked
    literal: str | None = None  # text that must appear verbatim in the seed protocol


# --- edits -----------------------------------------------------------------------------------


def put(tab: str, row: int, header: str, value: object, *, as_text: bool = False) -> Edit:
    """Set one cell; ``as_text`` stores «=…» as a string, like Excel's leading apostrophe does."""

    def edit(book: Workbook) -> None:
        sheet = book[tab]
        cell = sheet.cell(row, column_of(sheet, header))
        cell.value = value
        if as_text:
            cell.data_type = "s"
            cell.quotePrefix = True

    return edit


def add(tab: str, values: dict[str, object]) -> Edit:
    """Append a row below the tab's last one."""

    def edit(book: Workbook) -> None:
        sheet = book[tab]
        row = sheet.max_row + 1
        for header, value in values.items():
            sheet.cell(row, column_of(sheet, header)).value = value

    return edit


def new_meeting(cells: dict[str, object] | None = None, **changes: object) -> Edit:
    """A held meeting typed into Заседания row 4 (below the two seed rows), with changes applied.

    Changes come as keywords (``Место_или_ссылка`` for «Место или ссылка») or, for headers that are
    no identifiers (``№ протокола``), in ``cells``.
    """
    values: dict[str, object] = {
        "Дата": dt.date(2021, 11, 17),
        "Начало": dt.time(15, 0),
        "Формат": "очно",
        "Тема": "Итоги месячника школьных библиотек",
        "Статус": "проведено",
        "Присутствовало": 12,
    }
    values.update({k.replace("_", " "): v for k, v in changes.items()})
    values.update(cells or {})
    return add("Заседания", values)


def seed_child(tab: str, cells: dict[str, object] | None = None, **values: object) -> Edit:
    """A row of a child tab for the seed meeting (a fresh №, so only the intended mistake is there)."""
    row: dict[str, object] = {"ID заседания": SEED_ID, "№": 9}
    row.update({k.replace("_", " "): v for k, v in values.items()})
    row.update(cells or {})
    return add(tab, row)


def rename_header(tab: str, header: str, new: str | None) -> Edit:
    def edit(book: Workbook) -> None:
        sheet = book[tab]
        sheet.cell(1, column_of(sheet, header)).value = new

    return edit


def duplicate_header(tab: str, header: str) -> Edit:
    def edit(book: Workbook) -> None:
        sheet = book[tab]
        sheet.cell(1, sheet.max_column + 1).value = header
        sheet.cell(2, sheet.max_column).value = "что-то своё"

    return edit


def rename_tab(tab: str, new: str) -> Edit:
    def edit(book: Workbook) -> None:
        book[tab].title = new

    return edit


def merge(tab: str, area: str) -> Edit:
    def edit(book: Workbook) -> None:
        book[tab].merge_cells(area)

    return edit


def blank_rows_between() -> Edit:
    """Rows 3–4 of Заседания left empty: the planned meeting moves down to row 5."""

    def edit(book: Workbook) -> None:
        book["Заседания"].insert_rows(3, 2)

    return edit


def space_rows() -> Edit:
    """A Повестка row between data whose every cell holds only spaces (or a NBSP)."""

    def edit(book: Workbook) -> None:
        sheet = book["Повестка"]
        sheet.insert_rows(3)
        for column, text in enumerate(["   ", " ", "\u00a0", "  "], start=1):
            sheet.cell(3, column).value = text

    return edit


def fine(name: str, edit: Edit, literal: str | None = None) -> Mistake:
    """Input that looks wrong but must be understood (or rendered) as typed: exit 0, nothing reported."""
    return Mistake(name, edit, None, exit_code=0, literal=literal)


def both(*edits: Edit) -> Edit:
    def edit(book: Workbook) -> None:
        for step in edits:
            step(book)

    return edit


# --- the corpus --------------------------------------------------------------------------------

DATE = "ожидается дата"
TIME = "ожидается время"
COUNT = "ожидается целое число"

CORPUS: list[Mistake] = [
    # dates (Заседания!C4 of a new held meeting)
    Mistake("date 31.02", new_meeting(Дата="31.02.2022"), "Заседания!C4", "такой даты нет: «31.02.2022»"),
    Mistake("month typo", new_meeting(Дата="13 октабря 2021"), "Заседания!C4", "может быть, «октября»"),
    Mistake("date «завтра»", new_meeting(Дата="завтра"), "Заседания!C4", f"найдено «завтра», {DATE}"),
    Mistake("date a number", new_meeting(Дата=13), "Заседания!C4", "найдено число «13»"),
    Mistake("date far past", new_meeting(Дата="17.11.1921"), "Заседания!C4", "проверьте год"),
    Mistake("date cell far past", new_meeting(Дата=dt.date(1921, 11, 17)), "Заседания!C4", "проверьте год"),
    Mistake("date far future", new_meeting(Дата="17.11.2211"), "Заседания!C4", "проверьте год"),
    Mistake("date blank", new_meeting(Дата=None), "Заседания!C4", "не заполнено «Дата»"),
    # times
    Mistake("time 25:00", new_meeting(Начало="25:00"), "Заседания!D4", f"найдено «25:00», {TIME}"),
    Mistake("time «в обед»", new_meeting(Начало="в обед"), "Заседания!D4", f"найдено «в обед», {TIME}"),
    Mistake("time 14:75", new_meeting(Начало="14:75"), "Заседания!D4", f"найдено «14:75», {TIME}"),
    Mistake("end before start", new_meeting(Окончание="13:00"), "Заседания!E4",
            "окончание 13:00 не позже начала 15:00"),
    Mistake("online without start", new_meeting(Начало=None, Формат="онлайн", Статус="запланировано",
                                                  Дата=dt.date(2026, 12, 23)), "Заседания!D4",
            "не указано время начала онлайн-заседания"),
    # counts
    Mistake("count in words", new_meeting(Присутствовало="тринадцать"), "Заседания!M4",
            f"найдено «тринадцать», {COUNT}"),
    Mistake("count negative", new_meeting(Присутствовало="-3"), "Заседания!M4", f"найдено «-3», {COUNT}"),
    Mistake("count fractional", new_meeting(Присутствовало=13.5), "Заседания!M4", f"найдено «13.5», {COUNT}"),
    # choices
    Mistake("status typo", new_meeting(Статус="провдено"), "Заседания!N4", "Может быть, «проведено»?"),
    Mistake("format typo", new_meeting(Формат="онлаин"), "Заседания!F4", "Может быть, «онлайн»?"),
    Mistake("format unknown", new_meeting(Формат="в библиотеке"), "Заседания!F4",
            "ожидается «онлайн» / «очно» / «смешанный»"),
    Mistake("invite typo", add("Участники", {"ФИО": "Иванова И.И.", "E-mail": "i@example.org",
                                              "Приглашать": "дп"}),
            f"Участники!E{NEW_PARTICIPANT}", "ожидается «да» / «нет»"),
    Mistake("decision status typo", seed_child("Решения", Решение="Провести семинар", Статус="выполенно"),
            "Решения!F5", "Может быть, «выполнено»?"),
    Mistake("topic blank", new_meeting(Тема=None), "Заседания!H4", "не заполнено «Тема»"),
    Mistake("agenda № in words", seed_child("Повестка", {"№": "первый"}, Вопрос="Разное"), "Повестка!B7",
            "найдено «первый», ожидается номер"),
    # headers and tabs (structural: nothing is done)
    Mistake("required header missing", rename_header("Заседания", "Дата", None), "Заседания",
            "нет обязательного столбца «Дата»", exit_code=2, seed_protocol=False),
    Mistake("header renamed", rename_header("Заседания", "Тема", "Тема заседания"), "Заседания",
            "нет обязательного столбца «Тема»", exit_code=2, seed_protocol=False),
    Mistake("child header renamed", rename_header("Повестка", "Вопрос", "Вопросы"), "Повестка",
            "нет обязательного столбца «Вопрос»", exit_code=2, seed_protocol=False),
    Mistake("tab renamed", rename_tab("Решения", "Решения 2021"), "Решения", "нет листа «Решения»",
            exit_code=2, seed_protocol=False),
    Mistake("duplicate header", duplicate_header("Заседания", "Дата"), "Заседания!S1",
            "заголовок «Дата» повторяется (уже есть в столбце C1); используется первый"),
    # rows and cells
    fine("empty rows between data", blank_rows_between()),
    fine("rows of spaces", space_rows()),
    Mistake("merged cells", merge("Повестка", "D2:D3"), "Повестка!D2:D3", "объединённые ячейки"),
    Mistake("formula =10+3", new_meeting(Присутствовало="=10+3"), "Заседания!M4",
            "в ячейке формула «=10+3»; введите значение, а не формулу"),
    Mistake("formula HYPERLINK", new_meeting(Место_или_ссылка='=HYPERLINK("http://x","y")'), "Заседания!G4",
            "в ячейке формула «=HYPERLINK(\"http://x\",\"y\")»"),
    Mistake("formula in a seed child", seed_child("Повестка", Вопрос="=A2&A3"), "Повестка!C7",
            "в ячейке формула «=A2&A3»"),
    Mistake("text of 50,000 characters", put("Выступления", 3, "Содержание", LONG_TEXT), "Выступления!D3",
            "слишком длинный текст (32767 символов); в протокол попадут первые 20000"),
    # hostile text: valid input, rendered literally
    fine("jinja expression", put("Заседания", 2, "Тема", "{{ 7*7 }}"), "{{ 7*7 }}"),
    fine("jinja statement", put("Повестка", 2, "Вопрос", "{% for x in y %}{{ x }}{% endfor %}"),
         "{% for x in y %}{{ x }}{% endfor %}"),
    fine("markup", put("Решения", 4, "Решение", "<script>alert(1)</script> & &amp; <w:t>"),
         "<script>alert(1)</script> & &amp; <w:t>"),
    fine("formula typed as text", put("Выступления", 2, "Содержание", HOSTILE_FORMULA, as_text=True),
         HOSTILE_FORMULA),
    # Excel saves a control character as «_x0007_», which openpyxl reads back literally
    fine("control characters", put("Заседания", 2, "Тема", "Тема\tс табуляцией\r\nи _x0007_ звонком"),
         "и _x0007_ звонком"),
    # dangling references
    Mistake("agenda of an unknown meeting", add("Повестка", {"ID заседания": "ГМО-1999", "№": 1,
                                                             "Вопрос": "?"}),
            "Повестка!A7", "заседание с ID «ГМО-1999» не найдено на листе «Заседания»"),
    Mistake("speech of an unknown meeting", add("Выступления", {"ID заседания": "ГМО-2021-10-31", "№": 1,
                                                                "Докладчик": "Х", "Содержание": "…"}),
            "Выступления!A4", "заседание с ID «ГМО-2021-10-31» не найдено"),
    Mistake("decision of an unknown meeting", add("Решения", {"ID заседания": "ГМО-2021-13-13", "№": 1,
                                                              "Решение": "…"}),
            "Решения!A5", "заседание с ID «ГМО-2021-13-13» не найдено"),
    Mistake("child without a meeting ID", add("Решения", {"№": 1, "Решение": "Без заседания"}),
            "Решения!A5", "не указан ID заседания"),
    Mistake("speech of a missing agenda item", seed_child("Выступления", Докладчик="Х", Содержание="…",
                                                          Вопрос_повестки=7),
            "Выступления!E4", "вопроса № 7 в повестке этого заседания нет"),
    Mistake("decision of a missing agenda item", seed_child("Решения", Решение="…", Вопрос_повестки=5),
            "Решения!H5", "вопроса № 5 в повестке этого заседания нет"),
    # duplicates
    Mistake("duplicate meeting ID", new_meeting(ID=SEED_ID), "Заседания!A4",
            f"ID «{SEED_ID}» уже есть в строке 2"),
    Mistake("duplicate protocol number", new_meeting({"№ протокола": 2}), "Заседания!B4",
            "протокол № 2 за этот год уже есть в строке 2"),
    Mistake("duplicate agenda number", seed_child("Повестка", {"№": 1}, Вопрос="Ещё раз первый"),
            "Повестка!B7", "№ 1 у этого заседания уже есть в строке 2"),
    # decisions and participants
    Mistake("deadline before the meeting", seed_child("Решения", Решение="…", Срок="01.10.2021"),
            "Решения!E5", "срок 01.10.2021 раньше даты заседания 13.10.2021"),
    Mistake("deadline in words", seed_child("Решения", Решение="…", Срок="когда-нибудь"), "Решения!E5",
            "найдено «когда-нибудь», ожидается срок"),
    Mistake("invite without e-mail", add("Участники", {"ФИО": "Иванова И.И.", "Приглашать": "да"}),
            f"Участники!D{NEW_PARTICIPANT}", "e-mail не указан, а для приглашения нужен адрес e-mail"),
    Mistake("invite with a broken e-mail", add("Участники", {"ФИО": "Иванова И.И.", "Приглашать": "да",
                                                             "E-mail": "ivanova(at)example.org"}),
            f"Участники!D{NEW_PARTICIPANT}",
            "найдено «ivanova(at)example.org», а для приглашения нужен адрес e-mail"),
    fine("participant without e-mail", add("Участники", {"ФИО": "Иванова И.И.", "Должность": "методист"})),
    fine("two-digit year", new_meeting(Дата="17.11.21")),
]  # fmt: skip


def test_corpus_is_as_big_as_the_docstring_says() -> None:
    names = [m.name for m in CORPUS]
    assert len(set(names)) == len(names)
    reported = [m for m in CORPUS if m.place is not None]
    assert (len(CORPUS), len(reported)) == (55, 46)
    assert f"**{len(CORPUS)} distinct mistakes**" in (__doc__ or "")


# --- running one case ----------------------------------------------------------------------------


def cells(path: Path) -> dict[tuple[str, str], tuple[object, str]]:
    """Every non-empty cell: (tab, coordinate) → (value, openpyxl data_type)."""
    book = openpyxl.load_workbook(path)
    return {
        (sheet.title, cell.coordinate): (cell.value, cell.data_type)
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    }


def document_text(path: Path) -> str:
    document = docx.Document(str(path))
    parts = [p.text for p in document.paragraphs]
    parts += [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join(parts)


def apply(workspace: Path, edit: Edit) -> Path:
    path = workspace / WORKBOOK
    book = openpyxl.load_workbook(path)
    edit(book)
    book.save(path)
    return path


@pytest.mark.parametrize("case", CORPUS, ids=[m.name for m in CORPUS])
def test_mistake(case: Mistake, gmo: Invoke, workspace: Path) -> None:
    path = apply(workspace, case.edit)
    before = cells(path)
    result = gmo("protocols")
    output = result.output
    assert "Traceback" not in output and "Непредвиденная ошибка" not in output, output
    assert result.exit_code == case.exit_code, output
    problems = [line.strip() for line in output.splitlines() if line.startswith("  ")]
    if case.place is None:
        assert not problems, output
    else:
        line = next((p for p in problems if p.startswith(f"{case.place}: ")), None)
        assert line is not None, f"no problem at {case.place}:\n{output}"
        assert case.fragment in line, output
        assert re.search("[а-яё]", line.partition(": ")[2]), "the message must be in Russian"
    protocol = workspace / "protocols" / SEED_DOC
    after = cells(path)
    if case.exit_code == 2:
        assert output.startswith("Ошибка: "), output
        assert after == before and not protocol.exists(), "a structural error must change nothing"
        return
    assert protocol.exists() == case.seed_protocol, output
    if case.seed_protocol:
        assert after[("Заседания", "O2")][0] == SEED_DOC, "the seed row must still get its link"
    if case.literal is not None:
        assert case.literal in document_text(protocol)
        assert "49" not in document_text(protocol)
    written = {key: value for key, value in after.items() if before.get(key) != value}
    assert written, "every case writes at least the seed protocol's link"
    for key, (value, data_type) in written.items():
        assert data_type == "s", f"{key} = {value!r} was written as {data_type!r}, not as text"
    journal = openpyxl.load_workbook(path)["Журнал"]
    for row in journal.iter_rows(min_row=2):
        assert all(c.data_type == "s" for c in row if c.value is not None)
    if case.place is not None:
        logged = str(journal.cell(journal.max_row, column_of(journal, "Проблемы")).value)
        assert case.place in logged and case.fragment in logged


def test_long_text_is_cut_in_the_protocol(gmo: Invoke, workspace: Path) -> None:
    apply(workspace, put("Выступления", 3, "Содержание", LONG_TEXT))
    assert gmo("protocols").exit_code == 1  # made, and the cut reported
    text = document_text(workspace / "protocols" / SEED_DOC)
    assert LONG_TEXT[:20_000] in text and LONG_TEXT[:20_001] not in text


def test_two_digit_year_is_read_as_this_century(gmo: Invoke, workspace: Path) -> None:
    path = apply(workspace, new_meeting(Дата="17.11.21"))
    result = gmo("sync")
    assert result.exit_code == 0, result.output
    assert "Заседания!A4: ID ← «ГМО-2021-11-17»" in result.output
    assert "Заседания!B4: № протокола ← «3»" in result.output
    assert cells(path)[("Заседания", "A4")] == ("ГМО-2021-11-17", "s")


def test_blank_rows_between_meetings_keep_the_planned_meeting(gmo: Invoke, workspace: Path) -> None:
    apply(workspace, blank_rows_between())
    result = gmo("check")
    assert (result.exit_code, result.output) == (0, "Проблем не найдено.\n")


def test_many_mistakes_at_once_are_all_reported(gmo: Invoke, workspace: Path) -> None:
    """Problems in different rows and tabs do not hide one another; the valid meetings still go through."""
    chosen = ["date «завтра»", "merged cells", "duplicate header", "invite typo",
              "deadline before the meeting", "speech of an unknown meeting", "formula =10+3"]  # fmt: skip
    mistakes = [m for m in CORPUS if m.name in chosen]
    # «formula =10+3» and «date «завтра»» both type into Заседания row 4: move one to row 5
    edits = [m.edit for m in mistakes] + [new_meeting(Дата="24.11.2021", Тема="Ещё одна встреча")]
    apply(workspace, both(*edits))
    result = gmo("protocols")
    assert result.exit_code == 1, result.output
    for mistake in mistakes:
        place = mistake.place.replace("!M4", "!M5") if mistake.name == "formula =10+3" else mistake.place
        assert f"  {place}: " in result.output, (mistake.name, result.output)
    assert (workspace / "protocols" / SEED_DOC).exists()
    assert "Заседания!A6: ID ← «ГМО-2021-11-24»" in result.output
    assert "(заседание ГМО-2021-11-24)" in result.output, "a valid new row goes through too"


# --- random input ----------------------------------------------------------------------------------

COORDINATOR_CELLS = {
    "Заседания": ["ID", "№ протокола", "Дата", "Начало", "Окончание", "Формат", "Место или ссылка", "Тема",
                  "Ведущие", "Председатель", "Секретарь", "Участники", "Присутствовало", "Статус"],
    "Решения": ["ID заседания", "№", "Решение", "Ответственный", "Срок", "Статус", "Отметка о выполнении",
                "Вопрос повестки"],
}  # fmt: skip

# What a spreadsheet cell can hold once saved: text (XML-legal), numbers, dates, times, booleans.
cell_values = st.one_of(
    st.none(),
    st.text(max_size=40).map(lambda s: ILLEGAL_CHARACTERS_RE.sub("", s)),
    st.sampled_from(["13.10.2021", "31.02.2022", "14:00", "25:61", "да", "проведено", "=1+1", "-3", " ",
                     "ГМО-2021-10-13", "{{ x }}", "№ 2", "до декабря 2021", "1e308", "NaN", "0"]),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(9999, 12, 31)),
    st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(9999, 12, 31)),
    st.times(),
)  # fmt: skip
edits = st.lists(
    st.tuples(
        st.sampled_from(sorted(COORDINATOR_CELLS)),
        st.integers(2, 5),
        st.integers(0, 13),
        cell_values,
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=edits)
def test_check_never_crashes_on_random_cells(
    edits: list[tuple[str, int, int, object]], gmo: Invoke, workspace: Path, tmp_path: Path
) -> None:
    # One workspace serves every example: the seed workbook is restored before each.
    path, pristine = workspace / WORKBOOK, tmp_path / "pristine.xlsx"
    if not pristine.exists():
        shutil.copy2(path, pristine)
    book = openpyxl.load_workbook(pristine)
    for tab, row, index, value in edits:
        headers = COORDINATOR_CELLS[tab]
        sheet = book[tab]
        cell = sheet.cell(row, column_of(sheet, headers[index % len(headers)]))
        cell.value = value  # a str starting with «=» becomes a formula, as typed into Excel
    book.save(path)
    # `check` as asked; `protocols` too, so planning, rendering and writing back see the same input
    for command in ("check", "protocols"):
        result = gmo(command)
        assert result.exit_code in (0, 1, 2), result.output
        assert "Traceback" not in result.output, result.output
        assert "Непредвиденная ошибка" not in result.output, result.output
    for (tab, coordinate), (value, data_type) in cells(path).items():
        # only the tool writes these: the Журнал, Заседания's Протокол (O) and Синхронизировано (R)
        if tab == "Журнал" or (tab == "Заседания" and coordinate[0] in "OR"):
            assert data_type == "s", (tab, coordinate, value)
