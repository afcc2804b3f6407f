"""Template errors a coordinator can act on: which file, which tag, what is wrong — in Russian.

Jinja reports a line number in the XML docxtpl builds from the document, which
means nothing to the person who edited the .docx. docxtpl puts every paragraph
on its own line, so the line is a paragraph: we strip its XML and show the
Jinja tag in it that the error is about.
"""

from __future__ import annotations

import io
import re
import types
import zipfile

import jinja2
from jinja2.sandbox import SecurityError

from gmo_sync.core.problems import GmoSyncError

__all__ = ["TemplateError", "describe_failure", "describe_jinja_error", "not_a_docx"]

_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
_XML = re.compile(r"<[^>]+>")
_QUOTED = re.compile(r"'([^']+)'")


class TemplateError(GmoSyncError):
    """A protocol template that cannot be rendered; ``str()`` is the Russian message for the user.

    Under the one root, so the CLI's error boundary treats it like every other run-stopping error (exit 2).
    """

    def __init__(self, template_name: str, tag: str, message: str) -> None:
        super().__init__(template_name, tag, message)
        self.template_name = template_name
        self.tag = tag
        self.message = message

    def __str__(self) -> str:
        where = f", тег «{self.tag}»" if self.tag else ""
        return f"Ошибка в шаблоне «{self.template_name}»{where}: {self.message}"


def _template_line(exc: jinja2.TemplateError) -> int | None:
    lineno = getattr(exc, "lineno", None)
    if lineno:
        return int(lineno)
    # Runtime errors carry no lineno; jinja rewrites the traceback so that the
    # frames of compiled template code report template line numbers.
    tb: types.TracebackType | None = exc.__traceback__
    found = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            found = tb.tb_lineno
        tb = tb.tb_next
    return found


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")


def _is_valid_alone(tag: str) -> bool:
    """Whether a single tag parses; block tags can only be lexed, since they open a block."""
    env = jinja2.Environment()
    try:
        if tag.startswith("{{"):
            env.parse(tag)
        else:
            list(env.lex(tag))
    except jinja2.TemplateSyntaxError:
        return False
    return True


def _offending_tag(source: str, lineno: int | None, exc: jinja2.TemplateError) -> str:
    if not lineno:
        return ""
    lines = source.splitlines()
    if not 0 < lineno <= len(lines):
        return ""
    text = _unescape(_XML.sub("", lines[lineno - 1])).strip()
    tags = _TAG.findall(text)
    message = exc.message or ""
    generic_syntax = isinstance(exc, jinja2.TemplateSyntaxError) and not message.startswith(
        ("No filter named", "No test named", "Encountered unknown tag")
    )
    if generic_syntax:
        # «unexpected '}'» and the like: the culprit is the tag that does not parse on its own,
        # or one our pattern cannot even delimit — then the whole paragraph is the best pointer.
        broken = [tag for tag in tags if not _is_valid_alone(tag)]
        if broken:
            return broken[0]
        tags = [] if _TAG.sub("", text).count("{") else tags
    else:
        names = _QUOTED.findall(message) + [h for h in [getattr(exc, "hint", "")] if h]
        for tag in tags:
            if any(re.search(rf"(?<!\w){re.escape(n)}(?!\w)", tag) for n in names):
                return tag
    if len(tags) == 1:
        return tags[0]
    return text if len(text) <= 120 else text[:117] + "…"


_BLOCK_TAG = re.compile(r"\{%-?\s*(\w+)[^%]*?-?%\}")
_OPENERS = {"for", "if", "with", "macro", "call", "filter", "block", "raw", "autoescape"}


def _unclosed_tag(source: str, block: str) -> str:
    """The opening tag of the innermost unclosed ``block``: jinja only reports the end of the file."""
    stack: list[tuple[str, str]] = []
    for m in _BLOCK_TAG.finditer(_unescape(_XML.sub("", source))):
        name = m[1]
        if name in _OPENERS:
            stack.append((name, m[0]))
        elif name.startswith("end") and stack and stack[-1][0] == name[3:]:
            stack.pop()
    for name, tag in reversed(stack):
        if name == block:
            return tag
    return ""


# Jinja's most frequent messages, in the coordinators' language (anything else is shown as it is)
_TOKENS = {"end of print statement": "конец {{ … }}", "end of statement block": "конец {% … %}",
           "name": "имя", "end of template": "конец шаблона"}  # fmt: skip
_MESSAGES = (
    (re.compile(r"^expected token '(.+)', got '(.+)'$"), "ожидалось «{0}», а стоит «{1}»"),
    (re.compile(r"^unexpected '(.+)', expected '(.+)'$"), "лишнее «{0}», а ожидалось «{1}»"),
    (re.compile(r"^unexpected '(.+)'$"), "лишнее или незакрытое «{0}»"),
    (re.compile(r"^Expected an expression, got '(.+)'$"), "ожидалось выражение, а стоит «{0}»"),
    (re.compile(r"^'(.+) object' has no attribute '(.+)'$"), "у значения типа {0} нет поля «{1}»"),
    (
        re.compile(r"^access to attribute '(.+)' of '(.+)' object is unsafe\.$"),
        "обращение к «{0}» у значения типа {1}",
    ),
)


def _translated(message: str) -> str:
    for pattern, russian in _MESSAGES:
        found = pattern.match(message)
        if found:
            return russian.format(*(_TOKENS.get(g, g) for g in found.groups()))
    return message


def _russian(exc: jinja2.TemplateError) -> str:
    msg = exc.message or str(exc)
    names = _QUOTED.findall(msg)
    if type(exc).__name__ == "BudgetExceeded":
        return msg  # already Russian, with the limit and the setting that sets it
    if isinstance(exc, SecurityError):
        return f"шаблон может только читать данные заседания; запрещено: {_translated(msg)}"
    if msg.startswith("Unexpected end of template"):
        block = names[-1] if names else ""
        return f"шаблон закончился, а блок «{block}» не закрыт (нет {{% end{block} %}})"
    if msg.startswith("Encountered unknown tag") and names:
        return f"неизвестный или лишний тег «{names[0]}» (нет открывающего блока или опечатка)"
    if msg.startswith("No filter named") and names:
        return f"неизвестный фильтр «{names[0]}»"
    if msg.startswith("No test named") and names:
        return f"неизвестная проверка «{names[0]}»"
    if isinstance(exc, jinja2.UndefinedError):
        if msg.endswith("is undefined") and names:
            return f"переменная «{names[0]}» не определена, а шаблон обращается к её полю или вызывает её"
        return f"обращение к несуществующему полю: {_translated(msg)}"
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return f"синтаксическая ошибка: {_translated(msg)}"
    return f"ошибка при заполнении шаблона: {msg}"


def describe_jinja_error(exc: jinja2.TemplateError, template_name: str, source: str) -> TemplateError:
    """Translate a Jinja error raised while rendering ``source`` (docxtpl's XML) for the user."""
    syntax_source = getattr(exc, "source", None)
    if isinstance(syntax_source, str):
        source = syntax_source
    message = _russian(exc)
    tag = ""
    names = _QUOTED.findall(exc.message or "")
    if (exc.message or "").startswith("Unexpected end of template") and names:
        tag = _unclosed_tag(source, names[-1])
    tag = tag or _offending_tag(source, _template_line(exc), exc)
    return TemplateError(template_name, tag, message)


_SIGNATURES = (
    (b"%PDF", "это PDF, а не документ Word; откройте исходный документ и сохраните его как .docx"),
    (
        b"\xd0\xcf\x11\xe0",
        "это документ старого формата Word 97–2003 (.doc); откройте его в Word или "
        "LibreOffice и сохраните как .docx",
    ),
    (b"{\\rtf", "это документ RTF; откройте его в Word или LibreOffice и сохраните как .docx"),
)
_ZIP_PARTS = (
    ("xl/", "это таблица Excel (.xlsx), у которой только имя оканчивается на .docx"),
    ("ppt/", "это презентация PowerPoint (.pptx), у которой только имя оканчивается на .docx"),
    ("content.xml", "это документ OpenDocument (.odt); откройте его в LibreOffice и сохраните как .docx"),
)


def not_a_docx(source: bytes) -> str:
    """What a template file that python-docx refuses actually is, in words (never a Python object's repr)."""
    if not source:
        return "файл пустой"
    for signature, text in _SIGNATURES:
        if source.startswith(signature):
            return text
    try:
        with zipfile.ZipFile(io.BytesIO(source)) as archive:
            names = archive.namelist()
    except zipfile.BadZipFile:
        return "файл не является документом Word (.docx); сохраните шаблон в Word или LibreOffice как .docx"
    for prefix, text in _ZIP_PARTS:
        if any(n.startswith(prefix) for n in names):
            return f"{text}. Нужен документ Word (.docx)"
    if "word/document.xml" not in names:
        return "архив не содержит документа Word (нет word/document.xml); сохраните шаблон в Word как .docx"
    return "документ Word повреждён; откройте его в Word или LibreOffice и сохраните заново как .docx"


_PYTHON_ERRORS = {
    "ZeroDivisionError": "деление на ноль",
    "RecursionError": "макрос вызывает сам себя без конца (слишком глубокая рекурсия)",
    "OverflowError": "слишком большое число",
    "MemoryError": "не хватило памяти",
    "TypeError": "значения несовместимых типов (например, число и текст)",
    "ValueError": "недопустимое значение",
    "KeyError": "нет такого ключа",
    "IndexError": "нет элемента с таким номером",
}


def describe_failure(exc: Exception, template_name: str, source: str) -> TemplateError:
    """A Python error raised by the template's own expression (``1/0``), in words, with its tag."""
    what = _PYTHON_ERRORS.get(type(exc).__name__, "ошибка при вычислении выражения")
    wrapped = jinja2.TemplateRuntimeError(f"{what} ({type(exc).__name__}: {exc})"[:300])
    wrapped.with_traceback(exc.__traceback__)  # jinja rewrote it: its frames carry the template's lines
    return describe_jinja_error(wrapped, template_name, source)
