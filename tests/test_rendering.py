"""Rendering the shipped templates for the seed meeting of 13.10.2021, and template safety."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import re
from pathlib import Path

import docx
import pytest

from gmo_sync.core.model import (
    AgendaItem,
    Deadline,
    Decision,
    DecisionStatus,
    Format,
    Meeting,
    MeetingStatus,
    Speech,
)
from gmo_sync.rendering import (
    TEMPLATE_NAMES,
    TemplateError,
    check_template,
    protocol_context,
    render_protocol,
    template_bytes,
    template_fingerprint,
    variable_name,
)

MEETING_ID = "m-2021-10-13"
TOPIC = (
    "Заседание рабочей группы по организации и проведению мероприятий, "
    "приуроченных Международному дню школьных библиотек."
)
AGENDA = (
    "Организация методического сопровождения по организации и проведению мероприятий, "
    "приуроченных Международному дню школьных библиотек.",
    "Социальное партнерство как фактор профессионального развития школьного библиотекаря.",
    "Прения.",
)
SPEECH_1 = (
    "Елена Дмитриевна остановилась на вопросах корректировки плана работы ГМО на 2021-2022 учебный год. "
    "Все мероприятия должны быть нацелены на развитие читательской и информационной грамотности "
    "обучающихся.\n"
    "Открытые мероприятия от каждого района должны быть нацелены на изучение, обобщение и "
    "распространение творческого опыта.\n"
    "Рассказала о том, что будет продолжена работа по апробации библиотечной системы «ЛитРес:Школа». "
    "На сегодняшний день это 34 ОО."
)
SPEECH_2 = (
    "Попыхова Т.Ю. рассказала собравшимся, что в октябре проходит ежегодный Международный месячник "
    "школьных библиотек (ММШБ).\n"
    "Познакомила с профессиональными конкурсами РШБА.\n"
    "В рамках партнерства ГУНБ Красноярского края предоставила возможность использования в работе "
    "электронного ресурса «Библиошкола»."
)
DECISIONS = (
    "Подготовить и провести городскую акцию «Я — школьный библиотекарь — 2021!». Результаты акции "
    "представить в электронном виде с дальнейшим размещением материалов на сайте КИМЦ.",
    "Принять участие в региональном этапе Конкурсов, организованных РШБА.",
    "Создать чек-лист по авторизации в электронной библиотеке «Библиошкола».",
)
ORGANISATION = "Городское методическое объединение библиотечных работников школ г. Красноярска"


def make_meeting(**changes: object) -> Meeting:
    """The real meeting of 13.10.2021 as the core would parse it from the sheet."""
    extra = {
        "ID": MEETING_ID,
        "№ протокола": "2",
        "Дата": "13.10. 2021г.",
        "Начало": "14-00",
        "Окончание": "",
        "Формат": "онлайн",
        "Место или ссылка": "",
        "Тема": TOPIC,
        "Ведущие": "Замятина Е.Д., методист; Попыхова Т.Ю., руководитель ГМО",
        "Председатель": "Попыхова Т.Ю., руководитель ГМО",
        "Секретарь": "Замятина Е.Д., методист КИМЦ",
        "Участники": "руководители РМО, ОМО, методист КИМЦ",
        "Присутствовало": "13",
        "Статус": "проведено",
        "Мой столбец": "данные координатора",
    }
    speakers = ("Замятина Е.Д., методист КИМЦ", "Попыхова Т.Ю., руководитель ГМО", "")
    meeting = Meeting(
        id=MEETING_ID,
        protocol_number=2,
        date=dt.date(2021, 10, 13),
        start=dt.time(14, 0),
        end=None,
        format=Format.ONLINE,
        place="",
        topic=TOPIC,
        hosts=extra["Ведущие"],
        chair=extra["Председатель"],
        secretary=extra["Секретарь"],
        participants=extra["Участники"],
        attendance=13,
        status=MeetingStatus.HELD,
        protocol_link="",
        event_link="",
        video_link="",
        row=2,
        extra=extra,
        agenda=tuple(
            AgendaItem(MEETING_ID, n, q, s, row=n + 1)
            for n, (q, s) in enumerate(zip(AGENDA, speakers, strict=True), 1)
        ),
        # Listed out of order on purpose: the context sorts by №.
        speeches=(
            Speech(MEETING_ID, 2, "Попыхова Т.Ю., руководитель ГМО", SPEECH_2, 2, row=3),
            Speech(MEETING_ID, 1, "Замятина Е.Д., методист КИМЦ", SPEECH_1, 1, row=2),
        ),
        decisions=(
            Decision(
                MEETING_ID, 1, DECISIONS[0], "Попыхова Т.Ю.", Deadline(dt.date(2021, 11, 30), "30.11.2021"),
                DecisionStatus.DONE, "итоги на сайте КИМЦ", 1, row=2,
            ),
            Decision(
                MEETING_ID, 2, DECISIONS[1], "руководители РМО", Deadline(dt.date(2021, 12, 1), "01.12.2021"),
                DecisionStatus.IN_PROGRESS, "", 2, row=3,
            ),
            Decision(
                MEETING_ID, 3, DECISIONS[2], "Замятина Е.Д.", Deadline(None, "постоянно"),
                DecisionStatus.IN_PROGRESS, "", 2, row=4,
            ),
        ),
    )  # fmt: skip
    return dataclasses.replace(meeting, **changes)


def context_for(meeting: Meeting) -> dict[str, object]:
    return protocol_context(meeting, organisation=ORGANISATION, city="г. Красноярск")


def paragraphs(docx_bytes: bytes) -> list[str]:
    """Every paragraph of the body, table cells included, in reading order (a tab as «\\t»)."""
    document = docx.Document(io.BytesIO(docx_bytes))
    body = document.element.body
    text, tab = docx.oxml.ns.qn("w:t"), docx.oxml.ns.qn("w:tab")
    return [
        "".join((t.text or "") if t.tag == text else "\t" for t in p.iter(text, tab))
        for p in body.iter(docx.oxml.ns.qn("w:p"))
    ]


def text_of(docx_bytes: bytes) -> str:
    return "\n".join(paragraphs(docx_bytes))


def render(name: str, meeting: Meeting | None = None) -> bytes:
    return render_protocol(
        template_bytes(name), context_for(meeting or make_meeting()), template_name=f"{name}.docx"
    )


def make_template(*lines: str) -> bytes:
    """A one-off .docx template: one paragraph per line."""
    document = docx.Document()
    for line in lines:
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# --- context ---


@pytest.mark.parametrize(
    ("header", "name"),
    [
        ("№ протокола", "номер_протокола"),
        ("Место или ссылка", "место_или_ссылка"),
        ("Мой столбец", "мой_столбец"),
        ("  Ещё  один — столбец! ", "еще_один_столбец"),
        ("ID", "id"),
        ("№п/п", "номер_п_п"),
        ("***", ""),
    ],
)
def test_variable_name(header: str, name: str) -> None:
    assert variable_name(header) == name


def test_context_values() -> None:
    context = context_for(make_meeting())
    assert context["номер_протокола"] == 2
    assert context["дата"] == "13.10.2021"
    assert context["дата_прописью"] == "13 октября 2021 г."
    assert context["начало"] == "14:00"
    assert context["окончание"] == ""
    assert context["время"] == "14:00"
    assert context["формат"] == "онлайн"
    assert context["присутствовало"] == 13
    assert context["присутствовало_человек"] == "13 человек"
    assert context["статус"] == "проведено"
    assert context["город"] == "Красноярск"
    assert context["организация"] == ORGANISATION
    assert context["id"] == MEETING_ID
    assert context["председатель_подпись"] == "Т.Ю. Попыхова"
    assert context["мой_столбец"] == "данные координатора"
    assert context["столбцы"]["Мой столбец"] == "данные координатора"  # type: ignore[index]
    assert [s["номер"] for s in context["выступления"]] == [1, 2]  # type: ignore[index,union-attr]
    agenda = context["повестка"]
    assert [len(item["выступления"]) for item in agenda] == [1, 1, 0]  # type: ignore[union-attr,index]
    assert [len(item["решения"]) for item in agenda] == [1, 2, 0]  # type: ignore[union-attr,index]
    assert [d["срок"] for d in context["решения"]] == ["30.11.2021", "01.12.2021", "постоянно"]  # type: ignore[union-attr,index]
    assert context["выступления_без_вопроса"] == context["решения_без_вопроса"] == []


def test_context_time_range_and_missing_values() -> None:
    meeting = make_meeting(end=dt.time(15, 30), protocol_number=None, attendance=None, format=None)
    context = context_for(meeting)
    assert context["время"] == "14:00–15:30"
    assert context["номер_протокола"] == context["присутствовало"] == context["присутствовало_человек"] == ""
    assert context["формат"] == ""


def test_context_unattached_speeches_and_decisions() -> None:
    meeting = make_meeting()
    loose = make_meeting(
        speeches=tuple(dataclasses.replace(s, agenda_number=None) for s in meeting.speeches),
        decisions=tuple(dataclasses.replace(d, agenda_number=9) for d in meeting.decisions),
    )
    context = context_for(loose)
    assert len(context["выступления_без_вопроса"]) == 2  # type: ignore[arg-type]
    assert len(context["решения_без_вопроса"]) == 3  # type: ignore[arg-type]


# --- shipped templates ---


@pytest.mark.parametrize("name", TEMPLATE_NAMES)
def test_seed_protocol_facts(name: str) -> None:
    text = text_of(render(name))
    assert ("Протокол № 2" if name == "default" else "№ 2") in text
    assert "13 октября 2021 г." in text if name == "default" else "13.10.2021" in text
    assert "13 человек" in text
    assert TOPIC in text
    for question in AGENDA:
        assert question in text
    for decision in DECISIONS:
        assert decision in text
    assert "«Библиошкола»" in text
    assert "Попыхова Т.Ю." in text
    assert "{{" not in text and "{%" not in text


def test_default_template_header_names_the_city() -> None:
    # the association's own protocols: «…библиотечных работников школ г. Красноярска»
    assert paragraphs(render("default"))[:2] == [
        "Программа заседания",
        ORGANISATION,
    ]  # it has the city already
    plain = "Городское методическое объединение библиотечных работников школ"  # the default config's
    default = render_protocol(
        template_bytes("default"),
        protocol_context(make_meeting(), organisation=plain, city="Красноярск"),
        template_name="d.docx",
    )
    assert paragraphs(default)[:2] == ["Программа заседания", f"{plain} г.\u00a0Красноярска"]
    moscow = render_protocol(
        template_bytes("default"),
        protocol_context(make_meeting(), organisation="ГМО", city="Москва"),
        template_name="d.docx",
    )
    assert paragraphs(moscow)[1] == "ГМО г.\u00a0Москвы"
    nowhere = render_protocol(
        template_bytes("default"),
        protocol_context(make_meeting(), organisation="ГМО", city=""),
        template_name="d.docx",
    )
    assert paragraphs(nowhere)[1] == "ГМО"


def test_gost_signatures_keep_with_the_text_before_them() -> None:
    """The block that ends the protocol and the signatures keep together: never signatures alone."""
    document = docx.Document(io.BytesIO(render("gost")))
    body = list(document.element.body.iterchildren())
    signatures = document.tables[-1]
    before = [docx.text.paragraph.Paragraph(e, document) for e in body[: body.index(signatures._tbl)]
              if e.tag == docx.oxml.ns.qn("w:p")]  # fmt: skip
    # from the last agenda item («3. СЛУШАЛИ:», «Прения.») to the spacer: each keeps with the next
    tail = before[[p.text for p in before].index("3. СЛУШАЛИ:") :]
    assert [p.text for p in tail] == ["3. СЛУШАЛИ:", "Прения.", ""]
    assert all(p.paragraph_format.keep_with_next for p in tail)
    assert not before[[p.text for p in before].index("1. СЛУШАЛИ:") + 1].paragraph_format.keep_with_next
    rows = signatures.rows
    assert all(r._tr.trPr.find(docx.oxml.ns.qn("w:cantSplit")) is not None for r in rows)
    assert all(p.paragraph_format.keep_with_next for c in rows[0].cells for p in c.paragraphs)


def test_default_template_layout() -> None:
    paras = paragraphs(render("default"))
    assert "Дата проведения: 13 октября 2021 г." in paras
    assert "Время проведения: 14:00 (онлайн)" in paras
    assert "Присутствовало: 13 человек." in paras
    # a tab to the hanging indent: a one-line item starts its text where the wrapped ones do
    assert "1.\t" + AGENDA[0] + " (Замятина Е.Д., методист КИМЦ)" in paras
    assert "3.\tПрения." in paras
    # The decisions table: header + one row per decision, each with responsible and deadline.
    table = docx.Document(io.BytesIO(render("default"))).tables[0]
    rows = [[c.text for c in row.cells] for row in table.rows]
    assert rows[0] == ["№", "Решение", "Ответственный", "Срок"]
    assert rows[1:] == [
        ["1.", DECISIONS[0], "Попыхова Т.Ю.", "30.11.2021"],
        ["2.", DECISIONS[1], "руководители РМО", "01.12.2021"],
        ["3.", DECISIONS[2], "Замятина Е.Д.", "постоянно"],
    ]


def test_gost_template_structure() -> None:
    paras = paragraphs(render("gost"))
    text = "\n".join(paras)
    assert "ПРОТОКОЛ" in paras
    assert "г.\u00a0Красноярск" in paras  # a no-break space: «г.» never ends a line alone
    assert "Председатель – Попыхова Т.Ю., руководитель ГМО" in paras
    assert "Присутствовали: 13 человек (руководители РМО, ОМО, методист КИМЦ)" in paras
    assert "1. СЛУШАЛИ:" in paras and "2. СЛУШАЛИ:" in paras and "3. СЛУШАЛИ:" in paras
    assert text.count("ВЫСТУПИЛИ:") == 2
    assert text.count("ПОСТАНОВИЛИ:") == 2
    assert "2.2. " + DECISIONS[2] in paras
    assert "Ответственный: Замятина Е.Д." in paras and "Срок: постоянно" in paras
    assert "Срок: 01.12.2021" in paras
    assert "Т.Ю. Попыхова" in paras and "Е.Д. Замятина" in paras
    # Order: agenda, then per item СЛУШАЛИ – ВЫСТУПИЛИ – ПОСТАНОВИЛИ.
    first = paras.index("1. СЛУШАЛИ:")
    assert paras.index("ПОВЕСТКА ДНЯ:") < first < paras.index("ВЫСТУПИЛИ:") < paras.index("ПОСТАНОВИЛИ:")


def test_gost_unattached_speeches_and_decisions_are_listed() -> None:
    meeting = make_meeting()
    loose = make_meeting(
        speeches=tuple(dataclasses.replace(s, agenda_number=None) for s in meeting.speeches),
        decisions=tuple(dataclasses.replace(d, agenda_number=None) for d in meeting.decisions),
    )
    paras = paragraphs(render("gost", loose))
    assert "По итогам обсуждения:" in paras
    assert "1. " + DECISIONS[0] in paras and "3. " + DECISIONS[2] in paras


@pytest.mark.parametrize("name", TEMPLATE_NAMES)
def test_multi_paragraph_speech_becomes_paragraphs(name: str) -> None:
    paras = paragraphs(render(name))
    second, third = SPEECH_1.split("\n")[1:]
    assert second in paras and third in paras  # whole paragraphs of their own, not line breaks


@pytest.mark.parametrize("name", TEMPLATE_NAMES)
def test_shipped_templates_check_clean(name: str) -> None:
    check_template(template_bytes(name), template_name=f"{name}.docx")


# --- data is data ---


HOSTILE = "{{ 7*7 }} {% for x in y %} <b>&amp; \"quoted\" 'single' {_{ a }_} \x07bell"


@pytest.mark.parametrize("name", TEMPLATE_NAMES)
def test_cell_text_is_never_evaluated(name: str) -> None:
    meeting = make_meeting(topic=HOSTILE, participants="<script>&</script>")
    text = text_of(render(name, meeting))
    # all of it, docxtpl's own «{_{» escape too (shown as typed: a zero-width space keeps it inert)
    assert HOSTILE.replace("\x07", "") in text.replace("\u200b", "")
    assert "49" not in text
    assert "<script>&</script>" in text


def test_hostile_cell_in_own_column() -> None:
    meeting = make_meeting(extra={**make_meeting().extra, "Мой столбец": "{{ 7*7 }} <b>&amp;"})
    result = render_protocol(
        make_template("[{{ мой_столбец }}]"), context_for(meeting), template_name="t.docx"
    )
    assert paragraphs(result) == ["[{{ 7*7 }} <b>&amp;]"]


def test_own_column_is_a_variable() -> None:
    template = make_template("Свой: {{ мой_столбец }}", "По заголовку: {{ столбцы['Мой столбец'] }}")
    result = render_protocol(template, context_for(make_meeting()), template_name="мой.docx")
    assert paragraphs(result) == ["Свой: данные координатора", "По заголовку: данные координатора"]


def test_undefined_variable_renders_empty() -> None:
    template = make_template("[{{ нет_такого_столбца }}]", "{% for x in нет_списка %}x{% endfor %}end")
    result = render_protocol(template, context_for(make_meeting()), template_name="t.docx")
    assert paragraphs(result) == ["[]", "end"]


def test_sandbox_blocks_python_internals() -> None:
    template = make_template("{{ тема.__class__.__mro__[1].__subclasses__() }}")
    with pytest.raises(TemplateError) as info:
        render_protocol(template, context_for(make_meeting()), template_name="злой.docx")
    assert "злой.docx" in str(info.value)


def test_sandbox_is_immutable() -> None:
    template = make_template("{{ повестка.append(1) }}")
    with pytest.raises(TemplateError):
        render_protocol(template, context_for(make_meeting()), template_name="t.docx")


# --- broken templates ---


BROKEN = [
    # (template paragraphs, tag named in the message, words in the message, found without data)
    (
        ("Тема: {{ тема }}", "{% for п in повестка %}", "{{ п.вопрос }}"),
        "{% for п in повестка %}",
        "endfor",
        True,
    ),
    (("Тема: {{ тема|капс }}",), "{{ тема|капс }}", "фильтр «капс»", True),
    (("ok", "Дата {{ дата }} и {{ тема }", "end"), "{{ тема }", "синтаксическая", True),
    (("{% endif %}",), "{% endif %}", "endif", True),
    (("a", "{{ нет.поля.глубже }}"), "{{ нет.поля.глубже }}", "«нет»", False),
]


@pytest.mark.parametrize(("lines", "tag", "words", "static"), BROKEN)
def test_broken_template_names_file_and_tag(
    lines: tuple[str, ...], tag: str, words: str, static: bool
) -> None:
    template = make_template(*lines)
    with pytest.raises(TemplateError) as info:
        render_protocol(template, context_for(make_meeting()), template_name="мой шаблон.docx")
    message = str(info.value)
    assert message.startswith("Ошибка в шаблоне «мой шаблон.docx»")
    assert tag in message
    assert words in message
    if static:  # check_template finds syntax errors before any data is rendered
        with pytest.raises(TemplateError) as info:
            check_template(template, template_name="мой шаблон.docx")
        assert str(info.value) == message


def test_syntax_error_shows_paragraph_text() -> None:
    template = make_template("ok", "Дата {{ дата }} и {{ тема }", "end")
    with pytest.raises(TemplateError) as info:
        render_protocol(template, {}, template_name="t.docx")
    assert "Дата {{ дата }} и {{ тема }" in str(info.value)


def test_not_a_docx() -> None:
    with pytest.raises(TemplateError, match=re.escape("«плохой.docx»")):
        render_protocol(b"not a zip", {}, template_name="плохой.docx")


def test_fingerprint_is_stable_sha256() -> None:
    data = template_bytes("default")
    assert template_fingerprint(data) == hashlib.sha256(data).hexdigest()
    assert template_fingerprint(data + b"\0") != template_fingerprint(data)  # any byte counts
    assert re.fullmatch(r"[0-9a-f]{64}", template_fingerprint(data))
    assert template_fingerprint(data) != template_fingerprint(template_bytes("gost"))


def test_rendering_is_deterministic_in_content() -> None:
    assert paragraphs(render("gost")) == paragraphs(render("gost"))


# --- the coordinators' guide stays true ---

GUIDE = Path(__file__).resolve().parent.parent / "docs" / "templates.md"


def test_guide_lists_only_real_variables() -> None:
    context = context_for(make_meeting())
    section = GUIDE.read_text(encoding="utf-8").split("## Переменные заседания")[1].split("## Списки")[0]
    documented = set(re.findall(r"^\| `(\w+)`", section, re.MULTILINE))
    documented |= set(re.findall(r"^\| `\w+`, `(\w+)`", section, re.MULTILINE))
    assert len(documented) >= 20
    assert documented <= set(context)
    # Every parsed variable is documented; the rest of the context is the sheet's own columns and lists.
    lists = {"повестка", "выступления", "решения", "столбцы"}
    lists |= {"выступления_без_вопроса", "решения_без_вопроса", "присутствовали", "отсутствовали"}
    columns = {variable_name(h) for h in make_meeting().extra}
    assert set(context) - documented - lists <= columns


def test_guide_example_renders() -> None:
    example = GUIDE.read_text(encoding="utf-8").split("```")[1]
    template = make_template(*[line for line in example.strip().splitlines() if line])
    paras = paragraphs(render_protocol(template, context_for(make_meeting()), template_name="пример.docx"))
    assert paras[:4] == ["Повестка дня:", "1. " + AGENDA[0], "2. " + AGENDA[1], "3. " + AGENDA[2]]
    assert paras[5] == "1. " + DECISIONS[0] + " (ответственный: Попыхова Т.Ю.)"
