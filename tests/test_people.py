"""«Ответственный» resolved to people of «Участники»: names, initials, groups, problems with their cell."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from gmo_sync.core.model import Participant
from gmo_sync.core.people import PeopleDirectory, PersonName, split_names
from tests import xlsx
from tests.conftest import Invoke

PEOPLE = [
    Participant("Попыхова Татьяна Юрьевна", "руководитель ГМО", "КИМЦ", "pop@example.org", True, 2),
    Participant("Замятина Елена Дмитриевна", "методист", "КИМЦ", "zam@example.org", True, 3, ("методисты",)),
    Participant(
        "Руководитель РМО Октябрьского района",
        "",
        "СШ 1",
        "okt@example.org",
        False,
        4,
        ("руководители РМО", "ОМО"),
    ),
    Participant("Иванова А.А.", "", "СШ 2", "ia@example.org", False, 5, ("руководители РМО",)),
    Participant("Иванова А.Б.", "", "СШ 3", "ib@example.org", False, 6),
    Participant("Семёнова Ольга Петровна", "", "СШ 4", "so@example.org", False, 7),
]
DIRECTORY = PeopleDirectory(PEOPLE)


def names(text: str) -> list[str]:
    return [p.name for p in DIRECTORY.resolve(text).people]


@pytest.mark.parametrize(
    "text",
    [
        "Замятина Е.Д.",
        "Замятина Е. Д.",
        "замятина е.д.",
        "Замятина  Е.Д",
        "Е.Д. Замятина",
        "Е. Д. Замятина",
        "Замятина Е.",
        "Замятина Елена Дмитриевна",
        "Замятина",
        "Замятина\u00a0Е.Д.",
    ],
)
def test_one_person_in_many_spellings(text: str) -> None:
    assert names(text) == ["Замятина Елена Дмитриевна"]


def test_yo_and_ye_are_the_same_letter() -> None:
    assert names("Семенова О.П.") == ["Семёнова Ольга Петровна"]
    assert names("Семёнова О. П.") == ["Семёнова Ольга Петровна"]


def test_name_with_position_and_a_group() -> None:
    assert names("Замятина Е.Д., методист КИМЦ") == ["Замятина Елена Дмитриевна"]
    assert names("Попыхова Т.Ю., руководители РМО") == [
        "Попыхова Татьяна Юрьевна",
        "Руководитель РМО Октябрьского района",
        "Иванова А.А.",
    ]


def test_groups_split_like_the_cell() -> None:
    # «руководители РМО, ОМО» in both places: each part is a group, each person listed once
    assert names("руководители РМО, ОМО") == ["Руководитель РМО Октябрьского района", "Иванова А.А."]
    assert names("Попыхова Т.Ю. и Замятина Е.Д.") == ["Попыхова Татьяна Юрьевна", "Замятина Елена Дмитриевна"]
    assert names("Методисты") == ["Замятина Елена Дмитриевна"]


def test_full_fio_as_typed_in_the_participants_tab() -> None:
    assert names("руководитель РМО октябрьского района") == ["Руководитель РМО Октябрьского района"]


def test_unknown_and_ambiguous_names_are_problems_with_the_cell() -> None:
    resolution = DIRECTORY.resolve("Петрова И.И.; Иванова А., Замятина Е.Д.")
    assert [p.name for p in resolution.people] == ["Замятина Елена Дмитриевна"]
    problems = [str(p) for p in resolution.problems("Решения!D5")]
    assert problems[0].startswith("Решения!D5: «Петрова И.И.» нет на листе «Участники»")
    assert problems[1] == (
        "Решения!D5: «Иванова А.» подходит нескольким участникам (лист «Участники», "
        "строки 5 и 6): уточните инициалы"
    )


def test_an_exact_initial_pair_picks_one_of_two_namesakes() -> None:
    assert names("Иванова А.Б.") == ["Иванова А.Б."]
    assert DIRECTORY.resolve("Иванова А.Б.").problems("X") == []


def test_descriptions_reach_nobody_without_a_problem() -> None:
    resolution = DIRECTORY.resolve("все библиотекари, методист КИМЦ")
    assert resolution.people == () and resolution.problems("X") == []


def test_address_by_name_and_patronymic() -> None:
    parsed = PersonName.parse("Замятина Елена Дмитриевна")
    assert parsed is not None and parsed.address == "Елена Дмитриевна"
    short = PersonName.parse("Замятина Е.Д.")
    assert short is not None and short.address == "" and short.initials == "ед"
    assert PersonName.parse("руководители РМО") is None


def test_split_names() -> None:
    assert split_names("А; Б,В\nГ и Д") == ["А", "Б", "В", "Г", "Д"]


def test_check_reports_an_unknown_responsible_of_an_open_decision(gmo: Invoke, workspace: Path) -> None:
    book = workspace / "ГМО.xlsx"
    row = xlsx.append(
        book,
        "Решения",
        {
            "ID заседания": "ГМО-2021-10-13",
            "№": 4,
            "Решение": "Отчитаться",
            "Ответственный": "Петрова И.И., методист",
            "Срок": dt.date(2026, 12, 1),
        },
    )
    xlsx.append(
        book,
        "Решения",
        {
            "ID заседания": "ГМО-2021-10-13",
            "№": 5,
            "Решение": "Готово",
            "Ответственный": "Сидорова В.В.",
            "Срок": dt.date(2026, 12, 1),
            "Статус": "выполнено",
        },
    )
    result = gmo("check")
    assert result.exit_code == 1, result.output
    assert f"Решения!D{row}: «Петрова И.И.» нет на листе «Участники»" in result.output
    assert "Сидорова" not in result.output  # a done decision needs nobody reached


def test_seed_workspace_resolves_everyone(gmo: Invoke) -> None:
    result = gmo("check")
    assert result.exit_code == 0, result.output
