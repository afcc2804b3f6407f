"""Protocol rendering: the only layer that knows docxtpl and Jinja.

Public API: ``protocol_context`` builds the template variables from a
``Meeting``; ``compile_template`` prepares a .docx template once and its
``render`` turns those variables into document bytes (``render_protocol`` for
one document; ``pool.render_many`` for many, on every CPU); ``TemplateError``
is what a broken template raises.
"""

from __future__ import annotations

from gmo_sync.rendering.compiled import Body, CompiledTemplate, Stamp, paragraphs_hash
from gmo_sync.rendering.context import protocol_context, variable_name
from gmo_sync.rendering.engine import check_template, compile_template, render_protocol, template_fingerprint
from gmo_sync.rendering.errors import TemplateError
from gmo_sync.rendering.shipped import DOCUMENT_TEMPLATES, TEMPLATE_NAMES, template_bytes, template_path
from gmo_sync.rendering.words import (
    city_genitive,
    date_in_words,
    glued_numbers,
    month_name,
    people_count,
    plural,
    signature_name,
    surname_initials,
)

__all__ = [
    "DOCUMENT_TEMPLATES",
    "TEMPLATE_NAMES",
    "Body",
    "CompiledTemplate",
    "Stamp",
    "TemplateError",
    "check_template",
    "city_genitive",
    "compile_template",
    "date_in_words",
    "glued_numbers",
    "month_name",
    "paragraphs_hash",
    "people_count",
    "plural",
    "protocol_context",
    "render_protocol",
    "signature_name",
    "surname_initials",
    "template_bytes",
    "template_fingerprint",
    "template_path",
    "variable_name",
]
