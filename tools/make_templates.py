"""Generate the shipped protocol templates (default.docx, gost.docx) with python-docx.

Run from the repository root after changing the layout, and commit the result:

    python tools/make_templates.py            # writes gmo_sync/rendering/templates/*.docx

The templates are ordinary .docx files with docxtpl (Jinja) tags, so
coordinators can also open them in Word/LibreOffice and edit them by hand;
this script is the reproducible starting point, not the only way to edit.
Variables are documented in docs/templates.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import zipfile
from collections.abc import Sequence
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt
from docx.table import Table
from docx.text.paragraph import Paragraph

OUT_DIR = Path(__file__).resolve().parent.parent / "gmo_sync" / "rendering" / "templates"
FONT = "Times New Roman"
INDENT = Cm(1.25)  # the paragraph indent of Russian office documents (ГОСТ Р 7.0.97, п. 5.1)

# A run is (text, bold); a plain str is a non-bold run.
Run = str | tuple[str, bool]

LEFT, CENTER, RIGHT, JUSTIFY = (
    WD_ALIGN_PARAGRAPH.LEFT,
    WD_ALIGN_PARAGRAPH.CENTER,
    WD_ALIGN_PARAGRAPH.RIGHT,
    WD_ALIGN_PARAGRAPH.JUSTIFY,
)


def new_document(size: int, title: str) -> DocumentObject:
    doc = Document()
    # Margins of ГОСТ Р 7.0.97-2016, п. 5.1: left at least 20 mm (30 leaves room for binding).
    for section in doc.sections:
        section.page_height, section.page_width = Mm(297), Mm(210)
        section.left_margin, section.right_margin = Mm(30), Mm(15)
        section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(size)
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "ru-RU")
    normal.element.get_or_add_rPr().append(lang)
    fmt = normal.paragraph_format
    fmt.space_before, fmt.space_after, fmt.line_spacing = Pt(0), Pt(0), 1.0
    props = doc.core_properties
    props.title, props.author, props.comments, props.subject = title, "gmo-sync", "", ""
    props.keywords, props.category, props.last_modified_by = "", "", "gmo-sync"
    # A fixed date keeps regenerated templates byte-stable apart from the zip timestamps.
    props.created = props.modified = dt.datetime(2024, 1, 1)
    props.revision = 1
    return doc


def para(
    doc: DocumentObject | Table,
    runs: Sequence[Run] | str = (),
    *,
    align: WD_ALIGN_PARAGRAPH = LEFT,
    first_line: Cm | None = None,
    hanging: Cm | None = None,
    before: int = 0,
    after: int = 0,
    keep_next: bool = False,
    size: int | None = None,
) -> Paragraph:
    p = doc.add_paragraph()
    for run in [runs] if isinstance(runs, str) else runs:
        text, bold = (run, False) if isinstance(run, str) else run
        r = p.add_run(text)
        r.bold = bold or None
        if size:
            r.font.size = Pt(size)
    fmt = p.paragraph_format
    fmt.alignment = align
    if first_line is not None:
        fmt.first_line_indent = first_line
    if hanging is not None:
        fmt.left_indent, fmt.first_line_indent = hanging, -hanging
    fmt.space_before, fmt.space_after = Pt(before), Pt(after)
    fmt.keep_with_next = keep_next or None
    return p


def control(doc: DocumentObject, tag: str) -> None:
    """A paragraph holding only a ``{%p … %}`` tag: docxtpl removes it from the output."""
    doc.add_paragraph(tag)


def cell_text(cell, runs: Sequence[Run] | str, *, align: WD_ALIGN_PARAGRAPH = LEFT) -> None:
    cell.paragraphs[0]._element.getparent().remove(cell.paragraphs[0]._element)
    para(cell, runs, align=align)


def set_widths(table: Table, widths_mm: Sequence[int]) -> None:
    table.autofit = False
    # LibreOffice lays out by the grid, Word by the cells: set both.
    for column, width in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm, strict=True):
            cell.width = Mm(width)


def repeat_header(row) -> None:
    pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    pr.append(el)


def page_numbers(doc: DocumentObject) -> None:
    """Page number centred in the top margin from the second page on (ГОСТ Р 7.0.97, п. 5.1)."""
    section = doc.sections[0]
    section.different_first_page_header_footer = True
    p = section.header.paragraphs[0]
    p.paragraph_format.alignment = CENTER
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "2"
    run.append(text)
    field.append(run)
    p._p.append(field)


# --- default: the association's own protocol layout (reference/protocol-2021-10-13.txt) ---


# «…библиотечных работников школ г. Красноярска», as the association's own protocols say
# (a no-break space: «г.» never ends a line without its city; an organisation named with its city
# already does not get it twice). The year's documents (year_templates.py) head with it too.
ASSOCIATION = (
    "{{ организация }}{% if город and город not in организация %} г.\u00a0{{ город_родительный }}{% endif %}"
)


def carry_over_block(doc: DocumentObject, *, size: int | None) -> None:
    """«О выполнении решений предыдущих заседаний», only when earlier meetings left decisions open."""
    control(doc, "{%p if невыполненные_решения %}")
    heading = [("О выполнении решений предыдущих заседаний:", True)]
    para(doc, heading, before=12, after=3, keep_next=True, size=size)
    control(doc, "{%p for р in невыполненные_решения %}")
    para(doc, "{{ loop.index }}. {{ р.решение }}", first_line=INDENT, align=JUSTIFY, size=size)
    # one line of facts without a closing full stop: names end in initials («Замятина Е.Д.»)
    para(
        doc,
        "Протокол {{ р.протокол }}{% if р.ответственный %}; ответственный: {{ р.ответственный }}{% endif %}"
        "{% if р.срок %}; срок: {{ р.срок }}{% endif %} — {{ р.статус }}"
        "{% if р.отметка %} ({{ р.отметка }}){% endif %}",
        first_line=INDENT,
        align=JUSTIFY,
        size=size,
    )
    control(doc, "{%p endfor %}")
    control(doc, "{%p endif %}")


def make_default(carry_over: bool = True) -> DocumentObject:
    doc = new_document(12, "Протокол заседания")
    para(doc, [("Программа заседания", True)], align=CENTER)
    para(doc, [(ASSOCIATION, True)], align=CENTER, after=12)
    para(doc, [("Протокол № {{ номер_протокола }}", True)], align=CENTER, after=12, size=14)

    para(doc, [("Тема: ", True), "{{ тема }}"], align=JUSTIFY)
    para(doc, [("Дата проведения: ", True), "{{ дата_прописью }}"])
    control(doc, "{%p if время or формат %}")
    para(doc, [("Время проведения: ", True), "{{ время }}{% if формат %} ({{ формат }}){% endif %}"])
    control(doc, "{%p endif %}")
    control(doc, "{%p if место_или_ссылка %}")
    para(
        doc,
        [
            (
                '{% if формат == "онлайн" %}Ссылка на подключение: {% else %}Место проведения: {% endif %}',
                True,
            ),
            "{{ место_или_ссылка }}",
        ],
    )
    control(doc, "{%p endif %}")
    control(doc, "{%p if присутствовало_человек %}")
    para(doc, [("Присутствовало: ", True), "{{ присутствовало_человек }}."])
    control(doc, "{%p endif %}")
    control(doc, "{%p if участники %}")
    para(doc, [("Участники: ", True), "{{ участники }}"], before=6, align=JUSTIFY)
    control(doc, "{%p endif %}")
    control(doc, "{%p if ведущие %}")
    para(doc, [("Ведущий заседания: ", True), "{{ ведущие }}"], before=6, align=JUSTIFY)
    control(doc, "{%p endif %}")

    para(doc, [("Повестка дня:", True)], before=12, after=3, keep_next=True)
    control(doc, "{%p for п in повестка %}")
    # A tab to the hanging indent, not a space: justified lines stretch spaces, and a one-line item
    # («3. Прения.») would then start its text left of the wrapped ones above it.
    para(
        doc,
        "{{ п.номер }}.\t{{ п.вопрос }}{% if п.докладчик %} ({{ п.докладчик }}){% endif %}",
        hanging=Cm(0.75),
        align=JUSTIFY,
    )
    control(doc, "{%p endfor %}")
    if carry_over:
        carry_over_block(doc, size=None)

    control(doc, "{%p if выступления %}")
    para(doc, [("Выступления:", True)], before=12, after=3, keep_next=True)
    control(doc, "{%p for в in выступления %}")
    para(doc, [("{{ в.докладчик }}", True)], before=6, keep_next=True)
    para(doc, "{{ в.содержание }}", first_line=INDENT, align=JUSTIFY)
    control(doc, "{%p endfor %}")
    control(doc, "{%p endif %}")

    control(doc, "{%p if решения %}")
    para(doc, "В ходе обсуждения вопросов, стоящих на повестке дня,", before=12, keep_next=True)
    para(doc, [("Решено:", True)], after=6, keep_next=True)
    table = doc.add_table(rows=4, cols=4)
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, title in zip(table.rows[0].cells, ["№", "Решение", "Ответственный", "Срок"], strict=True):
        cell_text(cell, [(title, True)], align=CENTER)
    repeat_header(table.rows[0])
    # docxtpl replaces a row holding a {%tr %} tag by the bare tag: the middle row repeats.
    cell_text(table.rows[1].cells[0], "{%tr for р in решения %}")
    values = ["{{ р.номер }}.", "{{ р.решение }}", "{{ р.ответственный }}", "{{ р.срок }}"]
    for cell, value, align in zip(table.rows[2].cells, values, [CENTER, LEFT, LEFT, CENTER], strict=True):
        cell_text(cell, value, align=align)
    cell_text(table.rows[3].cells[0], "{%tr endfor %}")
    set_widths(table, [10, 85, 43, 27])
    control(doc, "{%p endif %}")
    return doc


# --- gost: ГОСТ Р 7.0.97-2016, full form of a protocol ---


def decisions_block(doc: DocumentObject, items: str, number: str, *, keep: bool = False) -> None:
    """ПОСТАНОВИЛИ with numbered decisions, each with its responsible person and deadline.

    ``keep``: every paragraph keeps with the next — the block that ends the protocol, so the
    signatures never stand alone on a last page.
    """
    para(doc, [("ПОСТАНОВИЛИ:", True)], before=6, keep_next=True)
    control(doc, f"{{%p for р in {items} %}}")
    para(doc, f"{number}{{{{ loop.index }}}}. {{{{ р.решение }}}}", first_line=INDENT, align=JUSTIFY,
         keep_next=keep)  # fmt: skip
    # Separate lines without a closing full stop: names end in initials («Замятина Е.Д.»).
    control(doc, "{%p if р.ответственный %}")
    para(doc, "Ответственный: {{ р.ответственный }}", first_line=INDENT, keep_next=keep)
    control(doc, "{%p endif %}")
    control(doc, "{%p if р.срок %}")
    para(doc, "Срок: {{ р.срок }}", first_line=INDENT, keep_next=keep)
    control(doc, "{%p endif %}")
    control(doc, "{%p endfor %}")


def speeches_block(doc: DocumentObject, items: str, *, keep: bool = False) -> None:
    para(doc, [("ВЫСТУПИЛИ:", True)], before=6, keep_next=True)
    control(doc, f"{{%p for в in {items} %}}")
    para(
        doc,
        "{% if в.докладчик %}{{ в.докладчик }} – {% endif %}{{ в.содержание }}",
        first_line=INDENT,
        align=JUSTIFY,
        keep_next=keep,
    )
    control(doc, "{%p endfor %}")


def agenda_item(doc: DocumentObject, *, keep: bool) -> None:
    """СЛУШАЛИ – ВЫСТУПИЛИ – ПОСТАНОВИЛИ of one agenda item ``п``."""
    para(doc, [("{{ п.номер }}. СЛУШАЛИ:", True)], before=12, keep_next=True)
    para(
        doc,
        "{% if п.докладчик %}{{ п.докладчик }} – {% endif %}{{ п.вопрос }}",
        first_line=INDENT,
        align=JUSTIFY,
        keep_next=keep,
    )
    control(doc, "{%p if п.выступления %}")
    speeches_block(doc, "п.выступления", keep=keep)
    control(doc, "{%p endif %}")
    control(doc, "{%p if п.решения %}")
    decisions_block(doc, "п.решения", "{{ п.номер }}.", keep=keep)
    control(doc, "{%p endif %}")


def keep_together(table: Table) -> None:
    """A table that neither splits a row nor leaves its first rows behind (Word and LibreOffice)."""
    for index, row in enumerate(table.rows):
        properties = row._tr.get_or_add_trPr()
        properties.append(OxmlElement("w:cantSplit"))
        if index < len(table.rows) - 1:
            for cell in row.cells:
                for paragraph in cell.paragraphs:
                    paragraph.paragraph_format.keep_with_next = True


def make_gost(carry_over: bool = True) -> DocumentObject:
    doc = new_document(14, "Протокол")
    page_numbers(doc)
    para(doc, [("{{ организация }}", True)], align=CENTER, after=18)
    para(doc, [("ПРОТОКОЛ", True)], align=CENTER, after=12)

    # Date and number on one line, as the form requires: a borderless two-cell table.
    table = doc.add_table(rows=1, cols=2)
    cell_text(table.rows[0].cells[0], "{{ дата }}")
    cell_text(table.rows[0].cells[1], "№ {{ номер_протокола }}", align=RIGHT)
    set_widths(table, [82, 83])
    control(doc, "{%p if город %}")
    para(doc, "г.\u00a0{{ город }}", align=CENTER, before=6)
    control(doc, "{%p endif %}")
    para(doc, [("{{ тема }}", True)], before=18, after=18, align=LEFT)

    control(doc, "{%p if председатель %}")
    para(doc, "Председатель – {{ председатель }}", align=JUSTIFY)
    control(doc, "{%p endif %}")
    control(doc, "{%p if секретарь %}")
    para(doc, "Секретарь – {{ секретарь }}", align=JUSTIFY)
    control(doc, "{%p endif %}")
    # ГОСТ Р 7.0.97, п. 5.24: names of those present; above 15, their number and a list attached.
    para(
        doc,
        "Присутствовали: {% if список_прилагается %}{{ присутствовало_человек }} (список прилагается)"
        "{% elif присутствовали %}{{ присутствовали_кратко }}"
        "{% else %}{{ присутствовало_человек or '—' }}{% if участники %} ({{ участники }}){% endif %}"
        "{% endif %}",
        align=JUSTIFY,
    )
    control(doc, "{%p if отсутствовали %}")
    para(doc, "Отсутствовали: {{ отсутствовали_кратко }}", align=JUSTIFY)
    control(doc, "{%p endif %}")

    para(doc, [("ПОВЕСТКА ДНЯ:", True)], before=12, after=6, keep_next=True)
    control(doc, "{%p for п in повестка %}")
    para(doc, "{{ п.номер }}. {{ п.вопрос }}", first_line=INDENT, align=JUSTIFY)
    control(doc, "{%p if п.докладчик %}")
    para(doc, "Доклад: {{ п.докладчик }}.", first_line=INDENT, align=JUSTIFY)
    control(doc, "{%p endif %}")
    control(doc, "{%p endfor %}")
    if carry_over:
        carry_over_block(doc, size=None)

    # The block that ends the protocol keeps with the signatures (a template cannot set paragraph
    # properties by data, so the last item is written a second time with keep-with-next).
    control(doc, "{%p for п in повестка %}")
    control(doc, "{%p if loop.last and not (выступления_без_вопроса or решения_без_вопроса) %}")
    agenda_item(doc, keep=True)
    control(doc, "{%p else %}")
    agenda_item(doc, keep=False)
    control(doc, "{%p endif %}")
    control(doc, "{%p endfor %}")

    # Speeches and decisions a coordinator did not tie to an agenda item.
    control(doc, "{%p if выступления_без_вопроса or решения_без_вопроса %}")
    para(doc, [("По итогам обсуждения:", True)], before=12, keep_next=True)
    control(doc, "{%p endif %}")
    control(doc, "{%p if выступления_без_вопроса %}")
    speeches_block(doc, "выступления_без_вопроса", keep=True)
    control(doc, "{%p endif %}")
    control(doc, "{%p if решения_без_вопроса %}")
    decisions_block(doc, "решения_без_вопроса", "", keep=True)
    control(doc, "{%p endif %}")

    para(doc, "", after=24, keep_next=True)
    signatures = doc.add_table(rows=2, cols=3)
    for row, (role, name) in zip(
        signatures.rows,
        [("Председатель", "{{ председатель_подпись }}"), ("Секретарь", "{{ секретарь_подпись }}")],
        strict=True,
    ):
        cell_text(row.cells[0], role)
        cell_text(row.cells[1], "____________", align=CENTER)
        cell_text(row.cells[2], name, align=RIGHT)
        row.height = Mm(14)
    set_widths(signatures, [55, 50, 60])
    keep_together(signatures)

    control(doc, "{%p if список_прилагается %}")
    appendix = para(doc, "Приложение к протоколу от {{ дата }} № {{ номер_протокола }}", align=RIGHT,
                    after=18)  # fmt: skip
    appendix.paragraph_format.page_break_before = True
    para(doc, [("СПИСОК", True)], align=CENTER)
    para(doc, [("присутствовавших на заседании", True)], align=CENTER, after=12)
    control(doc, "{%p for ч in присутствовали %}")
    para(
        doc,
        "{{ loop.index }}. {{ ч.фио }}{% if ч.должность %}, {{ ч.должность }}{% endif %}"
        "{% if ч.организация %}, {{ ч.организация }}{% endif %}",
        hanging=Cm(0.75),
    )
    control(doc, "{%p endfor %}")
    control(doc, "{%p endif %}")
    return doc


# --- decisions: «Контроль исполнения решений», the register of decisions across meetings ---


def landscape(doc: DocumentObject) -> None:
    for section in doc.sections:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_height, section.page_width = Mm(210), Mm(297)
        section.left_margin, section.right_margin = Mm(20), Mm(15)
        section.top_margin, section.bottom_margin = Mm(15), Mm(15)


def shade(cell, fill: str) -> None:
    properties = cell._tc.get_or_add_tcPr()
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    properties.append(shading)


def spanning_row(table: Table, index: int, runs: Sequence[Run] | str, fill: str | None = None) -> None:
    """A row whose cells are merged into one: a group heading inside a table loop."""
    row = table.rows[index]
    merged = row.cells[0].merge(row.cells[-1])
    cell_text(merged, runs)
    if fill:
        shade(merged, fill)


def make_decisions() -> DocumentObject:
    doc = new_document(12, "Контроль исполнения решений")
    landscape(doc)
    para(doc, [("{{ организация }}", True)], align=CENTER)
    para(doc, [("КОНТРОЛЬ ИСПОЛНЕНИЯ РЕШЕНИЙ", True)], align=CENTER, before=12, size=14)
    only_open = "{% if только_невыполненные %} (только невыполненные решения){% endif %}"
    para(doc, "заседаний ГМО: {{ период }}" + only_open, align=CENTER)
    para(doc, "по состоянию на {{ на_дату }}", align=CENTER, after=12)

    control(doc, "{%p if решения %}")
    headers = ["№", "Протокол", "Решение", "Ответственный", "Срок", "Статус", "Отметка о выполнении"]
    table = doc.add_table(rows=10, cols=len(headers))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, title in zip(table.rows[0].cells, headers, strict=True):
        cell_text(cell, [(title, True)], align=CENTER)
    repeat_header(table.rows[0])
    cell_text(table.rows[1].cells[0], "{%tr for г in группы %}")
    spanning_row(table, 2, [("{{ г.статус|capitalize }} — {{ г.всего }}", True)], fill="E7E6E6")
    cell_text(table.rows[3].cells[0], "{%tr for о in г.ответственные %}")
    spanning_row(table, 4, [("{{ о.ответственный }} ({{ о.всего }})", True)])
    cell_text(table.rows[5].cells[0], "{%tr for р in о.решения %}")
    values = ["{{ р.п }}", "{{ р.протокол }}", "{{ р.решение }}", "{{ р.ответственный }}", "{{ р.срок }}",
              "{{ р.статус }}", "{{ р.отметка }}"]
    aligns = [CENTER, LEFT, LEFT, LEFT, CENTER, CENTER, LEFT]
    for cell, value, align in zip(table.rows[6].cells, values, aligns, strict=True):
        cell_text(cell, value, align=align)
    for index in (7, 8, 9):
        cell_text(table.rows[index].cells[0], "{%tr endfor %}")
    set_widths(table, [10, 28, 80, 42, 22, 27, 53])
    for row in table.rows:
        for cell in row.cells:
            for p in cell.paragraphs:
                for r in p.runs:
                    r.font.size = Pt(11)
    para(doc, [("Итого решений: ", True), "{{ итого.всего }}; выполнено — {{ итого.выполнено }}, в работе — "
               "{{ итого.в_работе }}, просрочено — {{ итого.просрочено }}."], before=12)
    control(doc, "{%p else %}")
    para(doc, "Решений нет.", before=12)
    control(doc, "{%p endif %}")
    para(doc, "Дата составления: {{ дата_составления }}", before=18)
    return doc


# --- extract: «Выписка из протокола», ГОСТ Р 7.0.97-2016 ---


def signature_rows(doc: DocumentObject, rows: Sequence[tuple[str, str]]) -> None:
    table = doc.add_table(rows=len(rows), cols=3)
    for row, (role, name) in zip(table.rows, rows, strict=True):
        cell_text(row.cells[0], role)
        cell_text(row.cells[1], "____________", align=CENTER)
        cell_text(row.cells[2], name, align=RIGHT)
        row.height = Mm(12)
        if row is not table.rows[-1]:  # signatures stay together on one page
            for cell in row.cells:
                cell.paragraphs[0].paragraph_format.keep_with_next = True
    set_widths(table, [55, 50, 60])


def extract_decision(doc: DocumentObject, *, keep: bool) -> None:
    """One decision ``р`` of an extract: its text, the responsible and the deadline."""
    para(doc, "{{ р.пункт }}. {{ р.решение }}", first_line=INDENT, align=JUSTIFY, keep_next=keep)
    control(doc, "{%p if р.ответственный %}")
    para(doc, "Ответственный: {{ р.ответственный }}", first_line=INDENT, keep_next=keep)
    control(doc, "{%p endif %}")
    control(doc, "{%p if р.срок %}")
    para(doc, "Срок: {{ р.срок }}", first_line=INDENT, keep_next=keep)
    control(doc, "{%p endif %}")


def make_extract() -> DocumentObject:
    doc = new_document(14, "Выписка из протокола")
    page_numbers(doc)
    para(doc, [("{{ организация }}", True)], align=CENTER, after=18)
    para(doc, [("ВЫПИСКА ИЗ ПРОТОКОЛА", True)], align=CENTER, after=12)
    table = doc.add_table(rows=1, cols=2)
    cell_text(table.rows[0].cells[0], "{{ дата }}")
    cell_text(table.rows[0].cells[1], "№ {{ номер_протокола }}", align=RIGHT)
    set_widths(table, [82, 83])
    control(doc, "{%p if город %}")
    para(doc, "г. {{ город }}", align=CENTER, before=6)
    control(doc, "{%p endif %}")
    para(doc, [("{{ тема }}", True)], before=18, after=18, align=LEFT)

    control(doc, "{%p if председатель %}")
    para(doc, "Председатель – {{ председатель }}", align=JUSTIFY)
    control(doc, "{%p endif %}")
    control(doc, "{%p if секретарь %}")
    para(doc, "Секретарь – {{ секретарь }}", align=JUSTIFY)
    control(doc, "{%p endif %}")
    para(
        doc,
        "Присутствовали: {{ присутствовало_человек or '—' }}{% if участники %} ({{ участники }}){% endif %}",
        align=JUSTIFY,
    )

    control(doc, "{%p if выписка.вопрос %}")
    para(doc, [("{{ выписка.вопрос.номер }}. СЛУШАЛИ:", True)], before=12, keep_next=True)
    para(
        doc,
        "{% if выписка.вопрос.докладчик %}{{ выписка.вопрос.докладчик }} – {% endif %}"
        "{{ выписка.вопрос.вопрос }}",
        first_line=INDENT,
        align=JUSTIFY,
    )
    control(doc, "{%p endif %}")
    control(doc, "{%p if выписка.выступления %}")
    speeches_block(doc, "выписка.выступления")
    control(doc, "{%p endif %}")
    control(doc, "{%p if выписка.решения %}")
    para(doc, [("ПОСТАНОВИЛИ:", True)], before=6, keep_next=True)
    # The last decision keeps with the signatures, so they never stand alone on a page (ГОСТ): a template
    # cannot set paragraph properties by data, so the last one is written a second time with keep-with-next.
    control(doc, "{%p for р in выписка.решения %}")
    control(doc, "{%p if loop.last %}")
    extract_decision(doc, keep=True)
    control(doc, "{%p else %}")
    extract_decision(doc, keep=False)
    control(doc, "{%p endif %}")
    control(doc, "{%p endfor %}")
    control(doc, "{%p endif %}")

    para(doc, "", after=18, keep_next=True)
    chair = ("Председатель", "{{ председатель_подпись }}")
    signature_rows(doc, [chair, ("Секретарь", "{{ секретарь_подпись }}")])
    # Заверительная надпись (ГОСТ Р 7.0.97-2016, п. 5.26): «Верно», position, signature, name, date.
    para(doc, "Верно", before=24, keep_next=True)
    signature_rows(doc, [("{{ верно_должность }}", "{{ верно_подпись }}")])
    para(doc, "{{ дата_составления }}")
    return doc


def stable_bytes(doc: DocumentObject) -> bytes:
    """The .docx with fixed zip timestamps: regenerating an unchanged layout gives identical bytes,
    so the template fingerprint (part of each protocol's content hash) does not change."""
    raw = io.BytesIO()
    doc.save(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(zipfile.ZipInfo(item.filename, (2024, 1, 1, 0, 0, 0)), src.read(item.filename),
                         compress_type=zipfile.ZIP_DEFLATED)  # fmt: skip
    return out.getvalue()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="output folder (default: %(default)s)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    from year_templates import YEAR_TEMPLATES  # the year's documents; it imports this module's helpers

    makers = (("default", make_default), ("gost", make_gost), ("decisions", make_decisions), *YEAR_TEMPLATES,
              ("extract", make_extract))  # fmt: skip
    for name, make in makers:
        path = args.out / f"{name}.docx"
        path.write_bytes(stable_bytes(make()))
        print(path)


if __name__ == "__main__":
    main()
