"""Reports and extracts as Google Docs in the protocols folder, kept the way protocols are.

Each document carries ``appProperties``: ``gmoKind`` = ``document``, ``gmoDoc`` = a hash of
its key (a key holds meeting IDs in Cyrillic, and a property may take only 124 bytes), and
``gmoInput`` = the content hash. The store lists the folder's documents once a run and
finds each by key, so a rerun updates in place and never makes a second one; a create
whose answer was lost is looked up before it is sent again. Hand edits are recognised
by Drive's ``version`` against the one recorded right after gmo-sync wrote the document
(the same state file scheme as protocols, in a file of its own).
"""

from __future__ import annotations

import hashlib
import io
import logging
from pathlib import Path
from typing import Any

from googleapiclient.http import MediaIoBaseUpload

from gmo_sync.backends.google.connection import GoogleConnection
from gmo_sync.backends.google.drive import DOCX, FILE_FIELDS, GOOGLE_DOC, PDF, ProtocolState
from gmo_sync.backends.google.retry import failure, is_retryable
from gmo_sync.backends.templates import document_template
from gmo_sync.core.ports import ProtocolLink, StoredDocument

log = logging.getLogger(__name__)

KIND = "document"
PDF_KIND = "document-pdf"


def key_property(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:40]


class DriveDocumentStore:
    def __init__(self, connection: GoogleConnection, folder_id: str, state: Path, templates: Path) -> None:
        self.connection = connection
        self.folder_id = folder_id
        self.state = ProtocolState(state)
        self.templates = templates
        self._listing: dict[str, dict[str, Any]] | None = None  # gmoDoc → file
        self._pdfs: dict[str, dict[str, Any]] | None = None

    @property
    def drive(self) -> Any:
        return self.connection.service("drive", "v3")

    def describe(self) -> str:
        return f"папка Google Диска {self.folder_id}"

    def template(self, kind: str) -> tuple[str, bytes]:
        return document_template(self.templates, kind)

    def _query(self, kind: str, key: str = "") -> str:
        mime = PDF if kind == PDF_KIND else GOOGLE_DOC
        query = (
            f"'{self.folder_id}' in parents and trashed = false and mimeType = '{mime}' and "
            f"appProperties has {{ key='gmoKind' and value='{kind}' }}"
        )
        if key:
            query += f" and appProperties has {{ key='gmoDoc' and value='{key_property(key)}' }}"
        return query

    def _list(self, query: str) -> list[dict[str, Any]]:
        files: list[dict[str, Any]] = []
        token = None
        while True:
            request = self.drive.files().list(
                q=query,
                fields=f"nextPageToken,files({FILE_FIELDS})",
                pageSize=1000,
                pageToken=token,
                supportsAllDrives=True,
                includeItemsFromAllDrives=True,
                spaces="drive",
            )
            page = self.connection.execute("Google Диск (список документов)", request)
            files.extend(page.get("files", []))
            token = page.get("nextPageToken")
            if not token:
                return files

    def _documents(self) -> dict[str, dict[str, Any]]:
        if self._listing is None:
            self._listing = {}
            for file in self._list(self._query(KIND)):
                self._listing.setdefault((file.get("appProperties") or {}).get("gmoDoc", ""), file)
        return self._listing

    def find(self, key: str) -> StoredDocument | None:
        file = self._documents().get(key_property(key))
        return None if file is None else self._stored(key, file)

    def _stored(self, key: str, file: dict[str, Any]) -> StoredDocument:
        written = self.state.written_version(key, file["id"])
        untouched = bool(file.get("createdTime")) and file.get("modifiedTime") == file.get("createdTime")
        edited = not untouched if written is None else str(file.get("version")) != written
        input_hash = (file.get("appProperties") or {}).get("gmoInput", "")
        return StoredDocument(key, file.get("name", ""), file["id"], input_hash, edited)

    def save(
        self, key: str, name: str, content: bytes, input_hash: str, replaces: StoredDocument | None
    ) -> StoredDocument:
        properties = {"gmoKind": KIND, "gmoDoc": key_property(key), "gmoInput": input_hash}
        media = MediaIoBaseUpload(io.BytesIO(content), mimetype=DOCX, resumable=False)
        if replaces is None:
            body = {
                "name": name,
                "appProperties": properties,
                "mimeType": GOOGLE_DOC,
                "parents": [self.folder_id],
            }
            file = self._create(body, media, key)
        else:
            request = self.drive.files().update(
                fileId=replaces.location,
                body={"name": name, "appProperties": properties},
                media_body=media,
                fields=FILE_FIELDS,
                supportsAllDrives=True,
            )
            file = self.connection.execute("Google Диск (обновление документа)", request)
        self.state.record(key, file["id"], str(file.get("version")))
        self._documents()[key_property(key)] = file
        return StoredDocument(key, file.get("name", name), file["id"], input_hash, False)

    def _create(self, body: dict[str, Any], media: MediaIoBaseUpload, key: str) -> dict[str, Any]:
        """Upload once; after an ambiguous failure look the document up before sending again."""
        policy = self.connection.retry
        for attempt in range(policy.attempts):
            request = self.drive.files().create(
                body=body, media_body=media, fields=FILE_FIELDS, supportsAllDrives=True
            )
            try:
                return request.execute(num_retries=0)
            except Exception as error:
                if not is_retryable(error) or attempt == policy.attempts - 1:
                    raise failure("Google Диск (создание документа)", error, attempt + 1) from error
                policy.retries_done += 1
                policy.sleep(policy.delay(attempt, error))
                found = self._list(self._query(KIND, key))
                if found:
                    log.info("документ %s уже создан предыдущей попыткой", body.get("name"))
                    return found[0]
        raise AssertionError("unreachable")

    def _pdf_copies(self) -> dict[str, dict[str, Any]]:
        """The PDF copies in the folder by their document's key property, listed once a run."""
        if self._pdfs is None:
            self._pdfs = {}
            for file in self._list(self._query(PDF_KIND)):
                self._pdfs.setdefault((file.get("appProperties") or {}).get("gmoDoc", ""), file)
        return self._pdfs

    def pdf_current(self, stored: StoredDocument) -> bool:
        current = self._pdf_copies().get(key_property(stored.key))
        return (
            current is not None and (current.get("appProperties") or {}).get("gmoInput") == stored.input_hash
        )

    def export_pdf(self, stored: StoredDocument) -> str | None:
        """A PDF copy beside the Doc (Drive's own export), refreshed when the content hash changes."""
        if self.pdf_current(stored):
            return None
        marker = key_property(stored.key)
        current = self._pdf_copies().get(marker)
        request = self.drive.files().export(fileId=stored.location, mimeType=PDF)
        content = self.connection.execute("Google Диск (экспорт PDF)", request)
        media = MediaIoBaseUpload(io.BytesIO(content), mimetype=PDF, resumable=False)
        body = {
            "name": f"{stored.name}.pdf",
            "appProperties": {"gmoKind": PDF_KIND, "gmoDoc": marker, "gmoInput": stored.input_hash},
        }
        if current is None:
            request = self.drive.files().create(
                body={**body, "parents": [self.folder_id]},
                media_body=media,
                fields=FILE_FIELDS,
                supportsAllDrives=True,
            )
        else:
            request = self.drive.files().update(
                fileId=current["id"], body=body, media_body=media, fields=FILE_FIELDS, supportsAllDrives=True
            )
        self._pdf_copies()[marker] = self.connection.execute("Google Диск (PDF документа)", request)
        return str(body["name"])

    def link(self, stored: StoredDocument) -> ProtocolLink:
        file = self._documents().get(key_property(stored.key)) or {}
        url = file.get("webViewLink") or f"https://docs.google.com/document/d/{stored.location}/edit"
        return ProtocolLink(url, url)
