"""The meetings a benchmark run works on, typed into the master sheet the way a coordinator types them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import gspread
import openpyxl

FIRST_DATE = dt.date(2022, 9, 5)  # one meeting a day from here: every ID (ГМО-<date>) is distinct, all past
PEOPLE = ("Замятина Е.Д.", "Попыхова Т.Ю.", "Иванова А.С.", "Петрова М.В.")
# «Участники» rows for them (decisions name them as responsible); `init --local` seeds the first two
PARTICIPANTS = (
    ["Замятина Елена Дмитриевна", "методист", "КИМЦ", "zamyatina@example.org", "нет"],
    ["Попыхова Татьяна Юрьевна", "руководитель ГМО", "КИМЦ", "popykhova@example.org", "нет"],
    ["Иванова Анна Сергеевна", "педагог-библиотекарь", "СШ № 5", "ivanova@example.org", "нет"],
    ["Петрова Мария Владимировна", "педагог-библиотекарь", "Гимназия № 2", "petrova@example.org", "нет"],
)


@dataclass(frozen=True)
class Meeting:
    index: int
    date: dt.date
    online: bool

    @property
    def id(self) -> str:
        # The ID gmo-sync itself would assign (ГМО-<date>); typed in so agenda rows can refer to it
        # without a setup run of `gmo-sync sync`.
        return f"ГМО-{self.date:%Y-%m-%d}"

    @property
    def topic(self) -> str:
        return f"Заседание № {self.index + 1}: методическое сопровождение школьных библиотек"

    def row(self) -> list[object]:
        """Заседания, columns ID … Статус; Протокол and the rest are left for the tool."""
        place = "" if self.online else "Библиотека гимназии № 2, ул. Ленина, 10"
        chair, secretary = PEOPLE[self.index % 2], PEOPLE[2 + self.index % 2]
        return [
            self.id,
            "",
            f"{self.date:%d.%m.%Y}",
            "14:00",
            "15:30",
            "онлайн" if self.online else "очно",
            place,
            self.topic,
            chair,
            chair,
            secretary,
            "руководители РМО",
            f"{10 + self.index % 9} человек",
            "проведено",
        ]

    def agenda(self) -> list[list[object]]:
        return [
            [self.id, 1, f"Итоги работы за период ({self.index + 1})", PEOPLE[self.index % 4]],
            [self.id, 2, "Социальное партнёрство и проектная деятельность", PEOPLE[(self.index + 1) % 4]],
        ]

    def decisions(self) -> list[list[object]]:
        # «постоянно»: a standing deadline, so decision statuses do not depend on the day the bench runs
        return [
            [
                self.id,
                1,
                f"Подготовить отчёт по вопросу {self.index + 1}",
                PEOPLE[self.index % 4],
                "постоянно",
            ]
        ]


def meetings(count: int, first: dt.date = FIRST_DATE) -> list[Meeting]:
    """Half online, half in person, alternating so any prefix is balanced too; one a day from ``first``.

    A long series should start early enough to stay in the past: `init --local` seeds a planned
    meeting a few weeks ahead, and a series reaching that day would repeat its ID.
    """
    return [Meeting(i, first + dt.timedelta(days=i), online=i % 2 == 0) for i in range(count)]


def fill_sheet(client: gspread.Client, spreadsheet_id: str, items: list[Meeting]) -> None:
    """Three large USER_ENTERED writes, as if pasted in the browser (dates become date cells)."""
    book = client.open_by_key(spreadsheet_id)
    if not items:
        return
    tabs = {
        "Заседания": [m.row() for m in items],
        "Повестка": [r for m in items for r in m.agenda()],
        "Решения": [r for m in items for r in m.decisions()],
        "Участники": [list(p) for p in PARTICIPANTS],
    }
    for title, rows in tabs.items():
        sheet = book.worksheet(title)
        if len(rows) + 1 > sheet.row_count:
            # a write past the grid is refused (as Google does); in the browser a paste adds the rows
            sheet.add_rows(len(rows) + 1 - sheet.row_count)
        sheet.update(rows, "A2", value_input_option="USER_ENTERED")


def edit_topic(client: gspread.Client, spreadsheet_id: str, meeting: Meeting) -> None:
    """One coordinator edit: a new topic for one meeting (row 2 + index: the order fill_sheet wrote)."""
    sheet = client.open_by_key(spreadsheet_id).worksheet("Заседания")
    sheet.update(
        [[meeting.topic + " (уточнено)"]], f"H{meeting.index + 2}", value_input_option="USER_ENTERED"
    )


def append_to_workbook(path: Path, items: list[Meeting]) -> None:
    """The local master workbook with ``items`` appended below whatever `init --local` seeded."""
    book = openpyxl.load_workbook(path)
    for title, rows in (
        ("Заседания", [m.row() for m in items]),
        ("Повестка", [r for m in items for r in m.agenda()]),
        ("Решения", [r for m in items for r in m.decisions()]),
        ("Участники", [list(p) for p in PARTICIPANTS[2:]]),
    ):
        sheet = book[title]
        last = max((c.row for col in sheet.iter_cols() for c in col if c.value not in (None, "")), default=1)
        for offset, row in enumerate(rows, start=1):
            for column, value in enumerate(row, start=1):
                sheet.cell(last + offset, column, value)
    book.save(path)
