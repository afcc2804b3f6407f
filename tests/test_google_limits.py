"""gmo-sync stays inside Google's limits (tests/fakegoogle/LIMITS.md), through the real CLI against the fake.

The fake refuses what Google refuses (a Drive property over 124 bytes, an event description over 8 KB, a
cell over 50,000 characters) and cuts what Google cuts (Calendar property values over 1024 characters),
so every test here would fail on real Google the same way if the product overflowed.
"""

from __future__ import annotations

from typing import Any

import gspread
import pytest

from gmo_sync.backends.google import properties
from gmo_sync.core.sheet import CellWrite
from tests.fakegoogle.server import FakeGoogle
from tests.google_env import GoogleInvoke
from tests.test_google_sheet import (
    col,
    google_sheet,
    init_workspace,
    meeting,
    requests_since,
    type_rows,
    values,
)

LONG_ID = "Заседание рабочей группы по сопровождению школьных библиотек г. Красноярска"[:70]


def live_docs(fake: FakeGoogle, kind: str = "protocol") -> list[dict[str, Any]]:
    return [f for f in fake.ws.files.values()
            if (f.get("appProperties") or {}).get("gmoKind") == kind and not f.get("trashed")]  # fmt: skip


def live_events(fake: FakeGoogle) -> list[dict[str, Any]]:
    return [e for cal in fake.ws.calendars.values() for e in cal.values() if e["status"] != "cancelled"]


def writes_since(fake: FakeGoogle, start: int) -> list[str]:
    return [e["api_method"] for e in requests_since(fake, start)
            if e["method"] != "GET" and e["api_method"] != "oauth2.token"]  # fmt: skip


@pytest.fixture
def book(gmo_google: GoogleInvoke, coordinator: gspread.Client) -> gspread.Spreadsheet:
    return init_workspace(gmo_google, coordinator)


def test_a_70_character_cyrillic_meeting_id_gets_its_doc_and_its_event(
    gmo_google: GoogleInvoke, fake: FakeGoogle, book: gspread.Spreadsheet
) -> None:
    assert (
        len(LONG_ID) == 70 and len(("gmoMeeting" + LONG_ID).encode()) > 124
    )  # one property would be refused
    type_rows(book, "Заседания", [meeting("13.10.2021", "Альфа", meeting_id=LONG_ID)])
    first = gmo_google("run", "--pdf")
    assert first.exit_code == 0, first.output
    assert (
        "создан протокол «2021-10-13 Протокол № 1»" in first.output and "События: создано 1" in first.output
    )
    (doc,) = live_docs(fake)
    props = doc["appProperties"]
    assert props["gmoMeeting"].startswith("#2:") and "gmoMeeting2" in props
    assert all(len((k + v).encode()) <= 124 for k, v in props.items())
    assert properties.read(props, "gmoMeeting") == LONG_ID
    (pdf,) = live_docs(fake, "pdf")
    assert properties.read(pdf["appProperties"], "gmoMeeting") == LONG_ID
    (event,) = live_events(fake)
    assert event["extendedProperties"]["private"]["gmoSyncMeeting"] == LONG_ID  # 70 ≤ 1024: as typed
    row = values(book)[1]
    assert doc["id"] in row[col("Протокол") - 1] and row[col("Событие") - 1] == event["htmlLink"]

    start = fake.request_count
    again = gmo_google("run", "--pdf")
    assert again.exit_code == 0, again.output
    assert writes_since(fake, start) == []  # found by the hashed marker, checked against the full ID
    assert len(live_docs(fake)) == 1 and len(live_events(fake)) == 1


def test_a_lost_answer_to_the_upload_is_found_by_the_hash_and_confirmed_by_the_full_id(
    gmo_google: GoogleInvoke, fake: FakeGoogle, book: gspread.Spreadsheet
) -> None:
    twin = LONG_ID[:-1] + "!"  # same length, same first part: only the full ID tells them apart
    type_rows(book, "Заседания", [meeting("13.10.2021", "Альфа", meeting_id=LONG_ID)])
    fake.add_fault("drop_after", method="drive.files.create", at=fake.request_count + 1)
    result = gmo_google("protocols")
    assert result.exit_code == 0, result.output
    assert len(live_docs(fake)) == 1  # the upload went through, its answer was lost, the look-up found it
    assert [e["fault"] for e in fake.request_log() if e["fault"]] == ["drop_after"]
    type_rows(book, "Заседания", [meeting("17.11.2021", "Бета", meeting_id=twin)], start="A3")
    assert gmo_google("protocols").exit_code == 0
    by_id = {properties.read(d["appProperties"], "gmoMeeting"): d for d in live_docs(fake)}
    assert sorted(by_id) == sorted([LONG_ID, twin])


def test_an_id_over_1024_characters_keeps_its_event_although_calendar_cuts_long_values(
    gmo_google: GoogleInvoke, fake: FakeGoogle, book: gspread.Spreadsheet
) -> None:
    huge = "ГМО-" + "я" * 1100
    type_rows(book, "Заседания", [meeting("13.10.2021", "Альфа", meeting_id=huge)])
    first = gmo_google("run")
    assert first.exit_code == 0, first.output
    (event,) = live_events(fake)
    private = event["extendedProperties"]["private"]
    assert private["gmoSyncMeeting"].startswith("#2:") and properties.read(private, "gmoSyncMeeting") == huge
    start = fake.request_count
    again = gmo_google("run")
    assert again.exit_code == 0, again.output
    assert writes_since(fake, start) == []  # not taken for a deleted row's event, not made twice
    assert "создано 0, обновлено 0, отменено 0" in again.output


def test_an_id_too_long_for_drive_is_a_russian_problem_of_its_row_never_a_403(
    gmo_google: GoogleInvoke, fake: FakeGoogle, book: gspread.Spreadsheet
) -> None:
    endless = "ГМО-" + "ж" * 1600  # 3207 bytes: more parts than Drive's 30 properties per app
    type_rows(book, "Заседания", [meeting("13.10.2021", "Альфа", meeting_id=endless),
                                   meeting("17.11.2021", "Бета", meeting_id="ГМО-2")])  # fmt: skip
    result = gmo_google("protocols")
    assert result.exit_code == 1, result.output
    assert (
        "Заседания!2: ID заседания слишком длинный для Google Диска (1604 символа, 3207 байт" in result.output
    )
    assert "403" not in result.output and "Traceback" not in result.output
    assert [properties.read(d["appProperties"], "gmoMeeting") for d in live_docs(fake)] == ["ГМО-2"]
    assert not [e for e in fake.request_log() if e["status"] == 403]


def test_an_agenda_too_long_for_the_event_description_is_cut_and_its_cell_named(
    gmo_google: GoogleInvoke, fake: FakeGoogle, book: gspread.Spreadsheet
) -> None:
    type_rows(book, "Заседания", [meeting("13.10.2021", "Альфа", meeting_id="ГМО-1")])
    question = "Об организации методического сопровождения школьных библиотек " * 4  # ~250 characters
    type_rows(book, "Повестка", [["ГМО-1", n, question, "Замятина Е.Д."] for n in range(1, 41)])
    first = gmo_google("run")
    assert first.exit_code == 1, first.output  # done, with a problem a coordinator can act on
    (event,) = live_events(fake)
    description = event["description"]
    assert len(description) <= 8000 and "\n…\n" in description
    assert description.splitlines()[-1].startswith("Протокол: https://docs.google.com/document/d/")
    numbered = [line for line in description.splitlines() if line[:1].isdigit()]
    assert len(numbered[-1]) < len(numbered[0])  # the last item shown is cut short
    cut_row = int(numbered[-1].split(".")[0]) + 1  # the first agenda item not shown in full (row 2: item 1)
    assert f"Повестка!C{cut_row}: повестка заседания ГМО-1 не помещается в описание события" in first.output
    start = fake.request_count
    again = gmo_google("run")
    assert again.exit_code == 1 and f"Повестка!C{cut_row}:" in again.output
    assert writes_since(fake, start) == []  # the cut description is stable: no rewrite, no new Журнал row


def test_a_cell_over_50000_characters_is_cut_with_a_note_instead_of_refusing_the_write(
    gmo_google: GoogleInvoke, fake: FakeGoogle, book: gspread.Spreadsheet
) -> None:
    sheet = google_sheet()
    long = "проблема; " * 6000  # 60,000 characters
    result = sheet.write(
        [CellWrite("Журнал", 2, 4, long, "Проблемы"), CellWrite("Журнал", 2, 1, "ok", "Время")]
    )
    assert result.written == 2
    assert result.skipped == [] and result.notes == [
        "Журнал!D2: текст длиннее 50 000 символов (предел ячейки Google Таблиц) — "
        "записано только начало текста"
    ]
    row = values(book, "Журнал")[1]
    assert row[0] == "ok" and len(row[3]) == 50_000 and row[3].endswith("…")


def test_init_refuses_a_title_too_long_for_a_drive_name_before_making_anything(
    gmo_google: GoogleInvoke, fake: FakeGoogle
) -> None:
    result = gmo_google("init", "--google", "--title", "ГМО " * 300)
    assert result.exit_code == 2, result.output
    assert "слишком длинное (1200 символов): Google Диск принимает имена до 1024 символов" in result.output
    assert fake.ws.files == {} and fake.ws.spreadsheets == {}
