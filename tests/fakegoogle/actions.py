"""Coordinator actions: what a human does in the browser between (or during) gmo-sync's requests."""

from __future__ import annotations

from typing import Any

from . import a1
from .docs import minimal_docx, replace_all
from .errors import ApiError
from .sheets_requests import sort_rows

ACTIONS = (
    "set_cell",
    "set_values",
    "insert_row",
    "delete_row",
    "sort_range",
    "edit_doc",
    "create_spreadsheet",
    "create_doc",
    "copy_doc",
)


def validate_action(fake, action: dict[str, Any]) -> None:
    if action.get("action") not in ACTIONS:
        raise ValueError(f"unknown action {action.get('action')!r}; expected one of {ACTIONS}")


def _sheet(book, action):
    ref = action.get("sheet")
    if ref is None:
        return book.sheets[0]
    if isinstance(ref, int):
        return book.sheet_by_id(ref)
    sheet = book.sheet_by_title(ref)
    if sheet is None:
        raise ValueError(f"no sheet titled {ref!r}")
    return sheet


def _bump(fake, file_id: str) -> None:
    file = fake.ws.files.get(file_id)
    if file:
        file["modifiedTime"] = fake.ws.now_iso()
        file["version"] = str(int(file["version"]) + 1)


def run_action(fake, action: dict[str, Any]) -> Any:
    kind = action["action"]
    if kind == "create_spreadsheet":
        # {"title", "sheets": {"Tab": [[row], ...]}, "input": "USER_ENTERED"} → spreadsheet id
        body = {
            "properties": {"title": action.get("title", "Master")},
            "sheets": [{"properties": {"title": t}} for t in action.get("sheets", {})] or [{}],
        }
        book = fake.sheets.create_book(body, action.get("owner", "user@example.com"))
        for title, rows in action.get("sheets", {}).items():
            if rows:
                fake.sheets.write_values(
                    book, a1.quote_sheet(title) + "!A1", rows, action.get("input", "USER_ENTERED"), grow=True
                )
        return book.id
    if kind == "create_doc":
        file = fake.drive.new_file(
            {
                "name": action.get("title", "Doc"),
                "mimeType": "application/vnd.google-apps.document",
                "parents": action.get("parents"),
            },
            action.get("owner", "user@example.com"),
        )
        fake.ws.contents[file["id"]] = minimal_docx(action.get("paragraphs", []))
        return file["id"]
    if kind == "copy_doc":
        # «Сделать копию» in the browser. Whether Google keeps the app's appProperties on such a copy is
        # not documented, so the test chooses: {fileId, name, keep_app_properties} → the copy's id
        source = fake.ws.files.get(action["fileId"])
        if source is None:
            raise ValueError(f"no file {action['fileId']}")
        meta = {"name": action.get("name") or f"Копия {source['name']}", "mimeType": source["mimeType"],
                "parents": list(source["parents"])}  # fmt: skip
        if action.get("keep_app_properties"):
            meta["appProperties"] = dict(source.get("appProperties") or {})
        file = fake.drive.new_file(meta, action.get("owner", "user@example.com"))
        if source["id"] in fake.ws.contents:
            fake.ws.contents[file["id"]] = fake.ws.contents[source["id"]]
        return file["id"]
    if kind == "edit_doc":
        file_id = action["documentId"]
        docx = fake.ws.contents.get(file_id)
        if docx is None:
            raise ValueError(f"no Google Doc {file_id}")
        if "paragraphs" in action:
            docx = minimal_docx(action["paragraphs"])
        for old, new in (action.get("replace") or {}).items():
            docx, _ = replace_all(docx, old, new)
        fake.ws.contents[file_id] = docx
        _bump(fake, file_id)
        return None
    book = fake.sheets.book(action["spreadsheetId"])
    if kind in ("set_cell", "set_values"):
        values = action["values"] if kind == "set_values" else [[action["value"]]]
        fake.sheets.write_values(book, action["range"], values, action.get("input", "USER_ENTERED"))
    elif kind == "insert_row":
        sheet = _sheet(book, action)
        index = int(action["index"])
        sheet.insert_rows(index, int(action.get("count", 1)))
        if action.get("values"):
            fake.sheets.write_values(
                book,
                (sheet, index, 0, index + 1, len(sheet.col_uids)),
                [action["values"]],
                action.get("input", "USER_ENTERED"),
            )
    elif kind == "delete_row":
        sheet = _sheet(book, action)
        index = int(action["index"])
        del sheet.rows[index : index + int(action.get("count", 1))]
        book.live_metadata()
    elif kind == "sort_range":
        sheet, r0, c0, r1, c1, _ = book.resolve(action["range"])
        column = action.get("column", 0)
        column = a1.col_index(column) if isinstance(column, str) else int(column)
        order = "ASCENDING" if action.get("ascending", True) else "DESCENDING"
        sort_rows(
            book,
            sheet,
            r0,
            c0,
            r1,
            c1,
            [{"dimensionIndex": column, "sortOrder": order}],
            fake.ws.config.sort_moves_row_metadata,
        )
    else:  # pragma: no cover - validate_action guards this
        raise ApiError(400, kind)
    _bump(fake, book.id)
    return None
