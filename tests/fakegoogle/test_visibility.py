"""drive.file: an OAuth client sees only the Drive files it made or was opened with; Sheets is not limited."""

from __future__ import annotations

import json

import pytest
import requests
from googleapiclient.errors import HttpError

from . import clients

DRIVE_FILE = "https://www.googleapis.com/auth/drive.file"
SPREADSHEETS = "https://www.googleapis.com/auth/spreadsheets"
FOLDER = "application/vnd.google-apps.folder"


def narrow_client(fake, client_id: str = "gmo-sync.apps.googleusercontent.com"):
    info = clients.authorized_user_info(fake.base_url)
    info.update(client_id=client_id, scopes=[DRIVE_FILE, SPREADSHEETS])
    return clients.credentials(fake.base_url, "user", **info)


@pytest.fixture
def drive_file(fake, svc):
    return svc("drive", "v3", creds=narrow_client(fake)).files()


def _status(call) -> tuple[int, str]:
    with pytest.raises(HttpError) as raised:
        call.execute()
    error = json.loads(raised.value.content)["error"]
    return raised.value.status_code, error["errors"][0]["reason"]


def test_a_hand_made_doc_is_not_found_for_drive_file(fake, drive_file):
    doc = fake.act({"action": "create_doc", "title": "Шаблон", "paragraphs": ["{{ тема }}"]})
    assert _status(drive_file.get(fileId=doc)) == (404, "notFound")
    docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert _status(drive_file.export(fileId=doc, mimeType=docx)) == (404, "notFound")
    assert _status(drive_file.update(fileId=doc, body={"name": "x"})) == (404, "notFound")
    assert drive_file.list(q="trashed = false").execute()["files"] == []
    with pytest.raises(HttpError) as raised:
        drive_file.get(fileId=doc).execute()
    assert json.loads(raised.value.content)["error"]["message"] == f"File not found: {doc}."


def test_what_the_client_made_it_sees_and_others_do_not(fake, svc, drive_file):
    folder = drive_file.create(body={"name": "Протоколы", "mimeType": FOLDER}, fields="id").execute()["id"]
    inside = drive_file.create(body={"name": "п1", "parents": [folder]}, fields="id").execute()["id"]
    assert drive_file.get(fileId=inside, fields="id,parents").execute()["parents"] == [folder]
    listed = drive_file.list(q=f"'{folder}' in parents", fields="files(id)").execute()["files"]
    assert listed == [{"id": inside}]
    # gmo-sync set up again on a second computer with its own Cloud project's client
    other = svc(
        "drive", "v3", creds=narrow_client(fake, "another-project.apps.googleusercontent.com")
    ).files()
    assert _status(other.get(fileId=folder)) == (404, "notFound")
    assert _status(other.create(body={"name": "п2", "parents": [folder]})) == (404, "notFound")
    assert other.list().execute()["files"] == []
    # full Drive scope (a person's own tools) sees everything
    assert {f["id"] for f in svc("drive", "v3").files().list().execute()["files"]} == {folder, inside}


def test_opened_with_makes_a_file_visible(fake, drive_file):
    doc = fake.act({"action": "create_doc", "title": "Шаблон"})
    opened = {"open_with": {"file_id": doc, "client_id": "gmo-sync.apps.googleusercontent.com"}}
    url = fake.base_url + "/_fake/visibility"
    response = requests.post(url, json=opened, verify=fake.ca_path, timeout=10)
    assert response.status_code == 200
    assert drive_file.get(fileId=doc, fields="name").execute() == {"name": "Шаблон"}


def test_sheets_is_not_limited_but_drive_on_the_same_sheet_is(fake, svc, drive_file):
    book = fake.act({"action": "create_spreadsheet", "title": "Мастер", "sheets": {"Лист1": [["a"]]}})
    sheets = svc("sheets", "v4", creds=narrow_client(fake)).spreadsheets()
    assert sheets.values().get(spreadsheetId=book, range="A1").execute()["values"] == [["a"]]
    assert _status(drive_file.get(fileId=book)) == (404, "notFound")


def test_a_spreadsheet_made_through_sheets_is_the_clients(fake, svc, drive_file):
    sheets = svc("sheets", "v4", creds=narrow_client(fake)).spreadsheets()
    book = sheets.create(body={"properties": {"title": "Новая"}}).execute()["spreadsheetId"]
    assert drive_file.get(fileId=book, fields="name").execute() == {"name": "Новая"}


def test_switched_off_everyone_sees_everything(fake, drive_file):
    doc = fake.act({"action": "create_doc", "title": "Шаблон"})
    fake.configure(per_client_visibility=False)
    assert drive_file.get(fileId=doc, fields="name").execute() == {"name": "Шаблон"}
