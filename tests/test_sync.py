"""Tool-owned cells: IDs, protocol numbers, decision statuses (pure planning over an in-memory sheet)."""

from __future__ import annotations

import datetime as dt

import pytest

from gmo_sync.core.plan.sync import numbering_year, plan_sync
from gmo_sync.core.reading import parse_sheet
from tests.conftest import TODAY
from tests.memory_backends import MemorySheet


def sheet_with(*meetings: dict[str, object]) -> MemorySheet:
    sheet = MemorySheet.seeded(TODAY)
    data = sheet.snapshot.tabs["Заседания"]
    names = data.rows[0]
    for meeting in meetings:
        data.rows.append([meeting.get(h) for h in names])
    return sheet


def planned(
    sheet: MemorySheet, numbering: str = "academic", today: dt.date = TODAY
) -> dict[tuple[int, str], str]:
    parsed = parse_sheet(sheet.read(), today)
    changes, _ = plan_sync(parsed, today, numbering)
    return {(c.row, c.key): c.value for c in changes if c.tab == "Заседания"}


def held(date: str, **extra: object) -> dict[str, object]:
    return {"Дата": date, "Тема": "Тема", "Статус": "проведено", "Формат": "очно", **extra}


@pytest.mark.parametrize(
    ("date", "academic", "calendar"),
    [
        (dt.date(2021, 9, 1), 2021, 2021),
        (dt.date(2021, 8, 31), 2020, 2021),
        (dt.date(2022, 1, 10), 2021, 2022),
    ],
)
def test_numbering_year(date: dt.date, academic: int, calendar: int) -> None:
    assert numbering_year(date, "academic") == academic
    assert numbering_year(date, "calendar") == calendar


def test_next_number_in_the_academic_year_by_date_order() -> None:
    # seed: № 2 on 13.10.2021. Rows 4, 5, 6 are added out of date order.
    sheet = sheet_with(held("10.03.2022"), held("17.11.2021"), held("14.09.2022"))
    changes = planned(sheet)
    assert changes[(5, "number")] == "3"  # 17.11.2021 comes first
    assert changes[(4, "number")] == "4"  # 10.03.2022
    assert changes[(6, "number")] == "1"  # a new academic year starts on 1 September


def test_calendar_numbering() -> None:
    sheet = sheet_with(held("10.03.2022"), held("17.11.2021"))
    changes = planned(sheet, numbering="calendar")
    assert changes[(4, "number")] == "1"
    assert changes[(5, "number")] == "3"


def test_existing_numbers_are_never_changed_and_planned_meetings_get_none() -> None:
    sheet = sheet_with(held("01.10.2021", **{"№ протокола": 7}), held("20.10.2021"))
    changes = planned(sheet)
    assert (4, "number") not in changes  # typed by a coordinator: kept even out of order
    assert changes[(5, "number")] == "8"
    assert (3, "number") not in changes  # the seed's planned meeting


def test_duplicate_numbers_are_reported() -> None:
    sheet = sheet_with(held("20.10.2021", **{"№ протокола": 2}))
    parsed = parse_sheet(sheet.read(), TODAY)
    plan_sync(parsed, TODAY, "academic")
    assert [str(p) for p in parsed.problems] == [
        "Заседания!B4: протокол № 2 за этот год уже есть в строке 2; исправьте номер вручную "
        "(инструмент номера не меняет)"
    ]


@pytest.mark.parametrize(
    ("numbering", "reported"),
    [
        # № 2 of 2021/22 (the seed, 13.10.2021) again in February 2022: the same academic year, two
        # calendar years; and № 2 again in 2022/23 — the same № in another year is no duplicate
        ("academic", ["Заседания!B4"]),
        ("calendar", ["Заседания!B5"]),
    ],
)
def test_duplicate_numbers_are_per_year(numbering: str, reported: list[str]) -> None:
    sheet = sheet_with(held("10.02.2022", **{"№ протокола": 2}), held("12.10.2022", **{"№ протокола": 2}))
    parsed = parse_sheet(sheet.read(), TODAY)
    plan_sync(parsed, TODAY, numbering)
    assert [p.place for p in parsed.problems] == reported


def test_ids_are_deterministic_and_unique() -> None:
    sheet = sheet_with(held("17.11.2021"), held("17.11.2021"), {"Тема": "без даты"})
    first = planned(sheet)
    assert first[(4, "id")] == "ГМО-2021-11-17"
    assert first[(5, "id")] == "ГМО-2021-11-17-2"
    assert (6, "id") not in first  # no date, no ID (and a problem)
    assert planned(sheet) == first  # same sheet, same IDs: a crashed run is repeated exactly


def test_duplicate_id_row_is_left_out_and_never_rewritten() -> None:
    sheet = sheet_with(held("17.11.2021", ID="ГМО-2021-10-13"))
    parsed = parse_sheet(sheet.read(), TODAY)
    changes, meetings = plan_sync(parsed, TODAY, "academic")
    assert not [c for c in changes if c.row == 4 and c.key == "id"]
    assert [m.row for m in meetings] == [2, 3]
    assert "Заседания!A4: ID «ГМО-2021-10-13» уже есть в строке 2" in " ".join(map(str, parsed.problems))


def test_decision_statuses() -> None:
    sheet = MemorySheet.seeded(TODAY)
    decisions = sheet.snapshot.tabs["Решения"]
    names = decisions.rows[0]
    decisions.rows.append([{"ID заседания": "ГМО-2021-10-13", "№": 4, "Решение": "В срок",
                            "Срок": "декабрь 2026"}.get(h) for h in names])  # fmt: skip
    decisions.rows.append([{"ID заседания": "ГМО-2021-10-13", "№": 5, "Решение": "Сдвинули",
                            "Срок": "01.01.2027", "Статус": "просрочено"}.get(h) for h in names])  # fmt: skip
    parsed = parse_sheet(sheet.read(), TODAY)
    changes, meetings = plan_sync(parsed, TODAY, "academic")
    statuses = {c.row: c.value for c in changes if c.tab == "Решения"}
    assert statuses == {4: "просрочено", 5: "в работе", 6: "в работе"}  # rows 2–3 are «выполнено»
    seed = next(m for m in meetings if m.id == "ГМО-2021-10-13")
    assert [d.status.value for d in seed.decisions if d.status] == [
        "выполнено",
        "выполнено",
        "просрочено",
        "в работе",
        "в работе",
    ]  # the meetings handed to protocols already carry the planned statuses


def test_deadline_before_the_meeting_is_reported() -> None:
    sheet = MemorySheet.seeded(TODAY)
    decisions = sheet.snapshot.tabs["Решения"]
    decisions.rows[1][decisions.rows[0].index("Срок")] = "01.09.2021"
    parsed = parse_sheet(sheet.read(), TODAY)
    assert [str(p) for p in parsed.problems] == [
        "Решения!E2: срок 01.09.2021 раньше даты заседания 13.10.2021"
    ]
