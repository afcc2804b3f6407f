"""The google backend end to end against the fake Workspace (real gspread/googleapiclient over HTTPS)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import gspread

from tests.google_env import GoogleInvoke

MEETING = ["", "", "13.10.2021", "14:00", "", "онлайн", "", "Заседание рабочей группы", "Замятина Е.Д.",
           "Попыхова Т.Ю.", "Замятина Е.Д.", "руководители РМО", "13 человек", "проведено"]  # fmt: skip


def config_ids(work: Path) -> dict:
    return tomllib.loads((work / "gmo-sync.toml").read_text(encoding="utf-8"))["google"]


def fill(coordinator: gspread.Client, spreadsheet_id: str, gmo_google: GoogleInvoke) -> gspread.Spreadsheet:
    """A coordinator adds a meeting, lets gmo-sync give it an ID, then types its agenda and decisions."""
    book = coordinator.open_by_key(spreadsheet_id)
    book.worksheet("Заседания").update([MEETING], "A2", value_input_option="USER_ENTERED")
    synced = gmo_google("sync")
    assert synced.exit_code == 0, synced.output
    assert "Заседания!A2: ID ← «ГМО-2021-10-13»" in synced.output
    book.worksheet("Повестка").update(
        [["ГМО-2021-10-13", 1, "Организация методического сопровождения", "Замятина Е.Д."],
         ["ГМО-2021-10-13", 2, "Социальное партнёрство", "Попыхова Т.Ю."]],
        "A2", value_input_option="USER_ENTERED",
    )  # fmt: skip
    book.worksheet("Решения").update(
        [["ГМО-2021-10-13", 1, "Создать чек-лист «Библиошкола»", "Замятина Е.Д.", "01.11.2021"]],
        "A2", value_input_option="USER_ENTERED",
    )  # fmt: skip
    return book


def test_init_check_protocols_and_a_quiet_second_run(gmo_google: GoogleInvoke, google_home: Path, fake,
                                                     coordinator: gspread.Client) -> None:  # fmt: skip
    result = gmo_google("init", "--google", "--title", "ГМО тест")
    assert result.exit_code == 0, result.output
    ids = config_ids(google_home)
    book = fill(coordinator, ids["spreadsheet_id"], gmo_google)
    checked = gmo_google("check")
    assert (checked.exit_code, checked.output) == (0, "Проблем не найдено.\n")
    first = gmo_google("protocols")
    assert first.exit_code == 0, first.output
    assert "создан протокол «2021-10-13 Протокол № 1»" in first.output
    meetings = book.worksheet("Заседания")
    row = meetings.row_values(2)
    assert row[0] == "ГМО-2021-10-13" and row[1] == "1"
    assert row[14].startswith("https://docs.google.com/document/d/")
    docs = [f for f in fake.ws.files.values() if f.get("appProperties", {}).get("gmoKind") == "protocol"]
    assert len(docs) == 1
    count = fake.request_count
    second = gmo_google("protocols")
    assert second.exit_code == 0, second.output
    writes = [e["api_method"] for e in fake.request_log()[count:] if e["method"] != "GET"]
    assert writes == [], second.output
