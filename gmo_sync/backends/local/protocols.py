"""Protocols as .docx files in a folder.

Each file carries its own bookkeeping in the document's core properties, so the
folder can be moved, shared or backed up without a separate state file:
``identifier`` = ``gmo-sync:<meeting ID>`` and ``version`` =
``<input hash>:<text hash>:<CRC of word/document.xml>:<file name>:<previous name>``. The text hash is
taken over the paragraphs' text as rendered; a file whose text no longer matches it was edited by hand
(Word and LibreOffice keep core properties when they save, and re-saving without changes keeps the
text), and the tool leaves it alone unless told ``--force``. The names tell the protocol from its
copies (``ownership.py``).
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from functools import partial
from pathlib import Path
from urllib.parse import quote
from xml.etree import ElementTree as ET

from lxml import etree

from gmo_sync.backends.local.files import remove_leftovers, write_atomically
from gmo_sync.backends.local.ownership import ID_PREFIX, Claim, Marks, choose_owners, read_marks
from gmo_sync.backends.local.pdf import convert_to_pdf, pdf_is_current
from gmo_sync.core.os_errors import describe_os_error, ensure_folder, step_errors
from gmo_sync.core.ports import ProtocolCopy, ProtocolLink, StoredProtocol
from gmo_sync.core.problems import BackendError, StepError
from gmo_sync.rendering import Body, Stamp, paragraphs_hash

CORE_XML = "docProps/core.xml"
DOCUMENT_XML = "word/document.xml"
NS = {
    "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
    "dc": "http://purl.org/dc/elements/1.1/",
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
}
# Files in the folder may come from anywhere: no entities resolved, nothing fetched.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)
FOLDER = "Папка протоколов"
_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def safe_file_name(name: str) -> str:
    return _UNSAFE_NAME.sub("_", name).strip(" .") or "протокол"


def text_hash(docx: bytes) -> str:
    """Hash of the document's text, paragraph by paragraph (formatting-only saves do not change it)."""
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        return paragraphs_hash(ET.fromstring(archive.read(DOCUMENT_XML)))


def protocol_marks(
    meeting_id: str, input_hash: str, body: Body, name: str = "", previous: str = ""
) -> dict[str, str]:
    """The core properties that make a rendered .docx one of ours (module level: sent to render workers).

    ``version`` = input hash : text hash : CRC of the body part : file name : previous name. The CRC lets a
    run see that a file is exactly as written from the zip directory alone, without unpacking and parsing
    its text; the names tell the protocol from a copy of it (``ownership.py``).
    """
    marks = Marks(meeting_id, input_hash, body.text_hash, f"{body.crc:08x}", name, previous)
    return {"identifier": ID_PREFIX + meeting_id, "version": marks.version()}


def _names(name: str, replaces: StoredProtocol | None) -> tuple[str, str]:
    """(the file name a protocol is saved under, the name it is renamed from or "")."""
    file_name = safe_file_name(name) + ".docx"
    previous = replaces.location if replaces is not None and replaces.location != file_name else ""
    return file_name, previous


def file_marks(path: Path) -> tuple[str, str, bool] | None:
    """(identifier, input hash, edited by hand) of a file gmo-sync wrote; None for any other file."""
    inspected = _inspect(path)
    if inspected is None:
        return None
    (identifier, version), current_text = inspected
    input_hash, written_text, _ = _version_parts(version)
    # unreadable text: damaged or rewritten by something else, not ours to overwrite
    return identifier, input_hash, current_text is None or current_text != written_text


def _inspect(path: Path) -> tuple[tuple[str, str], str | None] | None:
    """The marks of one of our files and the hash of its text now (None if unreadable); None: not ours.

    One opening of the file for both: a no-change run looks at every protocol in the folder.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            marks = _marks(archive.read(CORE_XML))
            if marks is None:
                return None
            _, written_text, written_crc = _version_parts(marks[1])
            try:
                if written_crc and int(written_crc, 16) == archive.getinfo(DOCUMENT_XML).CRC:
                    return marks, written_text  # the body as written, byte for byte
                return marks, paragraphs_hash(etree.fromstring(archive.read(DOCUMENT_XML), _PARSER))
            except (zipfile.BadZipFile, KeyError, ValueError, etree.XMLSyntaxError, OSError, EOFError):
                return marks, None
    except (zipfile.BadZipFile, KeyError, ET.ParseError, OSError, EOFError):
        return None


def _version_parts(version: str) -> tuple[str, str, str]:
    """input hash, text hash, body CRC ("" where an older or foreign version has none)."""
    parts = version.split(":")
    return parts[0], parts[1] if len(parts) > 1 else "", parts[2] if len(parts) > 2 else ""


def _read_marks(docx: bytes | Path) -> tuple[str, str] | None:
    """(identifier, version) from the core properties, or None for a file that is not ours."""
    try:
        with zipfile.ZipFile(docx if isinstance(docx, Path) else io.BytesIO(docx)) as archive:
            return _marks(archive.read(CORE_XML))
    except (zipfile.BadZipFile, KeyError, ET.ParseError, OSError):
        return None


def _marks(core_xml: bytes) -> tuple[str, str] | None:
    root = ET.fromstring(core_xml)
    identifier = root.findtext("dc:identifier", default="", namespaces=NS)
    version = root.findtext("cp:version", default="", namespaces=NS)
    if not identifier.startswith(ID_PREFIX):
        return None
    return identifier, version


def mark(docx: bytes, meeting_id: str, input_hash: str, *, name: str = "", previous: str = "") -> bytes:
    """Return ``docx`` with the tool's identifier, hashes and file name in its core properties.

    For content not rendered with ``LocalProtocolStore.stamp`` (which sets them while rendering).
    """
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        body = Body(text_hash(docx), archive.getinfo(DOCUMENT_XML).CRC)
    marks = protocol_marks(meeting_id, input_hash, body, name, previous)
    source = zipfile.ZipFile(io.BytesIO(docx))
    out = io.BytesIO()
    with source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == CORE_XML:
                data = _with_marks(data, marks["identifier"], marks["version"])
            target.writestr(item, data)
    return out.getvalue()


def _stamped(docx: bytes, meeting_id: str, input_hash: str, name: str, previous: str) -> bytes:
    """``docx`` as it is when rendered with ``stamp`` (the usual case), else marked now."""
    raw = _read_marks(docx)
    marks = read_marks(*raw) if raw is not None else None
    if marks is not None and (marks.meeting_id, marks.input_hash, marks.name, marks.previous) == (
        meeting_id, input_hash, name, previous
    ):  # fmt: skip
        return docx
    return mark(docx, meeting_id, input_hash, name=name, previous=previous)


def _with_marks(core_xml: bytes, identifier: str, version: str) -> bytes:
    for prefix, uri in NS.items():
        ET.register_namespace(prefix, uri)
    ET.register_namespace("dcterms", "http://purl.org/dc/terms/")
    ET.register_namespace("xsi", "http://www.w3.org/2001/XMLSchema-instance")
    root = ET.fromstring(core_xml)
    for tag, value in ((f"{{{NS['dc']}}}identifier", identifier), (f"{{{NS['cp']}}}version", version)):
        element = root.find(tag)
        if element is None:
            element = ET.SubElement(root, tag)
        element.text = value
    return ET.tostring(root, xml_declaration=True, encoding="UTF-8")


class LocalProtocolStore:
    def __init__(self, folder: Path, link_base: Path, template: Path) -> None:
        self.folder = folder
        self.link_base = link_base  # links are relative to the workbook's folder
        self.template_path = template
        self._cleaned = False  # temporary files of killed runs are removed once, before the first write
        self._copies: list[ProtocolCopy] = []  # found by the last existing()

    def stamp(
        self, meeting_id: str, input_hash: str, name: str = "", replaces: StoredProtocol | None = None
    ) -> Stamp:
        """What ``save`` expects in a document's core properties, set while it is rendered."""
        file_name, previous = _names(name, replaces) if name else ("", "")
        return partial(protocol_marks, meeting_id, input_hash, name=file_name, previous=previous)

    def describe(self) -> str:
        return str(self.folder)

    def template(self) -> tuple[str, bytes]:
        try:
            return self.template_path.name, self.template_path.read_bytes()
        except OSError as error:
            raise StepError(describe_os_error(error, self.template_path, "Шаблон протокола")) from None

    def existing(self) -> dict[str, StoredProtocol]:
        found: dict[str, StoredProtocol] = {}
        self._copies = []
        if not self.folder.exists():
            return found
        ensure_folder(self.folder, FOLDER)  # a file named like the folder stops this step, not the run
        with step_errors(self.folder, FOLDER):
            paths = sorted(self.folder.glob("*.docx"))
        claims, texts = [], {}
        for path in paths:
            if path.name.startswith(("~$", ".~lock")):
                continue
            inspected = _inspect(path)
            marks = read_marks(*inspected[0]) if inspected is not None else None
            if marks is not None:
                claims.append(Claim(path.name, marks))
                texts[path.name] = inspected[1]  # type: ignore[index]
        owners, copies = choose_owners(claims)  # a copy carries the ID too: see ownership.py
        self._copies = [ProtocolCopy(c.marks.meeting_id, c.file_name) for c in copies]
        for meeting_id, claim in owners.items():
            # unreadable text: damaged or rewritten by something else, not ours to overwrite
            current = texts[claim.file_name]
            edited = current is None or current != claim.marks.text_hash
            path = self.folder / claim.file_name
            found[meeting_id] = StoredProtocol(
                meeting_id, path.stem, path.name, claim.marks.input_hash, edited
            )
        return found

    def copies(self) -> list[ProtocolCopy]:
        return list(self._copies)

    def save(
        self, meeting_id: str, name: str, content: bytes, input_hash: str, replaces: StoredProtocol | None
    ) -> StoredProtocol:
        file_name, previous = _names(name, replaces)
        target = self.folder / file_name
        ensure_folder(self.folder, FOLDER)
        current = replaces.location if replaces is not None else None
        if target.exists() and current != file_name:
            # a copy of a protocol, or someone's own file: never overwritten
            raise BackendError(
                f"Файл {target} уже существует и не является протоколом заседания {meeting_id} "
                f"(это копия или чужой файл); переименуйте или уберите его, и запустите снова"
            )
        data = _stamped(content, meeting_id, input_hash, file_name, previous)
        with step_errors(self.folder, FOLDER):  # disk full, no write permission: every save would fail
            if not self._cleaned:
                remove_leftovers(self.folder, ".*.docx.*.tmp")
                self._cleaned = True
            if previous:
                # new content under the old name first, then one atomic rename: never two protocols
                write_atomically(self.folder / previous, data, clean=False)
                os.replace(self.folder / previous, target)
            else:
                write_atomically(target, data, clean=False)
        return StoredProtocol(meeting_id, target.stem, file_name, input_hash, False)

    def pdf_current(self, stored: StoredProtocol) -> bool:
        return pdf_is_current(self.folder / stored.location)

    def export_pdf(self, stored: StoredProtocol) -> str | None:
        """A PDF beside the .docx; None when the one there is already newer than the document."""
        if self.pdf_current(stored):
            return None
        return convert_to_pdf(self.folder / stored.location).name

    def link(self, stored: StoredProtocol) -> ProtocolLink:
        return self._link_to(stored.location)

    def planned_link(self, meeting_id: str, name: str, replaces: StoredProtocol | None) -> ProtocolLink:
        """The file name follows from the document's name, so the link is known before the save."""
        return self._link_to(safe_file_name(name) + ".docx")

    def _link_to(self, file_name: str) -> ProtocolLink:
        path = self.folder / file_name
        try:
            relative = path.relative_to(self.link_base)
        except ValueError:
            relative = Path(os.path.relpath(path, self.link_base))
        return ProtocolLink(file_name, quote(relative.as_posix()))
