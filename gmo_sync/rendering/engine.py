"""Render a .docx protocol template (docxtpl, Jinja syntax) into document bytes.

Safety: templates run in Jinja's immutable sandbox (they can read the context
and nothing else) with autoescaping on, so text from cells — ``<``, ``&``,
``{{ 7*7 }}`` — is emitted as XML text and never evaluated.

Speed: a template is compiled once (``compile_template``, see ``compiled.py``) and
then renders every protocol of a run; ``render_protocol`` is the one-document form.

Pictures: a context holding charts (``charts.Picture``, the year report) is rendered
by docxtpl itself, which adds each image as a part with its relationship; the
compiled path writes a fixed set of parts and cannot. Such a document is made once,
so speed does not matter there.
"""

from __future__ import annotations

import hashlib
import io
import re
import threading
from collections import OrderedDict
from collections.abc import Mapping
from pathlib import Path

import jinja2
from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage

from gmo_sync.rendering.budget import BudgetedSandbox, rendering
from gmo_sync.rendering.charts import Picture
from gmo_sync.rendering.compiled import CompiledTemplate, Stamp, paragraphs_hash
from gmo_sync.rendering.errors import TemplateError, describe_jinja_error

__all__ = [
    "CompiledTemplate",
    "Stamp",
    "TemplateError",
    "check_template",
    "compile_template",
    "render_protocol",
    "template_fingerprint",
]

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


class _Environment(BudgetedSandbox):
    """The sandbox every template part is compiled and rendered in, under the rendering budget."""

    def __init__(self) -> None:
        super().__init__(autoescape=True, finalize=_finalize, undefined=jinja2.Undefined)


_ENV = _Environment()


def template_fingerprint(template: bytes) -> str:
    """sha256 of the template file, for the content hash that decides re-rendering."""
    return hashlib.sha256(template).hexdigest()


def _load(template: Path | bytes) -> bytes:
    return template.read_bytes() if isinstance(template, Path) else bytes(template)


_CACHE: OrderedDict[tuple[str, str], CompiledTemplate] = OrderedDict()
_CACHE_SIZE = 4  # a run uses one template; tests and a long-lived process a few
_CACHE_LOCK = threading.Lock()


def compile_template(template: Path | bytes, *, template_name: str) -> CompiledTemplate:
    """The template prepared for rendering many documents; compiled once per content and name.

    Raises ``TemplateError`` for a file that is not a .docx or a tag that does not parse: a broken
    template stops a run before anything is written.
    """
    source = _load(template)
    key = (template_fingerprint(source), template_name)
    with _CACHE_LOCK:
        compiled = _CACHE.get(key)
        if compiled is not None:
            _CACHE.move_to_end(key)
            return compiled
    compiled = CompiledTemplate(source, template_name, _ENV)
    with _CACHE_LOCK:
        _CACHE[key] = compiled
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return compiled


def render_protocol(
    template: Path | bytes, context: Mapping[str, object], *, template_name: str, stamp: Stamp | None = None
) -> bytes:
    """Render ``template`` (a .docx) with ``context``; return the .docx bytes.

    Raises ``TemplateError`` (Russian message naming ``template_name`` and the
    offending tag) for a file that is not a .docx, a tag that does not parse,
    or an expression that fails while rendering. Undefined variables render
    as empty text, so a template may name a column the sheet does not have.
    ``stamp`` sets core properties computed from the rendered text.
    """
    compiled = compile_template(template, template_name=template_name)  # also: a broken template fails here
    if any(isinstance(value, Picture) for value in context.values()):
        return _render_with_pictures(_load(template), context, template_name, stamp)
    return compiled.render(context, stamp)


# python-docx's names of the core properties a ``Stamp`` may set
_CORE_ATTRIBUTES = {"contentStatus": "content_status", "lastModifiedBy": "last_modified_by"}


def _render_with_pictures(
    source: bytes, context: Mapping[str, object], template_name: str, stamp: Stamp | None
) -> bytes:
    doc = DocxTemplate(io.BytesIO(source))
    data = {
        key: InlineImage(doc, io.BytesIO(value.png), width=Mm(value.width_mm)) if isinstance(value, Picture)
        else value
        for key, value in context.items()
    }  # fmt: skip
    try:
        with rendering():  # the same budget as every other render
            doc.render(data, jinja_env=_ENV)
    except jinja2.TemplateError as exc:
        raise describe_jinja_error(exc, template_name, "") from exc
    if stamp is not None:
        for prop, value in stamp(paragraphs_hash(doc.docx.element)).items():
            setattr(doc.docx.core_properties, _CORE_ATTRIBUTES.get(prop, prop), value)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def check_template(template: Path | bytes, *, template_name: str) -> None:
    """Compile every part of ``template`` without data, so a broken template stops a run early.

    Only syntax is checked (unknown tags, filters, unclosed blocks): an
    expression that fails on particular data is reported by ``render_protocol``.
    """
    compile_template(template, template_name=template_name)
