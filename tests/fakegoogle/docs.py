"""Docs v1 (minimal but strict) and the .docx/.pdf bytes behind converted Google Docs.

A converted Google Doc is stored as the uploaded .docx. Reads (documents.get, export to text/pdf) derive
paragraph text from ``word/document.xml``; edits (replaceAllText, coordinator edits) rewrite ``<w:t>`` text
in place with regexes so every other part of the package (styles, numbering, tables) survives untouched.
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from typing import Any

from .core import Call, Dispatcher
from .errors import ApiError, bad_request, not_found
from .workspace import Workspace

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DOC_MIME = "application/vnd.google-apps.document"
_PARA = re.compile(r"<w:p\b(?:[^>]*)?(?:/>|>.*?</w:p>)", re.S)
_TEXT = re.compile(r"<w:t(?:\s[^>]*)?>(.*?)</w:t>|<w:t\s*/>", re.S)


def minimal_docx(paragraphs: list[str]) -> bytes:
    body = "".join(
        f'<w:p><w:r><w:t xml:space="preserve">{html.escape(p, quote=False)}</w:t></w:r></w:p>'
        for p in paragraphs
    )
    files = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.'
            'wordprocessingml.document.main+xml"/></Types>'
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'officeDocument" Target="word/document.xml"/></Relationships>'
        ),
        "word/document.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            f"<w:body>{body}</w:body></w:document>"
        ),
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in files.items():
            z.writestr(name, text)
    return buf.getvalue()


def _document_xml(docx: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(docx)) as z:
            return z.read("word/document.xml").decode("utf-8")
    except (zipfile.BadZipFile, KeyError, UnicodeDecodeError):
        raise bad_request("The uploaded file is not a readable .docx (conversion failed).") from None


def docx_text(docx: bytes) -> list[str]:
    """Paragraph texts, in document order (table cells included)."""
    return [_para_text(p.group(0)) for p in _PARA.finditer(_document_xml(docx))]


def _para_text(para_xml: str) -> str:
    return "".join(html.unescape(m.group(1) or "") for m in _TEXT.finditer(para_xml))


def _rewrite(docx: bytes, edit) -> tuple[bytes, int]:
    """Apply ``edit(text) -> (new_text, count)`` to each paragraph; runs merge into the first run."""
    xml = _document_xml(docx)
    total = 0

    def one_para(m: re.Match[str]) -> str:
        nonlocal total
        para = m.group(0)
        old = _para_text(para)
        new, count = edit(old)
        if not count:
            return para
        total += count
        first = True

        def one_text(t: re.Match[str]) -> str:
            nonlocal first
            if first:
                first = False
                return f'<w:t xml:space="preserve">{html.escape(new, quote=False)}</w:t>'
            return "<w:t/>"

        return _TEXT.sub(one_text, para)

    new_xml = _PARA.sub(one_para, xml)
    src = zipfile.ZipFile(io.BytesIO(docx))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            data = new_xml.encode() if item.filename == "word/document.xml" else src.read(item.filename)
            out.writestr(item, data)
    return buf.getvalue(), total


def replace_all(docx: bytes, old: str, new: str, match_case: bool = True) -> tuple[bytes, int]:
    if not old:
        raise bad_request("containsText.text must not be empty.")
    pattern = re.compile(re.escape(old), 0 if match_case else re.I)
    return _rewrite(docx, lambda text: pattern.subn(lambda _m: new, text))


def minimal_pdf(text: str) -> bytes:
    """A one-page valid PDF showing ``text`` (non-Latin-1 characters become '?')."""
    lines = text.splitlines() or [""]
    ops = ["BT", "/F1 11 Tf", "50 800 Td", "14 TL"]
    for line in lines[:50]:
        safe = line.encode("latin-1", "replace").decode("latin-1")
        safe = safe.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        ops.append(f"({safe}) Tj T*")
    ops.append("ET")
    stream = "\n".join(ops).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for i, obj in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + obj + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class Docs:
    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self.drive = None  # set by FakeGoogle: documents.create makes a Drive file

    def reset(self) -> None:
        pass  # all Docs state lives in Workspace.files/contents

    def register(self, d: Dispatcher) -> None:
        d.handlers["docs.documents.get"] = self.get
        d.handlers["docs.documents.batchUpdate"] = self.batch_update
        d.handlers["docs.documents.create"] = self.create

    def _doc(self, doc_id: str) -> dict[str, Any]:
        file = self.ws.files.get(doc_id)
        if file is None or file["mimeType"] != DOC_MIME:
            raise not_found("Requested entity was not found.")
        return file

    def render(self, file: dict[str, Any]) -> dict[str, Any]:
        content: list[dict[str, Any]] = [{"endIndex": 1, "sectionBreak": {"sectionStyle": {}}}]
        index = 1
        for text in docx_text(self.ws.contents.get(file["id"], minimal_docx([]))) or [""]:
            run = text + "\n"
            end = index + _utf16_len(run)
            content.append(
                {
                    "startIndex": index,
                    "endIndex": end,
                    "paragraph": {
                        "elements": [
                            {
                                "startIndex": index,
                                "endIndex": end,
                                "textRun": {"content": run, "textStyle": {}},
                            }
                        ],
                        "paragraphStyle": {"namedStyleType": "NORMAL_TEXT", "direction": "LEFT_TO_RIGHT"},
                    },
                }
            )
            index = end
        return {
            "documentId": file["id"],
            "title": file["name"],
            "body": {"content": content},
            "revisionId": f"fake-rev-{file['version']}",
            "suggestionsViewMode": "SUGGESTIONS_INLINE",
        }

    def get(self, call: Call) -> dict[str, Any]:
        return self.render(self._doc(call.path_params["documentId"]))

    def create(self, call: Call) -> dict[str, Any]:
        body = call.body or {}
        file = self.drive.new_file(
            {"name": body.get("title") or "Untitled document", "mimeType": DOC_MIME}, call.principal.user
        )
        return self.render(file)

    def batch_update(self, call: Call) -> dict[str, Any]:
        file = self._doc(call.path_params["documentId"])
        body = call.body or {}
        required = (body.get("writeControl") or {}).get("requiredRevisionId")
        if required and required != f"fake-rev-{file['version']}":
            raise bad_request(f"The required revision ID {required} does not match the latest revision.")
        docx = self.ws.contents.get(file["id"], minimal_docx([]))
        replies = []
        for i, request in enumerate(body.get("requests", [])):
            ((kind, spec),) = request.items()
            if kind != "replaceAllText":
                raise ApiError(
                    501,
                    f"fakegoogle does not model Docs request {kind!r} (requests[{i}]).",
                    reason="notImplemented",
                )
            contains = spec.get("containsText") or {}
            docx, count = replace_all(
                docx,
                contains.get("text", ""),
                spec.get("replaceText", ""),
                bool(contains.get("matchCase", False)),
            )
            replies.append({"replaceAllText": {"occurrencesChanged": count} if count else {}})
        self.ws.contents[file["id"]] = docx
        file["modifiedTime"] = self.ws.now_iso()
        file["version"] = str(int(file["version"]) + 1)
        return {
            "documentId": file["id"],
            "replies": replies,
            "writeControl": {"requiredRevisionId": f"fake-rev-{file['version']}"},
        }
