"""A protocol template prepared once per run and rendered into many documents.

Why: docxtpl, used naively, re-opens the .docx for every document, re-parses every XML part (the styles
alone are ~800 KB), re-runs its regex preprocessing of the template XML and re-compresses every zip member.
Here all of that happens once: the XML of each part with tags is prepared and compiled once, the members
that never change are compressed once into a base archive, and a render produces only what depends on
the data — the body, headers/footers/footnotes that have tags, and the core properties — appended to a
copy of that base in one pass. The bookkeeping a store wants in the core properties is computed from the
rendered tree (``Stamp``), so the document is written once, finished.

The parts produced are what docxtpl's own ``render`` + ``save`` write (the tests compare the body byte for
byte); the parts without tags are carried over exactly as the template stores them.
"""

from __future__ import annotations

import copy
import hashlib
import io
import re
import zipfile
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import jinja2
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.oxml import serialize_part_xml
from docx.oxml.parser import parse_xml
from docxtpl import DocxTemplate
from lxml import etree

from gmo_sync.rendering.budget import rendering
from gmo_sync.rendering.errors import TemplateError, describe_failure, describe_jinja_error, not_a_docx

__all__ = ["Body", "CompiledTemplate", "Stamp", "paragraphs_hash"]

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
FOOTNOTES = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
# The core properties docxtpl renders as templates (the others it leaves alone).
RENDERED_PROPERTIES = ("author", "comments", "identifier", "language", "subject", "title")
SETTABLE_PROPERTIES = {
    "author", "category", "comments", "contentStatus", "identifier", "keywords", "language",
    "lastModifiedBy", "subject", "title", "version",
}  # fmt: skip
_TEXT_WITH_CONTROLS = re.compile(r"<w:t(?: [^>]*)?>[^<]*[\t\a\n\f]")
_DOCPR = etree.XPath(
    "//wp:docPr", namespaces={"wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"}
)
# docxtpl's helpers that use no state of their own (regex passes over the XML text)
_TOOLS = DocxTemplate(None)

@dataclass(frozen=True)
class Body:
    """What a stamp may record about the rendered document body."""

    text_hash: str  # ``paragraphs_hash`` of the body as rendered
    crc: int  # CRC-32 of the body part as written (the zip directory has it: checked without unpacking)


# Given the rendered body, the core properties to set in the document.
Stamp = Callable[[Body], Mapping[str, str]]


def paragraphs_hash(root: Any) -> str:
    """Hash of a document's text, paragraph by paragraph (formatting-only saves do not change it).

    ``root`` is the document element, parsed by lxml or ElementTree alike.
    """
    digest = hashlib.sha256()
    for paragraph in root.iter(f"{{{W}}}p"):
        text = "".join(t.text or "" for t in paragraph.iter(f"{{{W}}}t"))
        digest.update(text.encode("utf-8") + b"\n")
    return digest.hexdigest()[:32]


@dataclass(frozen=True)
class _Part:
    """One XML part with tags: its zip member, its prepared XML (for error messages) and compiled form."""

    member: str
    source: str
    template: jinja2.Template
    as_text: bool = False  # footnotes: docxtpl stores the rendered text as it is, without re-parsing it

    def finish(self, xml: str) -> bytes:
        if self.as_text:
            return xml.encode("utf-8")
        return serialize_part_xml(parse_xml(xml.encode("utf-8")))


class CompiledTemplate:
    """Immutable once built: one instance serves every render of a run, threads included."""

    def __init__(self, source: bytes, name: str, env: jinja2.Environment) -> None:
        self.name = name
        self.fingerprint = hashlib.sha256(source).hexdigest()
        doc = _open(source, name)
        self._env = env
        if not _has_core_properties(doc):
            source, doc = _with_core_properties(doc, name)
        package = doc.docx.part.package
        main = doc.docx.part
        self._body = self._compile(main.partname.membername, doc.get_xml(), doc)
        root = copy.deepcopy(doc.docx.element)
        body = root.find(f"{{{W}}}body")
        self._body_index = root.index(body)
        root.remove(body)
        self._shell = root  # the document element without its body
        self._parts: list[_Part] = []  # headers, footers, footnotes that have tags: docxtpl's other parts
        for uri in (doc.HEADER_URI, doc.FOOTER_URI):
            for _, part in doc.get_headers_footers(uri):
                self._add_part(part.partname.membername, doc.get_part_xml(part), doc)
        for part in package.parts:
            if part.content_type == FOOTNOTES:
                self._add_part(part.partname.membername, part.blob.decode("utf-8"), doc, footnotes=True)
        core_part = package.part_related_by(RT.CORE_PROPERTIES)
        self._core_member = core_part.partname.membername
        self._core = parse_xml(core_part.blob)
        # docxtpl renders these six through Jinja and sets them all, empty ones too
        self._core_values: dict[str, str | jinja2.Template] = {}
        for prop in RENDERED_PROPERTIES:
            text = getattr(package.core_properties, prop) or ""
            self._core_values[prop] = self._property_template(text) if "{" in text else text
        self._base, self._infos = self._base_archive(source)

    # -- building -------------------------------------------------------------------------------------

    def _compile(self, member: str, xml: str, doc: DocxTemplate) -> _Part:
        # The same preparation as DocxTemplate.render_xml_part, so line numbers match its errors.
        prepared = re.sub(r"<w:p([ >])", r"\n<w:p\1", doc.patch_xml(xml))
        try:
            return _Part(member, prepared, self._env.from_string(prepared))
        except jinja2.TemplateError as exc:
            raise describe_jinja_error(exc, self.name, prepared) from exc

    def _property_template(self, text: str) -> jinja2.Template:
        try:
            return self._env.from_string(text)
        except jinja2.TemplateError as exc:
            raise describe_jinja_error(exc, self.name, text) from exc

    def _add_part(self, member: str, xml: str, doc: DocxTemplate, *, footnotes: bool = False) -> None:
        prepared = doc.patch_xml(xml)
        # Without tags or characters docxtpl's listing pass rewrites, rendering gives the part back as it
        # is: keep the template's own bytes.
        if "{" in prepared or _TEXT_WITH_CONTROLS.search(prepared):
            part = self._compile(member, xml, doc)
            self._parts.append(_Part(part.member, part.source, part.template, as_text=footnotes))

    def _base_archive(self, source: bytes) -> tuple[bytes, dict[str, zipfile.ZipInfo]]:
        """Every member no render changes, compressed once; the zip entries of those a render writes."""
        rendered = {self._body.member, self._core_member, *(p.member for p in self._parts)}
        infos: dict[str, zipfile.ZipInfo] = {}
        out = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(source)) as template, zipfile.ZipFile(out, "w") as base:
            for item in template.infolist():
                if item.filename in rendered:
                    infos[item.filename] = _entry(item)
                elif not item.is_dir():
                    base.writestr(_entry(item), template.read(item.filename))
        return out.getvalue(), infos

    # -- rendering ------------------------------------------------------------------------------------

    def render(self, context: Mapping[str, object], stamp: Stamp | None = None) -> bytes:
        """The .docx for ``context``; ``stamp`` adds core properties computed from the rendered text.

        Raises ``TemplateError`` for an expression that fails on this data, or asks for more than the
        rendering budget (``budget.py``: one budget for every part of the document).
        """
        with rendering():
            return self._render_document(context, stamp)

    def _render_document(self, context: Mapping[str, object], stamp: Stamp | None) -> bytes:
        data = dict(context)
        document = copy.deepcopy(self._shell)
        body = _TOOLS.fix_tables(self._run(self._body, data))
        _number_drawings(body)
        document.insert(self._body_index, body)
        members = {self._body.member: serialize_part_xml(document)}
        for part in self._parts:
            members[part.member] = part.finish(self._run(part, data))
        core = copy.deepcopy(self._core)
        for prop, value in self._core_values.items():
            text = value if isinstance(value, str) else self._render(value, data, "")
            setattr(core, f"{prop}_text", text)
        if stamp is not None:
            body_facts = Body(paragraphs_hash(document), zlib.crc32(members[self._body.member]))
            for prop, value in stamp(body_facts).items():
                if prop not in SETTABLE_PROPERTIES:
                    raise ValueError(f"unknown core property {prop!r}")
                setattr(core, f"{prop}_text", value)
        members[self._core_member] = serialize_part_xml(core)
        out = io.BytesIO(self._base)
        with zipfile.ZipFile(out, "a") as archive:
            for member, data_bytes in members.items():
                # a fresh entry each time: writestr fills in sizes, CRC and offset, and renders may run
                # side by side in threads
                archive.writestr(_entry(self._infos[member]), data_bytes)
        return out.getvalue()

    def _render(self, template: jinja2.Template, data: dict[str, object], source: str) -> str:
        try:
            return template.render(data)
        except jinja2.TemplateError as exc:
            raise describe_jinja_error(exc, self.name, source) from exc
        except Exception as exc:  # 1/0, int("x") …: the template's fault, told with its tag, not a crash
            raise describe_failure(exc, self.name, source) from exc

    def _run(self, part: _Part, data: dict[str, object]) -> str:
        """docxtpl's ``render_xml_part``: render, undo the line splitting and escapes, resolve listings."""
        xml = re.sub(r"\n<w:p([ >])", r"<w:p\1", self._render(part.template, data, part.source))
        xml = xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
        return str(_TOOLS.resolve_listing(xml))


def _entry(item: zipfile.ZipInfo) -> zipfile.ZipInfo:
    """A fresh zip entry with the template's name and time: the output depends on nothing but the input."""
    entry = zipfile.ZipInfo(item.filename, date_time=item.date_time)
    entry.compress_type = zipfile.ZIP_DEFLATED
    entry.external_attr = item.external_attr
    return entry


def _number_drawings(tree: Any) -> None:
    """docxtpl's ``fix_docpr_ids``: drawing IDs from 1001 up, so copies made by loops never collide."""
    for number, element in enumerate(_DOCPR(tree), start=1001):
        element.attrib["id"] = str(number)


def _open(source: bytes, name: str) -> DocxTemplate:
    doc = DocxTemplate(io.BytesIO(source))
    try:
        doc.init_docx()
    except Exception as exc:  # python-docx raises several types for "not a Word document"
        raise TemplateError(name, "", not_a_docx(source)) from exc
    return doc


def _has_core_properties(doc: DocxTemplate) -> bool:
    try:
        doc.docx.part.package.part_related_by(RT.CORE_PROPERTIES)
    except KeyError:
        return False
    return True


def _with_core_properties(doc: DocxTemplate, name: str) -> tuple[bytes, DocxTemplate]:
    """A template without core properties (rare), saved once by python-docx, which adds them.

    python-docx stamps the current time as «modified»; dropping it keeps every output a function of
    the template and the data alone.
    """
    core = doc.docx.core_properties
    modified = core._element.find("{http://purl.org/dc/terms/}modified")
    if modified is not None:
        core._element.remove(modified)
    out = io.BytesIO()
    doc.docx.save(out)
    return out.getvalue(), _open(out.getvalue(), name)
