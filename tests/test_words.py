"""Russian wording helpers: dates in words, plural forms, signature names."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gmo_sync.rendering.words import city_genitive, date_in_words, people_count, plural, signature_name

GENITIVE_MONTHS = (
    *("января", "февраля", "марта", "апреля", "мая", "июня"),
    *("июля", "августа", "сентября", "октября", "ноября", "декабря"),
)


def test_date_in_words_reference() -> None:
    assert date_in_words(dt.date(2021, 10, 13)) == "13 октября 2021 г."
    assert date_in_words(dt.date(2022, 3, 1)) == "1 марта 2022 г."


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2200, 12, 31)))
def test_date_in_words_shape(date: dt.date) -> None:
    assert date_in_words(date) == f"{date.day} {GENITIVE_MONTHS[date.month - 1]} {date.year} г."


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (0, "0 человек"),
        (1, "1 человек"),
        (2, "2 человека"),
        (4, "4 человека"),
        (5, "5 человек"),
        (11, "11 человек"),
        (12, "12 человек"),
        (13, "13 человек"),
        (14, "14 человек"),
        (21, "21 человек"),
        (22, "22 человека"),
        (25, "25 человек"),
        (101, "101 человек"),
        (111, "111 человек"),
        (112, "112 человек"),
        (122, "122 человека"),
    ],
)
def test_people_count_examples(n: int, expected: str) -> None:
    assert people_count(n) == expected


def _expected_form(n: int) -> str:
    # The textbook rule, written independently of CLDR to cross-check babel's data.
    if n % 10 == 1 and n % 100 != 11:
        return "one"
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return "few"
    return "many"


@given(st.integers(min_value=0, max_value=10**9))
def test_plural_matches_textbook_rule(n: int) -> None:
    assert plural(n, "one", "few", "many") == _expected_form(n)


@given(st.integers(min_value=0, max_value=10**6))
def test_people_count_is_number_and_noun(n: int) -> None:
    number, noun = people_count(n).split(" ")
    assert number == str(n)
    assert noun in ("человек", "человека")
    assert (noun == "человека") == (_expected_form(n) == "few")


def test_plural_of_fraction_uses_genitive_singular() -> None:
    assert plural(1.5, "час", "часа", "часов") == "часа"


@pytest.mark.parametrize(
    ("person", "signature"),
    [
        ("Попыхова Т.Ю., руководитель ГМО", "Т.Ю. Попыхова"),
        ("Замятина Е. Д.", "Е.Д. Замятина"),
        ("Попыхова Татьяна Юрьевна", "Т.Ю. Попыхова"),
        ("Иванов Пётр Ильич, методист", "П.И. Иванов"),
        ("Руководитель ГМО", "Руководитель ГМО"),
        ("", ""),
    ],
)
def test_signature_name(person: str, signature: str) -> None:
    assert signature_name(person) == signature


@given(st.text(max_size=60))
def test_signature_name_never_fails(person: str) -> None:
    result = signature_name(person)
    assert "," not in result


@pytest.mark.parametrize(
    ("city", "genitive"),
    [("Красноярск", "Красноярска"), ("Москва", "Москвы"), ("Рига", "Риги"), ("Ачинск", "Ачинска"),
     ("Пермь", "Пермь"), ("Сочи", "Сочи"), ("Нижний Новгород", "Нижний Новгород"), ("", "")],
)  # fmt: skip
def test_city_genitive(city: str, genitive: str) -> None:
    assert city_genitive(city) == genitive
