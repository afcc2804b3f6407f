"""Property: whatever coordinators typed, a second run with no sheet change writes nothing."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gmo_sync.core.clock import fixed_clock
from gmo_sync.core.config import load_config
from gmo_sync.core.pipeline import Options, run
from gmo_sync.core.sheet import Formula
from tests.conftest import NOW, TODAY
from tests.memory_backends import MemoryProtocolStore, MemorySheet

DATES = st.sampled_from(["13.10.2021", "17.11.2021", "13 октября 2021 г.", dt.date(2022, 3, 2), 44700,
                         "31.02.2022", "", None, "завтра", "01.09.2022", "14.09.2022"])  # fmt: skip
TIMES = st.sampled_from(["14:00", "14-00", dt.time(15, 30), "25:00", None, 0.5])
STATUSES = st.sampled_from(["проведено", "запланировано", "отменено", "провдено", None])
FORMATS = st.sampled_from(["онлайн", "очно", "смешанный", "онлаин", None])
IDS = st.sampled_from([None, None, "ГМО-2021-10-13", "своё-1", "своё-2"])
NUMBERS = st.sampled_from([None, None, 1, 2, "3", "два"])
TOPICS = st.sampled_from(["Тема", "{{ 7*7 }}", '=HYPERLINK("x")', "", "Тема\nв две строки"])
DEADLINES = st.sampled_from(["01.12.2021", "постоянно", "когда-нибудь", None])
COUNTS = st.sampled_from([None, 13, "13 человек", "много"])


@st.composite
def meeting_rows(draw: st.DrawFn) -> dict[str, object]:
    return {
        "ID": draw(IDS), "№ протокола": draw(NUMBERS), "Дата": draw(DATES), "Начало": draw(TIMES),
        "Формат": draw(FORMATS), "Тема": draw(TOPICS), "Статус": draw(STATUSES),
        "Присутствовало": draw(COUNTS),
    }  # fmt: skip


@st.composite
def child_rows(draw: st.DrawFn) -> dict[str, object]:
    return {
        "ID заседания": draw(IDS), "№": draw(st.sampled_from([1, 2, "x", None])),
        "Решение": draw(TOPICS), "Срок": draw(DEADLINES),
        "Статус": draw(st.sampled_from([None, "в работе", "выполнено", "просрочено", "готово"])),
    }  # fmt: skip


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(meeting_rows(), max_size=6), st.lists(child_rows(), max_size=5), st.booleans())
def test_second_run_is_a_no_op(meetings: list[dict], decisions: list[dict], formula: bool) -> None:
    sheet = MemorySheet.seeded(TODAY)
    for tab, rows in (("Заседания", meetings), ("Решения", decisions)):
        data = sheet.snapshot.tabs[tab]
        data.rows.extend([row.get(h) for h in data.rows[0]] for row in rows)
    if formula:
        sheet.snapshot.tabs["Заседания"].rows[1][12] = Formula("=10+3")
    store = MemoryProtocolStore()
    config = load_config(None, environ={}, cwd=__import__("pathlib").Path("/nonexistent"))
    options = Options(protocols=True)
    run("protocols", config, sheet, store, fixed_clock(NOW), options)
    batches, saves = len(sheet.writes), store.saves
    second = run("protocols", config, sheet, store, fixed_clock(NOW), options)
    assert len(sheet.writes) == batches, sheet.writes[-1]
    assert store.saves == saves
    assert second.cells_written == 0
    # and nothing a coordinator typed was overwritten: only tool-owned columns were ever written
    tool_headers = {"ID", "№ протокола", "Протокол", "Синхронизировано", "Статус", "Время", "Команда",
                    "Изменения", "Проблемы"}  # fmt: skip
    for batch in sheet.writes:
        for write in batch:
            assert write.header in tool_headers
            if write.header in ("ID", "№ протокола"):
                assert write.old == ""
