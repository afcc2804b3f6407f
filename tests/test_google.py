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
    # «Ответственный» names a participant: she must be on «Участники»
    book.worksheet("Участники").update([["Замятина Елена Дмитриевна", "методист"]], "A2")
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


def test_run_makes_events_with_meet_links_and_writes_them_back(
    gmo_google: GoogleInvoke, google_home: Path, fake, coordinator: gspread.Client
) -> None:
    assert gmo_google("init", "--google").exit_code == 0
    book = coordinator.open_by_key(config_ids(google_home)["spreadsheet_id"])
    planned = ["", "", "16.12.2026", "14:00", "15:30", "онлайн", "", "Итоги месячника", "Попыхова Т.Ю.",
               "", "", "руководители РМО", "", "запланировано"]  # fmt: skip
    book.worksheet("Заседания").update([MEETING, planned], "A2", value_input_option="USER_ENTERED")
    first = gmo_google("run")
    assert first.exit_code == 0, first.output
    assert "События: создано 2, обновлено 0, отменено 0." in first.output
    rows = book.worksheet("Заседания").get_all_values()
    header = rows[0]
    for row in rows[1:3]:
        assert row[header.index("Событие")].startswith("https://www.google.com/calendar/event?eid=")
        assert row[header.index("Видеовстреча")].startswith("https://meet.google.com/")
    events = [e for cal in fake.ws.calendars.values() for e in cal.values()]
    assert len(events) == 2
    count = fake.request_count
    second = gmo_google("run")
    assert second.exit_code == 0, second.output
    writes = [e["api_method"] for e in fake.request_log()[count:] if e["method"] != "GET"]
    assert writes == [], second.output


def test_pdf_copies_on_drive(
    gmo_google: GoogleInvoke, google_home: Path, fake, coordinator: gspread.Client
) -> None:
    assert gmo_google("init", "--google").exit_code == 0
    fill(coordinator, config_ids(google_home)["spreadsheet_id"], gmo_google)
    first = gmo_google("protocols", "--pdf")
    assert first.exit_code == 0, first.output
    assert "PDF «2021-10-13 Протокол № 1.pdf»" in first.output
    pdfs = [f for f in fake.ws.files.values() if f.get("mimeType") == "application/pdf"]
    assert len(pdfs) == 1 and pdfs[0]["appProperties"]["gmoKind"] == "pdf"
    assert fake.ws.contents[pdfs[0]["id"]].startswith(b"%PDF")
    again = gmo_google("protocols", "--pdf")
    assert again.exit_code == 0
    assert "PDF «" not in again.output  # current: neither exported nor uploaded again
    assert len([f for f in fake.ws.files.values() if f.get("mimeType") == "application/pdf"]) == 1


def test_a_calendar_outage_does_not_stop_protocols(
    gmo_google: GoogleInvoke, google_home: Path, fake, coordinator: gspread.Client
) -> None:
    assert gmo_google("init", "--google").exit_code == 0
    book = fill(coordinator, config_ids(google_home)["spreadsheet_id"], gmo_google)
    fake.add_fault("503", method="calendar.events.list", probability=1.0)
    result = gmo_google("run")
    assert result.exit_code == 1, result.output  # done, but not all of it: the exit code says so
    assert "создан протокол «2021-10-13 Протокол № 1»" in result.output
    assert "Календарь: " in result.output and "503" in result.output
    assert book.worksheet("Заседания").acell("O2").value.startswith("https://docs.google.com/document/d/")
    fake.clear_faults()
    healed = gmo_google("run")
    assert healed.exit_code == 0, healed.output
    # The create rode in one batch with the listing that failed: the event may exist already; either way
    # there is exactly one, and the healed run writes its link.
    live = [e for cal in fake.ws.calendars.values() for e in cal.values() if e["status"] != "cancelled"]
    assert len(live) == 1
    assert book.worksheet("Заседания").acell("P2").value == live[0]["htmlLink"]
