"""Sheets v4 behaviour: spreadsheets.get/create, values.*, batchUpdate, developer metadata."""

from __future__ import annotations

import copy
from typing import Any

from . import a1, cells, limits
from .core import Call, Dispatcher
from .errors import ApiError, bad_request, not_found
from .sheets_model import Sheet, Spreadsheet
from .workspace import Workspace, drive_id

SPREADSHEET_MIME = "application/vnd.google-apps.spreadsheet"


class Sheets:
    def __init__(self, ws: Workspace) -> None:
        self.ws = ws

    def register(self, d: Dispatcher) -> None:
        p = "sheets.spreadsheets."
        for name, fn in {
            "create": self.create,
            "get": self.get,
            "batchUpdate": self.batch_update,
            "values.get": self.values_get,
            "values.batchGet": self.values_batch_get,
            "values.update": self.values_update,
            "values.batchUpdate": self.values_batch_update,
            "values.append": self.values_append,
            "values.clear": self.values_clear,
            "values.batchClear": self.values_batch_clear,
            "developerMetadata.search": self.metadata_search,
            "developerMetadata.get": self.metadata_get,
            "values.batchGetByDataFilter": self.values_get_by_filter,
            "values.batchUpdateByDataFilter": self.values_update_by_filter,
        }.items():
            d.handlers[p + name] = fn

    # -- spreadsheets ---------------------------------------------------------------------------------
    def book(self, spreadsheet_id: str) -> Spreadsheet:
        book = self.ws.spreadsheets.get(spreadsheet_id)
        if book is None or self.ws.files.get(spreadsheet_id, {}).get("_deleted"):
            raise not_found("Requested entity was not found.")
        return book

    def new_book(self, body: dict[str, Any] | None, book_id: str | None = None) -> Spreadsheet:
        body = body or {}
        props = {
            "title": "Untitled spreadsheet",
            "locale": self.ws.config.default_locale,
            "timeZone": self.ws.config.default_time_zone,
            "autoRecalc": "ON_CHANGE",
        }
        props.update(body.get("properties", {}))
        book = Spreadsheet(book_id or drive_id(), props)
        for spec in body.get("sheets") or [{}]:
            sheet = book.new_sheet(spec.get("properties"))
            for block in spec.get("data", []):
                self._write_rowdata(
                    book,
                    sheet,
                    block.get("startRow", 0),
                    block.get("startColumn", 0),
                    block.get("rowData", []),
                    "*",
                )
        for meta in body.get("developerMetadata", []):
            book.attach_metadata(meta)
        limits.check_cell_total(book)
        self.ws.spreadsheets[book.id] = book
        return book

    def create(self, call: Call) -> dict[str, Any]:
        book = self.create_book(call.body, call.principal.user)
        return self.render_book(book, include_grid=False)

    def create_book(self, body: dict[str, Any], owner: str) -> Spreadsheet:
        """A new spreadsheet, and the Drive file that every spreadsheet also is."""
        book = self.new_book(body)
        now = self.ws.now_iso()
        self.ws.files[book.id] = {
            "kind": "drive#file",
            "id": book.id,
            "name": book.properties["title"],
            "mimeType": SPREADSHEET_MIME,
            "parents": [],
            "appProperties": {},
            "properties": {},
            "trashed": False,
            "createdTime": now,
            "modifiedTime": now,
            "version": "1",
            "owners": [{"emailAddress": owner}],
            "webViewLink": f"https://docs.google.com/spreadsheets/d/{book.id}/edit?usp=drivesdk",
        }
        return book

    def render_book(self, book: Spreadsheet, include_grid: bool, ranges: list[str] | None = None):
        metas = book.live_metadata()
        out_sheets = []
        wanted: dict[int, list[tuple[int, int, int, int]]] = {}
        for text in ranges or []:
            sheet, r0, c0, r1, c1, _ = book.resolve(text)
            wanted.setdefault(sheet.id, []).append((r0, c0, r1, c1))
        for sheet in book.sheets:
            if ranges and sheet.id not in wanted:
                continue
            entry: dict[str, Any] = {"properties": sheet.properties()}
            if sheet.protected_ranges:
                entry["protectedRanges"] = copy.deepcopy(sheet.protected_ranges)
            if sheet.conditional_formats:
                entry["conditionalFormats"] = copy.deepcopy(sheet.conditional_formats)
            if sheet.merges:
                entry["merges"] = copy.deepcopy(sheet.merges)
            sheet_meta = [book.metadata_json(m) for m in metas if m["_where"].get("sheetId") == sheet.id]
            if sheet_meta:
                entry["developerMetadata"] = sheet_meta
            if include_grid:
                blocks = wanted.get(sheet.id) or [(0, 0, len(sheet.rows), len(sheet.col_uids))]
                entry["data"] = [self._grid_data(book, sheet, *b) for b in blocks]
            out_sheets.append(entry)
        out: dict[str, Any] = {
            "spreadsheetId": book.id,
            "properties": copy.deepcopy(book.properties),
            "sheets": out_sheets,
            "spreadsheetUrl": f"https://docs.google.com/spreadsheets/d/{book.id}/edit",
        }
        top = [book.metadata_json(m) for m in metas if m["_where"]["kind"] == "spreadsheet"]
        if top:
            out["developerMetadata"] = top
        return out

    def _grid_data(self, book: Spreadsheet, sheet: Sheet, r0: int, c0: int, r1: int, c1: int):
        lookup = book.lookup_for(sheet)
        rows = []
        for r in range(r0, min(r1, len(sheet.rows))):
            values = []
            for c in range(c0, min(c1, len(sheet.col_uids))):
                cell = copy.deepcopy(sheet.cell(r, c) or {})
                if "userEnteredValue" in cell:
                    eff = cells.effective(cell, lookup) or {}
                    cell["effectiveValue"] = eff
                    fmt = (cell.get("userEnteredFormat") or {}).get("numberFormat")
                    cell["formattedValue"] = cells.formatted(eff, fmt, book.locale)
                    if cell.get("userEnteredFormat"):
                        # what Sheets applies (defaults omitted): readers take number types from here
                        cell["effectiveFormat"] = copy.deepcopy(cell["userEnteredFormat"])
                values.append(cell)
            while values and not values[-1]:
                values.pop()
            rows.append({"values": values} if values else {})
        while rows and not rows[-1]:
            rows.pop()
        return {"startRow": r0, "startColumn": c0, "rowData": rows}

    def get(self, call: Call) -> dict[str, Any]:
        book = self.book(call.path_params["spreadsheetId"])
        return self.render_book(book, bool(call.query.get("includeGridData")), call.query.get("ranges"))

    # -- values ---------------------------------------------------------------------------------------
    def _value_range(self, book, sheet, r0, c0, r1, c1, q: dict[str, Any]) -> dict[str, Any]:
        major = q.get("majorDimension", "ROWS")
        values = book.read(
            sheet,
            r0,
            c0,
            r1,
            c1,
            q.get("valueRenderOption", "FORMATTED_VALUE"),
            q.get("dateTimeRenderOption", "SERIAL_NUMBER"),
            major,
        )
        r1, c1 = min(r1, len(sheet.rows)), min(c1, len(sheet.col_uids))
        out: dict[str, Any] = {"range": a1.format_range(sheet.title, r0, c0, r1, c1), "majorDimension": major}
        if values:
            out["values"] = values
        return out

    def values_get(self, call: Call) -> dict[str, Any]:
        book = self.book(call.path_params["spreadsheetId"])
        sheet, r0, c0, r1, c1, _ = book.resolve(call.path_params["range"])
        return self._value_range(book, sheet, r0, c0, r1, c1, call.query)

    def values_batch_get(self, call: Call) -> dict[str, Any]:
        book = self.book(call.path_params["spreadsheetId"])
        out = []
        for text in call.query.get("ranges", []):
            sheet, r0, c0, r1, c1, _ = book.resolve(text)
            out.append(self._value_range(book, sheet, r0, c0, r1, c1, call.query))
        return {"spreadsheetId": book.id, "valueRanges": out}

    def write_values(
        self,
        book: Spreadsheet,
        text_or_rect,
        values: list[list[Any]],
        input_option: str,
        major: str = "ROWS",
        grow: bool = False,
    ) -> dict[str, Any]:
        if input_option not in ("RAW", "USER_ENTERED"):
            raise bad_request(
                "Invalid valueInputOption: 'INPUT_VALUE_OPTION_UNSPECIFIED'", reason="badRequest"
            )
        if isinstance(text_or_rect, str):
            sheet, r0, c0, r1, c1, single = book.resolve(text_or_rect)
            label = text_or_rect
        else:
            sheet, r0, c0, r1, c1 = text_or_rect
            single, label = False, a1.format_range(sheet.title, r0, c0, r1, c1)
        if values and not isinstance(values[0], list):
            raise bad_request("Invalid values: expected a list of lists.", reason="invalid")
        limits.check_values(values)
        if major == "COLUMNS":
            width = max((len(v) for v in values), default=0)
            values = [[col[i] if i < len(col) else None for col in values] for i in range(width)]
        height = len(values)
        width = max((len(v) for v in values), default=0)
        if not single:
            if height > r1 - r0:
                raise bad_request(
                    f"Requested writing within range [{label}], but tried writing to row [{r0 + height}]"
                )
            if width > c1 - c0:
                raise bad_request(
                    f"Requested writing within range [{label}], but tried writing to column "
                    f"[{a1.col_letter(c0 + width - 1)}]"
                )
        if grow:
            if r0 + height > len(sheet.rows):
                sheet.insert_rows(len(sheet.rows), r0 + height - len(sheet.rows))
            if c0 + width > len(sheet.col_uids):
                sheet.insert_cols(len(sheet.col_uids), c0 + width - len(sheet.col_uids))
        if r0 + max(height, 1) > len(sheet.rows) or c0 + max(width, 1) > len(sheet.col_uids):
            raise bad_request(
                f"Range ({a1.quote_sheet(sheet.title)}!{a1.col_letter(c0 + max(width, 1) - 1)}"
                f"{r0 + max(height, 1)}) exceeds grid limits. Max rows: {len(sheet.rows)}, "
                f"max columns: {len(sheet.col_uids)}"
            )
        updated = 0
        for i, line in enumerate(values):
            for j, value in enumerate(line):
                if value is None:
                    continue  # null leaves the cell alone
                self._set_value(book, sheet, r0 + i, c0 + j, value, input_option)
                updated += 1
        out: dict[str, Any] = {"spreadsheetId": book.id}
        if height and width:
            out.update(
                updatedRange=a1.format_range(sheet.title, r0, c0, r0 + height, c0 + width),
                updatedRows=height,
                updatedColumns=width,
                updatedCells=updated,
            )
        else:
            out["updatedRange"] = a1.format_range(sheet.title, r0, c0, r0 + 1, c0 + 1)
        return out

    def _set_value(self, book: Spreadsheet, sheet: Sheet, row: int, col: int, value: Any, option: str):
        if isinstance(value, dict | list):
            raise bad_request(
                f"Invalid values[{row}][{col}]: list_value/struct_value are not accepted.", reason="invalid"
            )
        cell = dict(sheet.cell(row, col) or {})
        if option == "RAW":
            uev, fmt = cells.raw(value), None
        else:
            uev, fmt = cells.user_entered(value, book.locale)
        if uev is None:
            cell.pop("userEnteredValue", None)
        else:
            cell["userEnteredValue"] = uev
        if fmt:
            cell.setdefault("userEnteredFormat", {})["numberFormat"] = fmt
        sheet.set_cell(row, col, cell)

    def _updated(self, book: Spreadsheet) -> None:
        file = self.ws.files.get(book.id)
        if file:
            file["modifiedTime"] = self.ws.now_iso()
            file["version"] = str(int(file["version"]) + 1)

    def values_update(self, call: Call) -> dict[str, Any]:
        book = self.book(call.path_params["spreadsheetId"])
        body = call.body or {}
        if "range" in body and body["range"] != call.path_params["range"]:
            raise bad_request(
                f"Requested entity range {body['range']} does not match URL range "
                f"{call.path_params['range']}."
            )
        option = call.query.get("valueInputOption")
        if option is None:
            raise ApiError(400, "'valueInputOption' is required but not specified", reason="required")
        out = self.write_values(
            book,
            call.path_params["range"],
            body.get("values", []),
            option,
            body.get("majorDimension", "ROWS"),
        )
        self._updated(book)
        return self._with_values(book, out, call.query)

    def _with_values(self, book, out, q) -> dict[str, Any]:
        if q.get("includeValuesInResponse"):
            sheet, r0, c0, r1, c1, _ = book.resolve(out["updatedRange"])
            out["updatedData"] = self._value_range(
                book,
                sheet,
                r0,
                c0,
                r1,
                c1,
                {
                    "valueRenderOption": q.get("responseValueRenderOption", "FORMATTED_VALUE"),
                    "dateTimeRenderOption": q.get("responseDateTimeRenderOption", "SERIAL_NUMBER"),
                },
            )
        return out

    def values_batch_update(self, call: Call) -> dict[str, Any]:
        book = self.book(call.path_params["spreadsheetId"])
        body = call.body or {}
        option = body.get("valueInputOption")
        for i, vr in enumerate(body.get("data", [])):
            limits.check_values(vr.get("values", []), f"data[{i}]")
        responses = [
            self.write_values(
                book, vr["range"], vr.get("values", []), option, vr.get("majorDimension", "ROWS")
            )
            for vr in body.get("data", [])
        ]
        self._updated(book)
        if body.get("includeValuesInResponse"):
            # Google: "the values of the cells after updates were applied"; where the range to write was
            # larger than what was written (null values are skipped), all values of the requested range.
            read = {
                "valueRenderOption": body.get("responseValueRenderOption", "FORMATTED_VALUE"),
                "dateTimeRenderOption": body.get("responseDateTimeRenderOption", "SERIAL_NUMBER"),
            }
            for vr, out in zip(body.get("data", []), responses, strict=True):
                sheet, r0, c0, r1, c1, single = book.resolve(vr["range"])
                if single:  # one cell names the corner of what was written
                    _, r0, c0, r1, c1, _ = book.resolve(out["updatedRange"])
                out["updatedData"] = self._value_range(book, sheet, r0, c0, r1, c1, read)
        return {"spreadsheetId": book.id, **_totals(responses), "responses": responses}

    def values_append(self, call: Call) -> dict[str, Any]:
        book = self.book(call.path_params["spreadsheetId"])
        sheet, r0, c0, r1, c1, single = book.resolve(call.path_params["range"])
        option = call.query.get("valueInputOption")
        if option is None:
            raise ApiError(400, "'valueInputOption' is required but not specified", reason="required")
        values = (call.body or {}).get("values", [])
        if single:  # one cell names the table's corner: the table spans every column to the right
            r1, c1 = len(sheet.rows), len(sheet.col_uids)
        # The "table" is the contiguous block of non-empty rows starting at the range's first row (Google
        # appends right after it; gspread's insert_row relies on an empty first row meaning "write here").
        last, right = r0 - 1, c0
        for r in range(r0, min(r1, len(sheet.rows))):
            used = [c for c in range(c0, c1) if "userEnteredValue" in (sheet.cell(r, c) or {})]
            if not used:
                break
            last, right = r, max(right, used[-1] + 1)
        start = last + 1
        if call.query.get("insertDataOption") == "INSERT_ROWS" and values:
            sheet.insert_rows(min(start, len(sheet.rows)), len(values))
        updates = self.write_values(
            book,
            (sheet, start, c0, start + len(values), c0 + max((len(v) for v in values), default=1)),
            values,
            option,
            grow=True,
        )
        limits.check_cell_total(book)
        out: dict[str, Any] = {"spreadsheetId": book.id, "updates": updates}
        if last >= r0:
            out["tableRange"] = a1.format_range(sheet.title, r0, c0, last + 1, right)
        self._updated(book)
        return out

    def _clear(self, book: Spreadsheet, sheet: Sheet, r0: int, c0: int, r1: int, c1: int) -> str:
        for r in range(r0, min(r1, len(sheet.rows))):
            for c in range(c0, min(c1, len(sheet.col_uids))):
                cell = sheet.cell(r, c)
                if cell and "userEnteredValue" in cell:
                    cell = dict(cell)
                    cell.pop("userEnteredValue")
                    sheet.set_cell(r, c, cell)
        return a1.format_range(sheet.title, r0, c0, min(r1, len(sheet.rows)), min(c1, len(sheet.col_uids)))

    def values_clear(self, call: Call) -> dict[str, Any]:
        book = self.book(call.path_params["spreadsheetId"])
        sheet, r0, c0, r1, c1, _ = book.resolve(call.path_params["range"])
        cleared = self._clear(book, sheet, r0, c0, r1, c1)
        self._updated(book)
        return {"spreadsheetId": book.id, "clearedRange": cleared}

    def values_batch_clear(self, call: Call) -> dict[str, Any]:
        book = self.book(call.path_params["spreadsheetId"])
        cleared = [self._clear(book, *book.resolve(t)[:5]) for t in (call.body or {}).get("ranges", [])]
        self._updated(book)
        return {"spreadsheetId": book.id, "clearedRanges": cleared}

    # -- developer metadata and data filters ----------------------------------------------------------
    def metadata_search(self, call: Call) -> dict[str, Any]:
        book = self.book(call.path_params["spreadsheetId"])
        matched: dict[int, dict[str, Any]] = {}
        for data_filter in (call.body or {}).get("dataFilters", []):
            lookup = data_filter.get("developerMetadataLookup")
            if lookup is None:
                raise bad_request(
                    "fakegoogle: developerMetadata.search supports developerMetadataLookup only."
                )
            for meta in book.match_lookup(lookup):
                entry = matched.setdefault(
                    meta["metadataId"], {"developerMetadata": book.metadata_json(meta), "dataFilters": []}
                )
                entry["dataFilters"].append(data_filter)
        return {"matchedDeveloperMetadata": list(matched.values())} if matched else {}

    def metadata_get(self, call: Call) -> dict[str, Any]:
        book = self.book(call.path_params["spreadsheetId"])
        book.live_metadata()
        meta = book.metadata.get(int(call.path_params["metadataId"]))
        if meta is None:
            raise not_found(f"No developer metadata with ID: {call.path_params['metadataId']}")
        return book.metadata_json(meta)

    def values_get_by_filter(self, call: Call) -> dict[str, Any]:
        book = self.book(call.path_params["spreadsheetId"])
        body = call.body or {}
        out = []
        for data_filter in body.get("dataFilters", []):
            for rect in book.filter_ranges(data_filter):
                vr = self._value_range(book, *rect, body)
                out.append({"valueRange": vr, "dataFilters": [data_filter]})
        return {"spreadsheetId": book.id, "valueRanges": out}

    def values_update_by_filter(self, call: Call) -> dict[str, Any]:
        book = self.book(call.path_params["spreadsheetId"])
        body = call.body or {}
        responses = []
        for item in body.get("data", []):
            rects = book.filter_ranges(item.get("dataFilter", {}))
            if not rects:
                continue  # Google silently skips filters that match nothing
            resp = self.write_values(
                book,
                rects[0],
                item.get("values", []),
                body.get("valueInputOption"),
                item.get("majorDimension", "ROWS"),
            )
            resp["dataFilter"] = item.get("dataFilter")
            responses.append(resp)
        self._updated(book)
        return {"spreadsheetId": book.id, **_totals(responses), "responses": responses}

    # -- batchUpdate ----------------------------------------------------------------------------------
    def batch_update(self, call: Call) -> dict[str, Any]:
        from .sheets_requests import apply_request

        book = self.book(call.path_params["spreadsheetId"])
        body = call.body or {}
        requests = body.get("requests", [])
        if not requests:
            raise bad_request("Must specify at least one request.")
        snapshot = copy.deepcopy(book)  # all-or-nothing like Google
        try:
            replies = [apply_request(self, book, req, i) for i, req in enumerate(requests)]
        except ApiError:
            self.ws.spreadsheets[book.id] = snapshot
            raise
        self._updated(book)
        out: dict[str, Any] = {"spreadsheetId": book.id, "replies": replies}
        if body.get("includeSpreadsheetInResponse"):
            out["updatedSpreadsheet"] = self.render_book(book, bool(body.get("responseIncludeGridData")))
        return out

    def _write_rowdata(self, book, sheet, r0, c0, rows, fields: str) -> None:
        limits.check_row_data(rows)
        for i, row in enumerate(rows):
            for j, data in enumerate(row.get("values", [])):
                if r0 + i >= len(sheet.rows) or c0 + j >= len(sheet.col_uids):
                    raise bad_request("Range exceeds grid limits.")
                sheet.set_cell(r0 + i, c0 + j, apply_mask(sheet.cell(r0 + i, c0 + j), data, fields))


def apply_mask(old: dict[str, Any] | None, new: dict[str, Any], fields: str) -> dict[str, Any]:
    """Copy the masked fields of ``new`` over ``old`` (absent in ``new`` → cleared), like Google."""
    cell = copy.deepcopy(old or {})
    if not fields:
        raise bad_request("At least one field must be specified in 'fields'.")
    if fields.strip() == "*":
        return copy.deepcopy(new)
    for path in (p.strip() for p in fields.split(",")):
        keys = path.split(".")
        src: Any = new
        for k in keys:
            src = src.get(k) if isinstance(src, dict) else None
        dst = cell
        for k in keys[:-1]:
            dst = dst.setdefault(k, {})
        if src is None:
            dst.pop(keys[-1], None)
        else:
            dst[keys[-1]] = copy.deepcopy(src)
    return cell


def _totals(responses: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "totalUpdatedRows": sum(r.get("updatedRows", 0) for r in responses),
        "totalUpdatedColumns": sum(r.get("updatedColumns", 0) for r in responses),
        "totalUpdatedCells": sum(r.get("updatedCells", 0) for r in responses),
        "totalUpdatedSheets": len(
            {r["updatedRange"].rsplit("!", 1)[0] for r in responses if "updatedRange" in r}
        ),
    }
