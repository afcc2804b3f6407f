"""The naive baseline: a per-row mail merge the way Autocrat-style add-ons and Apps Scripts do it.

For every held meeting, one after another: copy the template Google Doc (``drive.files.copy``), fill it with
one ``documents.batchUpdate`` of ``replaceAllText`` requests, create the calendar event of an online meeting
with ``events.insert`` (no client-supplied ID, so a rerun would duplicate it), and write each link back with
its own ``values.update`` cell write. Quota errors are retried as such scripts do: the client library's
``execute(num_retries=5)`` (random exponential sleeps), and when that gives up, wait out the minute and
try again. It uses the real google-api-python-client against the same fake, latency and quotas as gmo-sync.

It deliberately does less than gmo-sync: no validation, no IDs or protocol numbers, no hash to skip
unchanged rows, and it does not wait for Meet links (it writes one only if the insert answer has it).
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from dataclasses import dataclass
from typing import Any

from googleapiclient.errors import HttpError
from googleapiclient.http import HttpRequest

from tests.fakegoogle import clients

TEMPLATE_PARAGRAPHS = [
    "ПРОТОКОЛ № <<Номер>>",
    "заседания городского методического объединения",
    "<<Дата>>, <<Формат>>, <<Место>>",
    "Тема: <<Тема>>",
    "Ведущие: <<Ведущие>>",
    "Председатель: <<Председатель>>",
    "Секретарь: <<Секретарь>>",
    "Присутствовали: <<Участники>> (<<Присутствовало>>)",
    "ПОВЕСТКА ДНЯ:",
    "<<Повестка>>",
    "РЕШИЛИ:",
    "<<Решения>>",
]
GIVE_UP_PAUSE = 60.0  # seconds: after num_retries is spent, "wait a minute and try again"
GIVE_UP_ROUNDS = 5
ZONE = dt.timezone(dt.timedelta(hours=7))  # Asia/Krasnoyarsk, as in the association's settings


@dataclass
class BaselineResult:
    docs: int
    events: int
    cell_writes: int
    wall_seconds: float


def create_template(act: Any, folder_id: str) -> str:
    """A template Google Doc with <<field>> tags (set-up, typed by the coordinator; not measured)."""
    return str(
        act(
            {
                "action": "create_doc",
                "title": "Шаблон (слияние)",
                "paragraphs": TEMPLATE_PARAGRAPHS,
                "parents": [folder_id],
            }
        )
    )


def execute(request: HttpRequest) -> Any:
    for round_ in range(GIVE_UP_ROUNDS):
        try:
            return request.execute(num_retries=5)
        except HttpError as error:
            if error.resp.status != 429 or round_ == GIVE_UP_ROUNDS - 1:
                raise
            time.sleep(GIVE_UP_PAUSE)
    raise AssertionError("unreachable")


def run_baseline(
    base_url: str,
    ca_path: str,
    spreadsheet_id: str,
    template_id: str,
    folder_id: str,
    calendar_id: str = "primary",
) -> BaselineResult:
    started = time.monotonic()
    creds = clients.credentials(base_url, "user")  # the same user as gmo-sync: the same per-user quotas

    def service(name: str, version: str) -> Any:
        return clients.service(name, version, base_url, ca_path, creds)

    sheets, drive, docs, calendar = (
        service("sheets", "v4"),
        service("drive", "v3"),
        service("docs", "v1"),
        service("calendar", "v3"),
    )
    values = sheets.spreadsheets().values()
    # one read per tab, like getDataRange().getValues()
    tabs = {
        title: execute(values.get(spreadsheetId=spreadsheet_id, range=f"'{title}'")).get("values", [])
        for title in ("Заседания", "Повестка", "Решения")
    }
    header = tabs["Заседания"][0]
    column = {name: header.index(name) for name in header}
    agenda = _grouped(tabs["Повестка"])
    decisions = _grouped(tabs["Решения"])
    made_docs = made_events = writes = 0
    for number, row in enumerate(tabs["Заседания"][1:], start=1):
        row = row + [""] * (len(header) - len(row))
        if row[column["Статус"]] != "проведено":
            continue
        sheet_row = number + 1
        fields = {name: str(row[column[name]]) for name in header}
        fields["Номер"] = fields["№ протокола"] or str(number)
        fields["Место"] = fields["Место или ссылка"]
        fields["Повестка"] = "\n".join(f"{r[1]}. {r[2]} ({r[3]})" for r in agenda.get(fields["ID"], []))
        fields["Решения"] = "\n".join(
            f"{r[1]}. {r[2]} — {r[3]}, {r[4]}" for r in decisions.get(fields["ID"], [])
        )
        copy = execute(
            drive.files().copy(
                fileId=template_id,
                body={"name": f"{fields['Дата']} Протокол № {fields['Номер']}", "parents": [folder_id]},
                fields="id",
            )
        )
        requests = [
            {
                "replaceAllText": {
                    "containsText": {"text": f"<<{tag}>>", "matchCase": True},
                    "replaceText": value,
                }
            }
            for tag, value in fields.items()
            if f"<<{tag}>>" in "".join(TEMPLATE_PARAGRAPHS)
        ]
        execute(docs.documents().batchUpdate(documentId=copy["id"], body={"requests": requests}))
        made_docs += 1
        link = f"https://docs.google.com/document/d/{copy['id']}/edit"
        writes += _write_cell(values, spreadsheet_id, "Протокол", column, sheet_row, link)
        if fields["Формат"] == "онлайн":
            event = execute(
                calendar.events().insert(calendarId=calendar_id, conferenceDataVersion=1, body=_event(fields))
            )
            made_events += 1
            writes += _write_cell(values, spreadsheet_id, "Событие", column, sheet_row, event["htmlLink"])
            if event.get("hangoutLink"):
                writes += _write_cell(
                    values, spreadsheet_id, "Видеовстреча", column, sheet_row, event["hangoutLink"]
                )
    return BaselineResult(made_docs, made_events, writes, time.monotonic() - started)


def _grouped(rows: list[list[str]]) -> dict[str, list[list[str]]]:
    grouped: dict[str, list[list[str]]] = {}
    for row in rows[1:]:
        if row:
            grouped.setdefault(row[0], []).append(row + [""] * (5 - len(row)))
    return grouped


def _write_cell(
    values: Any, spreadsheet_id: str, name: str, column: dict[str, int], row: int, text: str
) -> int:
    letter = chr(ord("A") + column[name])  # the Заседания tab has fewer than 27 columns
    execute(
        values.update(
            spreadsheetId=spreadsheet_id,
            range=f"'Заседания'!{letter}{row}",
            valueInputOption="RAW",
            body={"values": [[text]]},
        )
    )
    return 1


def _event(fields: dict[str, str]) -> dict[str, Any]:
    day = dt.datetime.strptime(fields["Дата"], "%d.%m.%Y").date()
    start = dt.datetime.combine(day, _clock(fields["Начало"]), ZONE)
    end = dt.datetime.combine(day, _clock(fields["Окончание"]), ZONE) if fields["Окончание"] else None
    end = end or start + dt.timedelta(minutes=90)
    return {
        "summary": f"ГМО: {fields['Тема']}",
        "start": {"dateTime": start.isoformat()},
        "end": {"dateTime": end.isoformat()},
        "conferenceData": {
            "createRequest": {
                "requestId": uuid.uuid4().hex,
                "conferenceSolutionKey": {"type": "hangoutsMeet"},
            }
        },
    }


def _clock(text: str) -> dt.time:
    hours, minutes = text.replace(".", ":").split(":")[:2]
    return dt.time(int(hours), int(minutes))
