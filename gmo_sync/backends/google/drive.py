"""Protocols as Google Docs in a Drive folder.

Exactly once by construction: every protocol carries ``appProperties``
(``gmoMeeting`` = meeting ID, ``gmoInput`` = content hash), so the store finds it
by meeting ID — a cleared link cell, or a run that died between the upload and
the write-back, never produces a second document. A create that fails in a way
that may have reached Drive (timeout, dropped connection, 5xx) is followed by a
look-up before it is sent again. An ID too long for one 124-byte property is
stored as a checked hash plus parts (``properties.py``); the look-up by the hash
is confirmed against the full ID.

Hand edits: Drive's ``version`` grows with every change. The version each
protocol had right after gmo-sync wrote it is kept in a small state file in the
user's state folder (storing it in ``appProperties`` would itself bump the
version). A document whose version moved on was edited by hand; one gmo-sync has
no record of is treated the same way — never overwrite what might be a person's
work — until ``--force`` — unless Drive says it was never modified after it was
created (``modifiedTime == createdTime``): that is a run killed between the upload
and recording its version, and the document is exactly as gmo-sync made it (should
Drive ever stamp the two apart, the document is merely treated as edited: safe).
"""

from __future__ import annotations

import io
import json
import logging
import threading
from pathlib import Path
from typing import Any

from googleapiclient.http import MediaIoBaseUpload

from gmo_sync.backends.google import properties
from gmo_sync.backends.google.connection import GoogleConnection
from gmo_sync.backends.google.diagnosis import (
    GoogleSetupError,
    invisible_folder_message,
    invisible_template_message,
)
from gmo_sync.backends.google.ownership import choose_protocols
from gmo_sync.backends.google.retry import error_status, failure, is_retryable
from gmo_sync.core.model import id_key
from gmo_sync.core.ports import ProtocolCopy, ProtocolLink, StoredProtocol
from gmo_sync.core.problems import BackendError, GmoSyncError
from gmo_sync.rendering import template_bytes
from gmo_sync.rendering.words import plural

log = logging.getLogger(__name__)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
GOOGLE_DOC = "application/vnd.google-apps.document"
PDF = "application/pdf"
FILE_FIELDS = "id,name,version,webViewLink,appProperties,modifiedTime,createdTime"
MEETING_KEY = "gmoMeeting"


def template_cache(folder: Path, doc_id: str, version: object) -> Path | None:
    """Where the .docx of a template Doc at a given Drive version is kept (None: version unknown)."""
    if version is None:
        return None
    return folder / f"template-{doc_id}-v{version}.docx"


class ProtocolState:
    """meeting ID → {"doc": file ID, "version": Drive version right after gmo-sync wrote it}."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        try:
            self.entries: dict[str, dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            self.entries = {}

    def record(self, meeting_id: str, doc_id: str, version: str) -> None:
        with self._lock:  # uploads run in parallel threads
            self.entries[meeting_id] = {"doc": doc_id, "version": str(version)}
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temp = self.path.with_name(self.path.name + ".tmp")
            temp.write_text(json.dumps(self.entries, ensure_ascii=False, indent=1), encoding="utf-8")
            temp.replace(self.path)

    def recorded_doc(self, meeting_id: str) -> str | None:
        """The document the tool last wrote as this meeting's protocol (None: no record here)."""
        entry = self.entries.get(meeting_id)
        return str(entry["doc"]) if entry and entry.get("doc") else None

    def written_version(self, meeting_id: str, doc_id: str) -> str | None:
        entry = self.entries.get(meeting_id)
        return entry["version"] if entry and entry.get("doc") == doc_id else None


class DriveProtocolStore:
    def __init__(
        self, connection: GoogleConnection, folder_id: str, template_doc_id: str, state: Path
    ) -> None:
        self.connection = connection
        self.folder_id = folder_id
        self.template_doc_id = template_doc_id
        self.state = ProtocolState(state)
        self._links: dict[str, str] = {}  # file ID → webViewLink, from the last list or upload
        self._pdfs: dict[str, dict[str, Any]] | None = None  # meeting ID → its PDF copy, listed once a run
        self._listing: list[dict[str, Any]] | None = None
        self._props: dict[str, dict[str, str]] = {}  # file ID → its appProperties as last seen
        self._copies: list[ProtocolCopy] = []  # found by the last existing()

    # Uploads in flight at once. Each waits about one round trip (150 ms against the benchmark's fake) and
    # costs the client ~10 ms of CPU: 500 uploads took 21.9 s with 4 in flight, 11.9 s with 8, 8.5 s with 12
    # (ideal 18.8, 9.4, 6.3), so past a dozen the CPU, not the network, is what waits. Google's Workspace
    # help asks for about 3 sustained writes per second per account, which the fake does not model: real
    # Drive answers a faster burst with 403 userRateLimitExceeded, retried with back-off (README).
    concurrency = 12

    @property
    def drive(self) -> Any:
        return self.connection.service("drive", "v3")  # the connection keeps one per thread

    def describe(self) -> str:
        return f"папка Google Диска {self.folder_id}"

    def template(self) -> tuple[str, bytes]:
        """The template Google Doc as .docx; the shipped one if none is set.

        Exported only when its Drive version is new to us: the folder listing (needed for the
        protocols anyway) carries the version, and a cache keyed by it saves a request a run.
        """
        if not self.template_doc_id:
            return "default.docx", template_bytes("default")
        name = f"шаблон {self.template_doc_id}"
        listed = next((f for f in self._folder() if f["id"] == self.template_doc_id), None)
        version = listed.get("version") if listed else None
        cached = template_cache(self.state.path.parent, self.template_doc_id, version)
        if cached is not None and cached.exists():
            return name, cached.read_bytes()
        request = self.drive.files().export(fileId=self.template_doc_id, mimeType=DOCX)
        try:
            content = self.connection.execute("Google Диск (шаблон протокола)", request)
        except BackendError as error:
            if error_status(error.__cause__ or error)[0] == 404:  # deleted, or never seen through drive.file
                raise GoogleSetupError(invisible_template_message(self.template_doc_id)) from error
            raise
        if cached is not None:
            cached.parent.mkdir(parents=True, exist_ok=True)
            cached.write_bytes(content)
        return name, content

    def _folder(self) -> list[dict[str, Any]]:
        """Every Google Doc in the protocols folder, listed once a run (protocols and the template)."""
        if self._listing is None:
            query = f"'{self.folder_id}' in parents and trashed = false and mimeType = '{GOOGLE_DOC}'"
            self._listing = self._list(query)
        return self._listing

    def _list(self, query: str) -> list[dict[str, Any]]:
        files: list[dict[str, Any]] = []
        token = None
        while True:
            request = self.drive.files().list(
                q=query, fields=f"nextPageToken,files({FILE_FIELDS})", pageSize=1000, pageToken=token,
                supportsAllDrives=True, includeItemsFromAllDrives=True, spaces="drive",
            )  # fmt: skip
            page = self.connection.execute("Google Диск (список протоколов)", request)
            files.extend(page.get("files", []))
            token = page.get("nextPageToken")
            if not token:
                return files

    def _query(self, meeting_id: str) -> str:
        """The one protocol of a meeting, for the look-up after an upload whose answer was lost."""
        wanted = properties.lookup_value(MEETING_KEY, meeting_id, properties.drive_fits)
        escaped = wanted.replace("\\", "\\\\").replace("'", "\\'")
        return (
            f"'{self.folder_id}' in parents and trashed = false and mimeType = '{GOOGLE_DOC}' and "
            "appProperties has { key='gmoKind' and value='protocol' } and "
            f"appProperties has {{ key='{MEETING_KEY}' and value='{escaped}' }}"
        )

    def existing(self) -> dict[str, StoredProtocol]:
        def meeting_of(file: dict[str, Any]) -> str:  # a long ID is spread over several properties
            return properties.read(file.get("appProperties") or {}, MEETING_KEY)

        owners, copies = choose_protocols(
            self._folder(), meeting_of, self.state.recorded_doc, self.template_doc_id
        )
        self._copies = [ProtocolCopy(meeting_id, f.get("name", "")) for meeting_id, f in copies]
        return {meeting_id: self._stored(file) for meeting_id, file in owners.items()}

    def copies(self) -> list[ProtocolCopy]:
        return list(self._copies)

    def _stored(self, file: dict[str, Any]) -> StoredProtocol:
        props = file.get("appProperties") or {}
        meeting_id = properties.read(props, MEETING_KEY)
        self._props[file["id"]] = props
        written = self.state.written_version(meeting_id, file["id"])
        untouched = bool(file.get("createdTime")) and file.get("modifiedTime") == file.get("createdTime")
        edited = not untouched if written is None else str(file.get("version")) != written
        self._links[file["id"]] = (
            file.get("webViewLink") or f"https://docs.google.com/document/d/{file['id']}/edit"
        )
        return StoredProtocol(meeting_id, file.get("name", ""), file["id"], props.get("gmoInput", ""), edited)

    def stamp(self, meeting_id: str, input_hash: str, name: str = "", replaces: object = None) -> None:
        return None  # the bookkeeping lives in Drive's appProperties, not in the document

    def save(
        self, meeting_id: str, name: str, content: bytes, input_hash: str, replaces: StoredProtocol | None
    ) -> StoredProtocol:
        marks = _marks("protocol", meeting_id, input_hash)
        media = MediaIoBaseUpload(io.BytesIO(content), mimetype=DOCX, resumable=False)
        if replaces is None:
            body = {"name": name, "appProperties": marks, "mimeType": GOOGLE_DOC, "parents": [self.folder_id]}
            file = self._create(body, media, meeting_id)
        else:
            stale = properties.stale(self._props.get(replaces.location, {}), MEETING_KEY, marks)
            metadata = {"name": name, "appProperties": {**stale, **marks}}
            request = self.drive.files().update(
                fileId=replaces.location,
                body=metadata,
                media_body=media,
                fields=FILE_FIELDS,
                supportsAllDrives=True,
            )
            file = self.connection.execute("Google Диск (обновление протокола)", request)
        self.state.record(meeting_id, file["id"], str(file.get("version")))
        stored = self._stored(file)
        return StoredProtocol(stored.meeting_id, stored.name, stored.location, stored.input_hash, False)

    def _create(self, body: dict[str, Any], media: MediaIoBaseUpload, meeting_id: str) -> dict[str, Any]:
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
                    raise _drive_error(error, attempt + 1, self.folder_id) from error
                policy.retries_done += 1
                policy.sleep(policy.delay(attempt, error))
                # the query asks for the (possibly hashed) marker; the full ID confirms it is this meeting's;
                # and only a file that appeared during this run counts (a listed one is a copy, or another's)
                listed = {f["id"] for f in self._listing or []}
                found = [f for f in self._list(self._query(meeting_id))
                         if _holds(f, meeting_id) and f["id"] not in listed]  # fmt: skip
                if found:
                    log.info("протокол заседания %s уже создан предыдущей попыткой", meeting_id)
                    return found[0]
        raise AssertionError("unreachable")

    def _pdf_copies(self) -> dict[str, dict[str, Any]]:
        """The PDF copies in the folder by meeting ID, listed once a run."""
        if self._pdfs is None:
            query = (f"'{self.folder_id}' in parents and trashed = false and mimeType = '{PDF}' and "
                     "appProperties has { key='gmoKind' and value='pdf' }")  # fmt: skip
            # the oldest PDF of a meeting is ours; a younger one claiming it is a copy, left alone
            pdfs = sorted(self._list(query), key=lambda f: f.get("createdTime") or "", reverse=True)
            self._pdfs = {properties.read(f.get("appProperties") or {}, MEETING_KEY): f for f in pdfs}
        return self._pdfs

    def pdf_current(self, stored: StoredProtocol) -> bool:
        current = self._pdf_copies().get(stored.meeting_id)
        return (
            current is not None and (current.get("appProperties") or {}).get("gmoInput") == stored.input_hash
        )

    def export_pdf(self, stored: StoredProtocol) -> str | None:
        """A PDF copy beside the Doc (Drive's own export), kept current by the Doc's content hash."""
        if self.pdf_current(stored):
            return None
        current = self._pdf_copies().get(stored.meeting_id)
        marks = _marks("pdf", stored.meeting_id, stored.input_hash)
        request = self.drive.files().export(fileId=stored.location, mimeType=PDF)
        content = self.connection.execute("Google Диск (экспорт PDF)", request)
        media = MediaIoBaseUpload(io.BytesIO(content), mimetype=PDF, resumable=False)
        body = {"name": f"{stored.name}.pdf", "appProperties": marks}
        if current is None:
            request = self.drive.files().create(body={**body, "parents": [self.folder_id]}, media_body=media,
                                                fields=FILE_FIELDS, supportsAllDrives=True)  # fmt: skip
        else:
            before = current.get("appProperties") or {}
            body["appProperties"] = {**properties.stale(before, MEETING_KEY, marks), **marks}
            request = self.drive.files().update(fileId=current["id"], body=body, media_body=media,
                                                fields=FILE_FIELDS, supportsAllDrives=True)  # fmt: skip
        file = self.connection.execute("Google Диск (PDF протокола)", request)
        self._pdf_copies()[stored.meeting_id] = file
        return body["name"]

    def link(self, stored: StoredProtocol) -> ProtocolLink:
        url = self._links.get(stored.location) or (
            f"https://docs.google.com/document/d/{stored.location}/edit"
        )
        return ProtocolLink(url, url)

    def planned_link(
        self, meeting_id: str, name: str, replaces: StoredProtocol | None
    ) -> ProtocolLink | None:
        """An update keeps the Doc and its URL; a new Doc's URL exists only once Drive has made it."""
        return self.link(replaces) if replaces is not None else None


def _holds(file: dict[str, Any], meeting_id: str) -> bool:
    return id_key(properties.read(file.get("appProperties") or {}, MEETING_KEY)) == id_key(meeting_id)


def _marks(kind: str, meeting_id: str, input_hash: str) -> dict[str, str]:
    """The appProperties of a protocol or its PDF, within Drive's limits (or a Russian refusal)."""
    marks = {"gmoKind": kind, **properties.spell(MEETING_KEY, meeting_id, properties.drive_fits),
             "gmoInput": input_hash}  # fmt: skip
    if len(marks) > properties.DRIVE_PROPERTIES_PER_APP:
        chars, size = len(meeting_id), len(meeting_id.encode("utf-8"))
        length = f"{chars} {plural(chars, 'символ', 'символа', 'символов')}, "
        length += f"{size} {plural(size, 'байт', 'байта', 'байт')} в UTF-8"
        raise BackendError(
            f"ID заседания слишком длинный для Google Диска ({length}): документ не создан. "
            "Сократите ID в столбце «ID» и запустите снова"
        )
    return marks


class DriveStorageError(GmoSyncError):
    """The account may not own Drive files: every create would fail the same way, so the run stops.

    A set-up error (``exit_code`` 2, and not a ``BackendError``, which would only fail the step), not a
    row's problem: no coordinator can fix it in the sheet, and
    going on would only repeat the same refusal once per meeting and log it into Журнал as row problems.
    """


STORAGE_MESSAGE = (
    "Google Диск отказал в создании протокола: у сервисного аккаунта нет своего хранилища "
    "(storageQuotaExceeded; аккаунты, созданные после апреля 2025 г., не могут владеть файлами). "
    "Укажите в google.protocols_folder_id папку на общем диске (shared drive), куда аккаунт добавлен "
    "участником, или работайте под своим аккаунтом Google: уберите google.credentials и выполните "
    "gmo-sync auth login."
)


def _drive_error(error: Exception, attempts: int, folder_id: str) -> Exception:
    status, reason, _ = error_status(error)
    if reason == "storageQuotaExceeded":
        return DriveStorageError(STORAGE_MESSAGE)
    if status == 404:  # the only file a create names is its folder
        return GoogleSetupError(invisible_folder_message(folder_id))
    return failure("Google Диск (создание протокола)", error, attempts)
