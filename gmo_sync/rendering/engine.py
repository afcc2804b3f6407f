"""Render a .docx protocol template (docxtpl, Jinja syntax) into document bytes.

Safety: templates run in Jinja's immutable sandbox (they can read the context
and nothing else) with autoescaping on, so text from cells — ``<``, ``&``,
``{{ 7*7 }}`` — is emitted as XML text and never evaluated.

Speed: docxtpl recompiles the whole document XML on every render. The jinja
environment below caches compiled templates by their source, so rendering many
protocols from one template parses the .docx but compiles Jinja only once.
"""

from __future__ import annotations

import hashlib
import io
import re
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2
from docxtpl import DocxTemplate
from jinja2.sandbox import ImmutableSandboxedEnvironment

from gmo_sync.rendering.errors import TemplateError, describe_jinja_error

__all__ = ["TemplateError", "check_template", "render_protocol", "template_fingerprint"]

# XML 1.0 forbids most C0 controls; docxtpl also gives \a and \f meaning
# (paragraph / page break) when they reach the document, so cell text must not carry them.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_NEWLINES = re.compile(r"\r\n?")


def _finalize(value: object) -> object:
    """Shape every ``{{ … }}`` output: a multi-line cell becomes separate paragraphs."""
    if isinstance(value, str) and not hasattr(value, "__html__"):
        text = _CONTROL.sub("", _NEWLINES.sub("\n", value))
        # docxtpl's listing pass turns \a into a new paragraph that copies the
        # current paragraph's style (indents, alignment), i.e. a real paragraph
        # in Word rather than a soft line break. "{_{" is docxtpl's escape for
        # "{{" and would be unescaped: break it with a zero-width space.
        return text.strip("\n").replace("\n", "\a").replace("{_", "{\u200b_").replace("_}", "_\u200b}")
    return value


class _Environment(ImmutableSandboxedEnvironment):
    """The sandbox, remembering compiled templates by source for reuse across renders."""

    def __init__(self) -> None:
        super().__init__(autoescape=True, finalize=_finalize, undefined=jinja2.Undefined)
        self._compiled: dict[str, jinja2.Template] = {}
        self._lock = threading.Lock()
        self.local = threading.local()  # the source being rendered, for error messages

    def from_string(self, source: Any, globals: Any = None, template_class: Any = None) -> jinja2.Template:
        self.local.source = source
        if globals is not None or template_class is not None or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        template = self._compiled.get(source)
        if template is None:
            template = super().from_string(source)
            with self._lock:
                if len(self._compiled) > 256:  # a long-running process renders a handful of templates
                    self._compiled.clear()
                self._compiled[source] = template
        return template


_ENV = _Environment()


def template_fingerprint(template: bytes) -> str:
    """sha256 of the template file, for the content hash that decides re-rendering."""
    return hashlib.sha256(template).hexdigest()


def _load(template: Path | bytes) -> bytes:
    return template.read_bytes() if isinstance(template, Path) else bytes(template)


def _open(source: bytes, template_name: str) -> DocxTemplate:
    doc = DocxTemplate(io.BytesIO(source))
    try:
        doc.init_docx()
    except Exception as exc:  # python-docx raises several types for "not a Word document"
        raise TemplateError(template_name, "", f"файл не открывается как документ .docx ({exc})") from exc
    return doc


def render_protocol(template: Path | bytes, context: Mapping[str, object], *, template_name: str) -> bytes:
    """Render ``template`` (a .docx) with ``context``; return the .docx bytes.

    Raises ``TemplateError`` (Russian message naming ``template_name`` and the
    offending tag) for a file that is not a .docx, a tag that does not parse,
    or an expression that fails while rendering. Undefined variables render
    as empty text, so a template may name a column the sheet does not have.
    """
    doc = _open(_load(template), template_name)
    try:
        # The environment itself autoescapes; docxtpl's autoescape=True would only re-set it.
        doc.render(dict(context), jinja_env=_ENV)
    except jinja2.TemplateError as exc:
        raise describe_jinja_error(exc, template_name, getattr(_ENV.local, "source", "")) from exc
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def check_template(template: Path | bytes, *, template_name: str) -> None:
    """Compile every part of ``template`` without data, so a broken template stops a run early.

    Only syntax is checked (unknown tags, filters, unclosed blocks): an
    expression that fails on particular data is reported by ``render_protocol``.
    """
    doc = _open(_load(template), template_name)
    parts = [doc.get_xml()]
    for uri in (doc.HEADER_URI, doc.FOOTER_URI):
        parts.extend(doc.get_part_xml(part) for _, part in doc.get_headers_footers(uri))
    for xml in parts:
        # Same preparation as DocxTemplate.render_xml_part, so line numbers match its errors.
        source = re.sub(r"<w:p([ >])", r"\n<w:p\1", doc.patch_xml(xml))
        try:
            _ENV.from_string(source)
        except jinja2.TemplateError as exc:
            raise describe_jinja_error(exc, template_name, source) from exc
