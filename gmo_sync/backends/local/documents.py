"""Reports and extracts as .docx files in the documents folder, kept the way protocols are.

The bookkeeping is the protocols' own (``protocols.mark``): the document's key and its
input and text hashes live in the file's core properties, so a file is found by key
whatever it is called, and one changed by hand is recognised and left alone.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote

from gmo_sync.backends.local.files import write_atomically
from gmo_sync.backends.local.pdf import convert_to_pdf, pdf_is_current
from gmo_sync.backends.local.protocols import ID_PREFIX, _read_marks, file_marks, mark, safe_file_name
from gmo_sync.backends.templates import document_template
from gmo_sync.core.ports import ProtocolLink, StoredDocument
from gmo_sync.core.problems import BackendError

KEY_PREFIX = "документ:"  # after «gmo-sync:»: never mistaken for a meeting ID


class LocalDocumentStore:
    def __init__(self, folder: Path, link_base: Path, templates: Path) -> None:
        self.folder = folder
        self.link_base = link_base
        self.templates = templates
        self._found: dict[str, StoredDocument] | None = None

    def describe(self) -> str:
        return str(self.folder)

    def template(self, kind: str) -> tuple[str, bytes]:
        return document_template(self.templates, kind)

    def _scan(self) -> dict[str, StoredDocument]:
        if self._found is not None:
            return self._found
        found: dict[str, StoredDocument] = {}
        for path in sorted(self.folder.glob("*.docx")) if self.folder.is_dir() else []:
            if path.name.startswith(("~$", ".~lock")):
                continue
            marks = file_marks(path)
            if marks is None or not marks[0].startswith(ID_PREFIX + KEY_PREFIX):
                continue
            identifier, input_hash, edited = marks
            key = identifier.removeprefix(ID_PREFIX + KEY_PREFIX)
            found.setdefault(key, StoredDocument(key, path.stem, path.name, input_hash, edited))
        self._found = found
        return found

    def find(self, key: str) -> StoredDocument | None:
        return self._scan().get(key)

    def save(
        self, key: str, name: str, content: bytes, input_hash: str, replaces: StoredDocument | None
    ) -> StoredDocument:
        file_name = safe_file_name(name) + ".docx"
        target = self.folder / file_name
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            if target.exists() and (replaces is None or replaces.location != file_name):
                marks = _read_marks(target)
                if marks is None or marks[0] != ID_PREFIX + KEY_PREFIX + key:
                    raise BackendError(
                        f"Файл {target} уже существует и сделан не gmo-sync для этого документа; "
                        f"переименуйте или удалите его"
                    )
            write_atomically(target, mark(content, KEY_PREFIX + key, input_hash))
            if replaces is not None and replaces.location != file_name:
                (self.folder / replaces.location).unlink(missing_ok=True)
        except OSError as error:
            raise BackendError(f"Документ {target} не записан: {error}") from None
        stored = StoredDocument(key, target.stem, file_name, input_hash, False)
        self._scan()[key] = stored
        return stored

    def pdf_current(self, stored: StoredDocument) -> bool:
        return pdf_is_current(self.folder / stored.location)

    def export_pdf(self, stored: StoredDocument) -> str | None:
        if self.pdf_current(stored):
            return None
        return convert_to_pdf(self.folder / stored.location).name

    def link(self, stored: StoredDocument) -> ProtocolLink:
        path = self.folder / stored.location
        try:
            relative = path.relative_to(self.link_base)
        except ValueError:
            relative = Path(os.path.relpath(path, self.link_base))
        return ProtocolLink(relative.as_posix(), quote(relative.as_posix()))
