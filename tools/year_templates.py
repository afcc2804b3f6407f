"""Layouts of the year's documents: registration sheet, work plan, annual analysis.

Used by ``make_templates.py`` (run that one); kept apart because that file already
holds the protocol layouts. The building blocks (``para``, ``control``, tables) are
the protocols' own, so every shipped document looks like one family.
Variables are documented in docs/templates.md.
"""

from __future__ import annotations

from docx.document import Document as DocumentObject
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt
from docx.table import Table
from make_templates import (
    ASSOCIATION,
    CENTER,
    INDENT,
    JUSTIFY,
    LEFT,
    RIGHT,
    cell_text,
    control,
    landscape,
    new_document,
    page_numbers,
    para,
    repeat_header,
    set_widths,
    shade,
)

HEADER_FILL = "E7E6E6"


def grid(doc: DocumentObject, headers: list[str], rows: int, widths: list[int]) -> Table:
    """A bordered table with a bold, shaded header row repeated on every page."""
    table = doc.add_table(rows=rows, cols=len(headers))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, title in zip(table.rows[0].cells, headers, strict=True):
        cell_text(cell, [(title, True)], align=CENTER)
        shade(cell, HEADER_FILL)
    repeat_header(table.rows[0])
    set_widths(table, widths)
    return table


def small_text(table: Table, size: int) -> None:
    for row in table.rows:
        for cell in row.cells:
            for p in cell.paragraphs:
                for r in p.runs:
                    r.font.size = Pt(size)


def loop_row(table: Table, index: int, tag: str) -> None:
    """A row holding only a ``{%tr … %}`` tag: docxtpl replaces the whole row by the tag."""
    cell_text(table.rows[index].cells[0], tag)


def fill_row(table: Table, index: int, values: list[str], aligns: list) -> None:  # type: ignore[type-arg]
    for cell, value, align in zip(table.rows[index].cells, values, aligns, strict=True):
        cell_text(cell, value, align=align)


def row_height(table: Table, index: int, mm: int) -> None:
    table.rows[index].height = Mm(mm)


def rule(doc: DocumentObject) -> None:
    """An empty line with a bottom border: a place to write by hand on the printed page."""
    p = para(doc, "", before=8)
    borders = OxmlElement("w:pBdr")
    # «between» too: Word and LibreOffice join neighbouring paragraphs with equal borders into one
    # block and would draw only its last bottom line
    for side in ("w:bottom", "w:between"):
        line = OxmlElement(side)
        for attr, value in (("w:val", "single"), ("w:sz", "4"), ("w:space", "1"), ("w:color", "808080")):
            line.set(qn(attr), value)
        borders.append(line)
    p._p.get_or_add_pPr().append(borders)


def signature_line(doc: DocumentObject, role: str) -> None:
    table = doc.add_table(rows=1, cols=3)
    cell_text(table.rows[0].cells[0], role)
    cell_text(table.rows[0].cells[1], "______________", align=CENTER)
    cell_text(table.rows[0].cells[2], "/ ____________________ /", align=RIGHT)
    set_widths(table, [65, 45, 55])


# --- «Лист регистрации участников заседания» ---


def make_attendance() -> DocumentObject:
    doc = new_document(12, "Лист регистрации участников заседания")
    para(doc, [(ASSOCIATION, True)], align=CENTER, after=12)
    para(doc, [("ЛИСТ РЕГИСТРАЦИИ", True)], align=CENTER, size=14)
    para(doc, [("участников заседания", True)], align=CENTER, after=12)
    para(doc, [("Тема: ", True), "{{ тема }}"], align=JUSTIFY)
    para(doc, [("Дата: ", True), "{{ дата_прописью }}{% if время %}, {{ время }}{% endif %}"])
    control(doc, "{%p if формат %}")
    para(doc, [("Форма проведения: ", True), "{{ формат }}"])
    control(doc, "{%p endif %}")
    control(doc, "{%p if место_или_ссылка %}")
    para(doc, [("Место: ", True), "{{ место_или_ссылка }}"])
    control(doc, "{%p endif %}")
    para(doc, "", after=6)

    table = grid(doc, ["№", "Фамилия, имя, отчество", "Должность", "Организация", "Подпись"], 7,
                 [9, 54, 40, 40, 22])  # fmt: skip
    loop_row(table, 1, "{%tr for ч in участники_заседания %}")
    fill_row(table, 2, ["{{ ч.номер }}", "{{ ч.фио }}", "{{ ч.должность }}", "{{ ч.организация }}", ""],
             [CENTER, LEFT, LEFT, LEFT, LEFT])  # fmt: skip
    row_height(table, 2, 8)
    loop_row(table, 3, "{%tr endfor %}")
    loop_row(table, 4, "{%tr for н in пустые_строки %}")
    fill_row(table, 5, ["{{ н }}", "", "", "", ""], [CENTER, LEFT, LEFT, LEFT, LEFT])
    row_height(table, 5, 8)
    loop_row(table, 6, "{%tr endfor %}")
    small_text(table, 11)
    para(doc, "", after=12)
    signature_line(doc, "Секретарь заседания")
    return doc


# --- «План работы ГМО на учебный год» ---


def make_plan() -> DocumentObject:
    doc = new_document(12, "План работы ГМО на учебный год")
    landscape(doc)
    for text in ("УТВЕРЖДЁН", "на заседании ГМО", "протокол № ____ от «____» ____________ 20___ г."):
        para(doc, text, align=RIGHT)
    para(doc, [(ASSOCIATION, True)], align=CENTER, before=12)
    para(doc, [("ПЛАН РАБОТЫ", True)], align=CENTER, before=6, size=14)
    para(doc, [("на {{ учебный_год }} учебный год", True)], align=CENTER, after=12)
    control(doc, "{%p if тема_года %}")
    para(doc, [("Методическая тема: ", True), "{{ тема_года }}"], after=3)
    control(doc, "{%p endif %}")
    control(doc, "{%p if цель %}")
    para(doc, [("Цель: ", True), "{{ цель }}"], after=3)
    control(doc, "{%p endif %}")
    control(doc, "{%p if задачи %}")
    para(doc, [("Задачи:", True)], keep_next=True)
    control(doc, "{%p for з in задачи %}")
    para(doc, "{{ loop.index }}. {{ з }}", hanging=Cm(0.75), align=JUSTIFY)
    control(doc, "{%p endfor %}")
    control(doc, "{%p endif %}")
    para(doc, [("Заседания ГМО", True)], align=CENTER, before=12, after=6)

    table = grid(doc, ["№", "Месяц, дата", "Тема заседания и вопросы", "Ответственные", "Форма проведения"],
                 4, [10, 30, 132, 60, 30])  # fmt: skip
    loop_row(table, 1, "{%tr for з in заседания %}")
    cells = table.rows[2].cells
    cell_text(cells[0], "{{ з.номер }}", align=CENTER)
    cell_text(cells[1], [("{{ з.месяц }}", True)], align=CENTER)
    para(cells[1], "{{ з.дата }}{% if з.время %}, {{ з.время }}{% endif %}", align=CENTER)
    cell_text(cells[2], [("{{ з.тема }}", True)], align=JUSTIFY)
    control(cells[2], "{%p for в in з.вопросы %}")
    para(cells[2], "{{ loop.index }}. {{ в }}", hanging=Cm(0.5), align=JUSTIFY)
    control(cells[2], "{%p endfor %}")
    cell_text(cells[3], "{%p for о in з.ответственные %}")
    para(cells[3], "{{ о }}")
    control(cells[3], "{%p endfor %}")
    cell_text(cells[4], "{{ з.формат }}", align=CENTER)
    loop_row(table, 3, "{%tr endfor %}")
    small_text(table, 11)
    para(doc, "", after=12)
    para(doc, "Составлен: {{ дата_составления }}")
    para(doc, "", after=12)
    signature_line(doc, "Руководитель ГМО")
    return doc


# --- «Анализ работы ГМО за учебный год» ---


def heading(doc: DocumentObject, text: str) -> None:
    para(doc, [(text, True)], before=12, after=6, keep_next=True)


def figure_line(doc: DocumentObject, label: str, value: str) -> None:
    para(doc, [f"{label}: ", (value, True)], first_line=INDENT)


def analysis_section(doc: DocumentObject, title: str, lines: int = 4) -> None:
    para(doc, [(title, True)], before=10, keep_next=True)
    for _ in range(lines):
        rule(doc)


def make_year() -> DocumentObject:
    doc = new_document(12, "Анализ работы ГМО за учебный год")
    page_numbers(doc)
    para(doc, [(ASSOCIATION, True)], align=CENTER, after=12)
    para(doc, [("АНАЛИЗ РАБОТЫ", True)], align=CENTER, size=14)
    para(doc, [("методического объединения за {{ учебный_год }} учебный год", True)], align=CENTER, after=12)
    control(doc, "{%p if тема_года %}")
    para(doc, [("Методическая тема: ", True), "{{ тема_года }}"], after=3)
    control(doc, "{%p endif %}")
    control(doc, "{%p if цель %}")
    para(doc, [("Цель: ", True), "{{ цель }}"], after=3)
    control(doc, "{%p endif %}")
    control(doc, "{%p if задачи %}")
    para(doc, [("Задачи:", True)], keep_next=True)
    control(doc, "{%p for з in задачи %}")
    para(doc, "{{ loop.index }}. {{ з }}", hanging=Cm(0.75), align=JUSTIFY)
    control(doc, "{%p endfor %}")
    control(doc, "{%p endif %}")

    heading(doc, "1. Заседания")
    figure_line(doc, "Заседаний в плане года", "{{ заседаний_всего }}")
    figure_line(doc, "Проведено", "{{ проведено }} (онлайн и смешанных — {{ онлайн }}, очно — {{ очно }})")
    figure_line(doc, "Отменено", "{{ отменено }}")
    control(doc, "{%p if запланировано %}")
    figure_line(doc, "Запланировано, ещё не проведено", "{{ запланировано }}")
    control(doc, "{%p endif %}")
    para(doc, "", after=6)
    table = grid(doc, ["№", "Дата", "Протокол", "Тема", "Формат", "Статус", "Человек"], 4,
                 [8, 21, 21, 56, 19, 21, 19])  # fmt: skip
    loop_row(table, 1, "{%tr for з in заседания %}")
    protocol = "{% if з.номер_протокола %}№ {{ з.номер_протокола }}{% endif %}"
    fill_row(table, 2, ["{{ з.номер }}", "{{ з.дата }}", protocol, "{{ з.тема }}", "{{ з.формат }}",
                        "{{ з.статус }}", "{{ з.присутствовало }}"],
             [CENTER, CENTER, CENTER, LEFT, CENTER, CENTER, CENTER])  # fmt: skip
    loop_row(table, 3, "{%tr endfor %}")
    small_text(table, 10)

    heading(doc, "2. Посещаемость")
    control(doc, "{%p if средняя_посещаемость %}")
    figure_line(doc, "Присутствовало в среднем на заседании", "{{ средняя_посещаемость }} чел.")
    control(doc, "{%p endif %}")
    control(doc, "{%p if график_посещаемости %}")
    para(doc, "{{ график_посещаемости }}", align=CENTER, before=6, after=6)
    control(doc, "{%p endif %}")
    control(doc, "{%p if посещаемость_участников %}")
    para(doc, "Посещаемость участников (по листу «Присутствие»):", first_line=INDENT, after=6, keep_next=True)
    table = grid(doc, ["№", "ФИО", "Должность", "Присутствие", "%"], 4, [9, 55, 58, 28, 15])
    loop_row(table, 1, "{%tr for ч in посещаемость_участников %}")
    fill_row(table, 2, ["{{ ч.номер }}", "{{ ч.фио }}", "{{ ч.должность }}",
                        "{{ ч.присутствовал }} из {{ ч.из }}", "{{ ч.процент }}"],
             [CENTER, LEFT, LEFT, CENTER, CENTER])  # fmt: skip
    loop_row(table, 3, "{%tr endfor %}")
    small_text(table, 10)
    control(doc, "{%p endif %}")

    heading(doc, "3. Докладчики и организации")
    figure_line(doc, "Докладчиков", "{{ число_докладчиков }}")
    control(doc, "{%p for д in докладчики %}")
    para(doc, "{{ д.номер }}. {{ д.фио }}{% if д.организация %} ({{ д.организация }}){% endif %} — "
              "выступлений на заседаниях: {{ д.заседаний }}", hanging=Cm(0.75), align=JUSTIFY)  # fmt: skip
    control(doc, "{%p endfor %}")
    control(doc, "{%p if организации %}")
    figure_line(doc, "Организаций, чьи сотрудники участвовали в заседаниях", "{{ число_организаций }}")
    para(doc, "{% for о in организации %}{{ о.организация }} ({{ о.человек }}){% if not loop.last %}, "
              "{% endif %}{% endfor %}", first_line=INDENT, align=JUSTIFY)  # fmt: skip
    control(doc, "{%p endif %}")

    heading(doc, "4. Выполнение решений")
    figure_line(doc, "Решений принято", "{{ решения_итого.всего }}")
    figure_line(doc, "Выполнено", "{{ решения_итого.выполнено }} (в срок — {{ решения_итого.в_срок }}, "
                "с опозданием — {{ решения_итого.с_опозданием }}, без даты выполнения — "
                "{{ решения_итого.без_даты }})")  # fmt: skip
    figure_line(doc, "В работе", "{{ решения_итого.в_работе }}")
    figure_line(doc, "Просрочено", "{{ решения_итого.просрочено }}")
    control(doc, "{%p if график_решений %}")
    para(doc, "{{ график_решений }}", align=CENTER, before=6, after=6)
    control(doc, "{%p endif %}")
    control(doc, "{%p if решения_невыполненные %}")
    para(doc, "Невыполненные решения:", first_line=INDENT, after=6, keep_next=True)
    table = grid(doc, ["Протокол", "Решение", "Ответственный", "Срок", "Состояние"], 4, [24, 64, 34, 20, 23])
    loop_row(table, 1, "{%tr for р in решения_невыполненные %}")
    fill_row(table, 2, ["{{ р.протокол }}", "{{ р.решение }}", "{{ р.ответственный }}", "{{ р.срок }}",
                        "{{ р.состояние }}"], [CENTER, LEFT, LEFT, CENTER, CENTER])  # fmt: skip
    loop_row(table, 3, "{%tr endfor %}")
    small_text(table, 10)
    control(doc, "{%p endif %}")

    heading(doc, "5. Анализ и выводы")
    analysis_section(doc, "Основные результаты работы за год:")
    analysis_section(doc, "Трудности и нерешённые вопросы:")
    analysis_section(doc, "Задачи на следующий учебный год:")
    para(doc, "", after=18)
    para(doc, "Дата составления: {{ дата_составления }}", after=12)
    signature_line(doc, "Руководитель ГМО")
    return doc


YEAR_TEMPLATES = (("attendance", make_attendance), ("plan", make_plan), ("year", make_year))
