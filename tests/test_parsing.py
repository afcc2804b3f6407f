from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gmo_sync.core.parsing import (
    ParseError,
    display_text,
    normalize_text,
    parse_choice,
    parse_count,
    parse_date,
    parse_deadline,
    parse_time,
    parse_yes_no,
)

OCT13 = dt.date(2021, 10, 13)


@pytest.mark.parametrize(
    "typed",
    ["13.10.2021", "13.10. 2021г.", "13 октября 2021 г.", "13.10.21", " 13.10.2021 ", "13/10/2021",
     "13 октября 2021", "13 окт. 2021", "2021-10-13", "13\u00a0октября\u00a02021\u00a0г.", "13.10.2021 года",
     dt.date(2021, 10, 13), dt.datetime(2021, 10, 13, 0, 0), 44482, 44482.0],
)  # fmt: skip
def test_dates_coordinators_type(typed: object) -> None:
    assert parse_date(typed) == OCT13


@pytest.mark.parametrize(
    ("typed", "fragment"),
    [
        ("31.02.2021", "такой даты нет"),
        ("13 октабря 2021", "может быть, «октября»"),
        ("завтра", "ожидается дата"),
        (13, "найдено число «13»"),
        ("", "дата не указана"),
        (None, "дата не указана"),
    ],
)
def test_bad_dates_explain_themselves(typed: object, fragment: str) -> None:
    with pytest.raises(ParseError, match=fragment):
        parse_date(typed)


@given(st.dates(min_value=dt.date(1960, 1, 1), max_value=dt.date(2099, 12, 31)))
def test_date_roundtrips_through_every_written_form(date: dt.date) -> None:
    months = ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября",
              "октября", "ноября", "декабря"]  # fmt: skip
    forms = [
        date.strftime("%d.%m.%Y"),
        f"{date.day} {months[date.month - 1]} {date.year} г.",
        date.isoformat(),
        date.strftime("%d.%m. %Yг."),
        (date - dt.date(1899, 12, 30)).days,  # Google's serial number
    ]
    for form in forms:
        assert parse_date(form) == date


@pytest.mark.parametrize(
    "typed", ["14:00", "14-00", "14.00", "14:00:00", " 14 : 00 ", "14ч", "14", dt.time(14, 0), 14 / 24,
              dt.datetime(2021, 10, 13, 14, 0)],
)  # fmt: skip
def test_times(typed: object) -> None:
    assert parse_time(typed) == dt.time(14, 0)


@given(st.integers(0, 23), st.integers(0, 59), st.sampled_from([":", "-", "."]))
def test_time_any_separator(hour: int, minute: int, sep: str) -> None:
    assert parse_time(f"{hour}{sep}{minute:02d}") == dt.time(hour, minute)
    assert parse_time((hour * 60 + minute) / 1440) == dt.time(hour, minute)


@pytest.mark.parametrize("typed", ["25:00", "14:75", "в обед", "2 часа дня"])
def test_bad_times(typed: str) -> None:
    with pytest.raises(ParseError, match="ожидается время"):
        parse_time(typed)


@pytest.mark.parametrize("typed", ["13", "13 человек", "13 чел.", "13 чел", 13, 13.0, "13 участников"])
def test_counts(typed: object) -> None:
    assert parse_count(typed) == 13


@pytest.mark.parametrize("typed", ["тринадцать", "-3", "13,5", 13.5, "около 13"])
def test_bad_counts(typed: object) -> None:
    with pytest.raises(ParseError, match="ожидается целое число"):
        parse_count(typed)


def test_choice_suggests_the_obvious_fix() -> None:
    with pytest.raises(ParseError) as error:
        parse_choice("провдено", ["запланировано", "проведено", "отменено"])
    assert str(error.value) == (
        "найдено «провдено», ожидается «запланировано» / «проведено» / «отменено». Может быть, «проведено»?"
    )
    assert parse_choice(" Проведено ", ["проведено"]) == "проведено"


def test_yes_no() -> None:
    assert parse_yes_no("Да") is True
    assert parse_yes_no("нет") is False
    assert parse_yes_no(True) is True
    with pytest.raises(ParseError, match="Может быть, «да»"):
        parse_yes_no("даа")


@pytest.mark.parametrize(
    ("typed", "date"),
    [("01.12.2021", dt.date(2021, 12, 1)), ("до 01.12.2021", dt.date(2021, 12, 1)),
     ("декабрь 2021", dt.date(2021, 12, 31)), ("12.2021", dt.date(2021, 12, 31)),
     ("постоянно", None), ("В течение года", None), (dt.date(2022, 2, 1), dt.date(2022, 2, 1))],
)  # fmt: skip
def test_deadlines(typed: object, date: dt.date | None) -> None:
    assert parse_deadline(typed)[0] == date


def test_bad_deadline() -> None:
    with pytest.raises(ParseError, match="ожидается срок"):
        parse_deadline("когда-нибудь")


@given(st.text())
def test_normalize_is_idempotent(text: str) -> None:
    assert normalize_text(normalize_text(text)) == normalize_text(text)


def test_display_text() -> None:
    assert display_text(13.0) == "13"
    assert display_text(dt.date(2021, 10, 13)) == "13.10.2021"
    assert display_text(dt.time(14, 0)) == "14:00"
    assert display_text(None) == ""
