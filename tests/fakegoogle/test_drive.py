"""Drive v3 through real googleapiclient calls: uploads, conversion, search, versions, export."""

from __future__ import annotations

import io

import pytest
from googleapiclient.errors import HttpError
from googleapiclient.http import MediaIoBaseUpload

from .docs import DOCX_MIME, docx_text, minimal_docx

DOC = "application/vnd.google-apps.document"
FOLDER = "application/vnd.google-apps.folder"
ALL = "id,name,mimeType,parents,appProperties,version,modifiedTime,webViewLink,trashed,size"


def _docx(*paragraphs: str, resumable: bool = False) -> MediaIoBaseUpload:
    return MediaIoBaseUpload(
        io.BytesIO(minimal_docx(list(paragraphs))), mimetype=DOCX_MIME, resumable=resumable
    )


@pytest.fixture
def drive(svc):
    return svc("drive", "v3")


@pytest.fixture
def folder(drive):
    return drive.files().create(body={"name": "Протоколы", "mimeType": FOLDER}, fields="id").execute()["id"]


def test_multipart_upload_converts_docx_and_keeps_bytes(drive, folder):
    meta = {"name": "Протокол 1", "mimeType": DOC, "parents": [folder], "appProperties": {"meeting": "m1"}}
    created = (
        drive.files()
        .create(body=meta, media_body=_docx("Протокол №1", "Решили"), fields=ALL, supportsAllDrives=True)
        .execute()
    )
    assert created["mimeType"] == DOC and created["parents"] == [folder] and created["version"] == "1"
    assert created["webViewLink"] == f"https://docs.google.com/document/d/{created['id']}/edit?usp=drivesdk"
    exported = drive.files().export(fileId=created["id"], mimeType=DOCX_MIME).execute()
    assert docx_text(exported) == ["Протокол №1", "Решили"]
    pdf = drive.files().export(fileId=created["id"], mimeType="application/pdf").execute()
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    with pytest.raises(HttpError) as err:
        drive.files().get_media(fileId=created["id"]).execute()
    assert err.value.status_code == 403 and "fileNotDownloadable" in str(err.value.content)


def test_resumable_and_media_updates_advance_version(drive):
    created = (
        drive.files()
        .create(body={"name": "d", "mimeType": DOC}, media_body=_docx("v1", resumable=True), fields=ALL)
        .execute()
    )
    updated = drive.files().update(fileId=created["id"], media_body=_docx("v2"), fields=ALL).execute()
    assert int(updated["version"]) > int(created["version"])
    assert updated["modifiedTime"] > created["modifiedTime"] and updated["id"] == created["id"]
    assert docx_text(drive.files().export(fileId=created["id"], mimeType=DOCX_MIME).execute()) == ["v2"]
    renamed = (
        drive.files()
        .update(fileId=created["id"], body={"name": "d2", "appProperties": {"a": "1"}}, fields=ALL)
        .execute()
    )
    assert renamed["name"] == "d2" and int(renamed["version"]) > int(updated["version"])


def test_binary_upload_and_download(drive):
    media = MediaIoBaseUpload(io.BytesIO(b"\x00\x01binary"), mimetype="application/octet-stream")
    created = drive.files().create(body={"name": "b.bin"}, media_body=media, fields=ALL).execute()
    assert created["size"] == "8"
    assert drive.files().get_media(fileId=created["id"]).execute() == b"\x00\x01binary"


def test_list_query_subset(drive, folder):
    def make(name, props, parents=None, mime=None):
        body = {"name": name, "appProperties": props, "parents": parents or [folder]}
        if mime:
            body["mimeType"] = mime
        return drive.files().create(body=body).execute()["id"]

    a = make("a", {"meeting": "m1"})
    b = make("b", {"meeting": "m2"})
    make("c", {"meeting": "m1"}, parents=["root"])
    drive.files().update(fileId=b, body={"trashed": True}).execute()

    def names(q, **kw):
        return sorted(f["name"] for f in drive.files().list(q=q, **kw).execute()["files"])

    assert names(f"appProperties has {{ key='meeting' and value='m1' }} and '{folder}' in parents") == ["a"]
    assert names(f"'{folder}' in parents") == ["a", "b"]  # trashed files are listed unless excluded
    assert names(f"'{folder}' in parents and trashed = false") == ["a"]
    assert names(f"mimeType = '{FOLDER}'") == ["Протоколы"]
    assert names("name = 'c' and 'root' in parents") == ["c"]
    assert names("name = 'it\\'s'") == []
    with pytest.raises(HttpError, match="Invalid Value"):
        drive.files().list(q="sharedWithMe").execute()
    page = drive.files().list(pageSize=2, orderBy="name").execute()
    assert len(page["files"]) == 2 and "nextPageToken" in page
    rest = drive.files().list(pageSize=2, orderBy="name", pageToken=page["nextPageToken"]).execute()
    assert "nextPageToken" not in rest
    assert drive.files().get(fileId=a, fields="appProperties").execute() == {
        "appProperties": {"meeting": "m1"}
    }


def test_copy_delete_and_not_found(drive, folder):
    src = drive.files().create(body={"name": "tpl", "mimeType": DOC}, media_body=_docx("{{title}}")).execute()
    dup = (
        drive.files()
        .copy(
            fileId=src["id"],
            body={"name": "P2", "parents": [folder], "appProperties": {"meeting": "m2"}},
            fields=ALL,
        )
        .execute()
    )
    assert dup["name"] == "P2" and dup["parents"] == [folder] and dup["appProperties"] == {"meeting": "m2"}
    assert docx_text(drive.files().export(fileId=dup["id"], mimeType=DOCX_MIME).execute()) == ["{{title}}"]
    assert drive.files().delete(fileId=src["id"]).execute() == ""
    with pytest.raises(HttpError) as err:
        drive.files().get(fileId=src["id"]).execute()
    assert err.value.status_code == 404 and "notFound" in str(err.value.content)


def test_service_account_storage_quota_switch(fake, svc, sa_creds):
    fake.configure(service_account_storage_quota_exceeded=True)
    with pytest.raises(HttpError) as err:
        svc("drive", "v3", creds=sa_creds).files().create(body={"name": "x"}).execute()
    assert err.value.status_code == 403 and "storageQuotaExceeded" in str(err.value.content)


def test_chunked_resumable_upload(fake, drive):
    data = bytes(range(256)) * 3000  # 768,000 bytes: three 256 KiB chunks
    media = MediaIoBaseUpload(
        io.BytesIO(data), mimetype="application/octet-stream", chunksize=256 * 1024, resumable=True
    )
    request = drive.files().create(body={"name": "big.bin"}, media_body=media, fields="id,size")
    response = None
    progress = []
    while response is None:
        status, response = request.next_chunk()
        if status:
            progress.append(status.resumable_progress)
    assert progress == [262144, 524288] and response["size"] == str(len(data))
    assert drive.files().get_media(fileId=response["id"]).execute() == data
