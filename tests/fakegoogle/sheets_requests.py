"""spreadsheets.batchUpdate request kinds. Unmodelled kinds answer 501 so a gap is never silent."""

from __future__ import annotations

import copy
import random
from typing import Any

from . import limits
from .errors import ApiError, bad_request
from .sheets_model import Spreadsheet


def apply_request(sheets, book: Spreadsheet, request: dict[str, Any], index: int) -> dict[str, Any]:
    if len(request) != 1:
        raise bad_request(f"Invalid requests[{index}]: exactly one request kind must be set.")
    ((kind, body),) = request.items()
    handler = _HANDLERS.get(kind)
    if handler is None:
        raise ApiError(
            501,
            f"fakegoogle does not model batchUpdate request {kind!r} (requests[{index}]).",
            reason="notImplemented",
        )
    try:
        reply = handler(sheets, book, body)
        limits.check_cell_total(book)  # grids grow by addSheet, insert/appendDimension, gridProperties
        return reply
    except ApiError as err:
        if not err.message.startswith("Invalid requests"):
            err.message = f"Invalid requests[{index}].{kind}: {err.message}"
            err.args = (err.message,)
        raise


def _add_sheet(sheets, book, body):
    sheet = book.new_sheet(body.get("properties"))
    return {"addSheet": {"properties": sheet.properties()}}


def _delete_sheet(sheets, book, body):
    sheet = book.sheet_by_id(int(body["sheetId"]))
    if len(book.sheets) == 1:
        raise bad_request("You can't remove all the sheets in a document.")
    book.sheets.remove(sheet)
    for meta in [m for m in book.metadata.values() if m["_where"].get("sheetId") == sheet.id]:
        del book.metadata[meta["metadataId"]]
    return {}


def _update_sheet_properties(sheets, book, body):
    from .sheets import apply_mask

    props = body.get("properties", {})
    sheet = book.sheet_by_id(int(props.get("sheetId", 0)))
    fields = body.get("fields")
    grid = props.get("gridProperties", {})
    if (
        ("rowCount" in grid or "columnCount" in grid)
        and fields
        and ("gridProperties" in fields or fields == "*")
    ):
        rows, cols = grid.get("rowCount", len(sheet.rows)), grid.get("columnCount", len(sheet.col_uids))
        if rows > len(sheet.rows):
            sheet.insert_rows(len(sheet.rows), rows - len(sheet.rows))
        else:
            del sheet.rows[rows:]
        if cols > len(sheet.col_uids):
            sheet.insert_cols(len(sheet.col_uids), cols - len(sheet.col_uids))
        elif cols < len(sheet.col_uids):
            sheet.delete_cols(cols, len(sheet.col_uids))
    if "title" in props and props["title"] != sheet.title and book.sheet_by_title(props["title"]):
        raise bad_request(f'A sheet with the name "{props["title"]}" already exists.')
    new = apply_mask(sheet.props, props, fields or "")
    new["sheetId"] = sheet.id
    new.get("gridProperties", {}).pop("rowCount", None)
    new.get("gridProperties", {}).pop("columnCount", None)
    sheet.props = new
    return {}


def _update_spreadsheet_properties(sheets, book, body):
    from .sheets import apply_mask

    book.properties = apply_mask(book.properties, body.get("properties", {}), body.get("fields", ""))
    file = sheets.ws.files.get(book.id)
    if file:
        file["name"] = book.properties.get("title", file["name"])
    return {}


def _update_cells(sheets, book, body):
    fields = body.get("fields", "")
    if "start" in body:
        start = body["start"]
        sheet = book.sheet_by_id(int(start.get("sheetId", 0)))
        r0, c0 = int(start.get("rowIndex", 0)), int(start.get("columnIndex", 0))
    else:
        sheet, r0, c0, _, _ = book.grid_range(body.get("range", {}))
    sheets._write_rowdata(book, sheet, r0, c0, body.get("rows", []), fields)
    return {}


def _repeat_cell(sheets, book, body):
    from .sheets import apply_mask

    sheet, r0, c0, r1, c1 = book.grid_range(body.get("range", {}))
    for r in range(r0, min(r1, len(sheet.rows))):
        for c in range(c0, min(c1, len(sheet.col_uids))):
            sheet.set_cell(r, c, apply_mask(sheet.cell(r, c), body.get("cell", {}), body.get("fields", "")))
    return {}


def _set_data_validation(sheets, book, body):
    sheet, r0, c0, r1, c1 = book.grid_range(body.get("range", {}))
    for r in range(r0, min(r1, len(sheet.rows))):
        for c in range(c0, min(c1, len(sheet.col_uids))):
            cell = dict(sheet.cell(r, c) or {})
            if body.get("rule"):
                cell["dataValidation"] = copy.deepcopy(body["rule"])
            else:
                cell.pop("dataValidation", None)
            sheet.set_cell(r, c, cell)
    return {}


def _add_protected_range(sheets, book, body):
    pr = copy.deepcopy(body.get("protectedRange", {}))
    sheet, *_ = book.grid_range(pr.get("range", {"sheetId": pr.get("range", {}).get("sheetId", 0)}))
    pr["protectedRangeId"] = pr.get("protectedRangeId") or random.randrange(1, 2**31 - 1)
    pr.setdefault("requestingUserCanEdit", True)
    sheet.protected_ranges.append(pr)
    return {"addProtectedRange": {"protectedRange": copy.deepcopy(pr)}}


def _add_conditional_format_rule(sheets, book, body):
    rule = copy.deepcopy(body.get("rule", {}))
    ranges = rule.get("ranges") or []
    if not ranges:
        raise bad_request("A conditional format rule needs at least one range.")
    sheet, *_ = book.grid_range(ranges[0])
    sheet.conditional_formats.insert(int(body.get("index", len(sheet.conditional_formats))), rule)
    return {}


def _merge_cells(sheets, book, body):
    """MERGE_ALL / MERGE_ROWS / MERGE_COLUMNS; like Sheets, only each merge's top-left value survives.

    Merges stay at their indexes: they do not follow inserted or deleted rows (not modelled)."""
    sheet, r0, c0, r1, c1 = book.grid_range(body.get("range", {}))
    r1, c1 = min(r1, len(sheet.rows)), min(c1, len(sheet.col_uids))
    kind = body.get("mergeType", "MERGE_ALL")
    if kind == "MERGE_ROWS":
        areas = [(r, c0, r + 1, c1) for r in range(r0, r1)]
    elif kind == "MERGE_COLUMNS":
        areas = [(r0, c, r1, c + 1) for c in range(c0, c1)]
    else:
        areas = [(r0, c0, r1, c1)]
    for a0, b0, a1, b1 in areas:
        for merge in sheet.merges:
            if (
                a0 < merge["endRowIndex"]
                and merge["startRowIndex"] < a1
                and b0 < merge["endColumnIndex"]
                and merge["startColumnIndex"] < b1
            ):
                raise bad_request("You can't merge cells that are already merged or overlap a merge.")
        for r in range(a0, a1):
            for c in range(b0, b1):
                if (r, c) != (a0, b0):
                    cell = dict(sheet.cell(r, c) or {})
                    cell.pop("userEnteredValue", None)
                    sheet.set_cell(r, c, cell)
        sheet.merges.append({"sheetId": sheet.id, "startRowIndex": a0, "endRowIndex": a1,
                             "startColumnIndex": b0, "endColumnIndex": b1})  # fmt: skip
    return {}


def _create_developer_metadata(sheets, book, body):
    meta = book.attach_metadata(body.get("developerMetadata", {}))
    return {"createDeveloperMetadata": {"developerMetadata": meta}}


def _delete_developer_metadata(sheets, book, body):
    data_filter = body.get("dataFilter", {})
    lookup = data_filter.get("developerMetadataLookup")
    if lookup is None:
        raise bad_request(
            "fakegoogle: deleteDeveloperMetadata supports developerMetadataLookup filters only."
        )
    deleted = [book.metadata_json(m) for m in book.match_lookup(lookup)]
    for meta in deleted:
        del book.metadata[meta["metadataId"]]
    return {"deleteDeveloperMetadata": {"deletedDeveloperMetadata": deleted}}


def _update_developer_metadata(sheets, book, body):
    from .sheets import apply_mask

    changed = []
    for data_filter in body.get("dataFilters", []):
        for meta in book.match_lookup(data_filter.get("developerMetadataLookup", {})):
            new = apply_mask(
                {k: v for k, v in meta.items() if not k.startswith("_")},
                body.get("developerMetadata", {}),
                body.get("fields", ""),
            )
            new.pop("location", None)
            meta.update({k: v for k, v in new.items() if k != "metadataId"})
            changed.append(book.metadata_json(meta))
    return {"updateDeveloperMetadata": {"developerMetadata": changed}}


def _dimension(book, rng):
    sheet = book.sheet_by_id(int(rng.get("sheetId", 0)))
    kind = rng.get("dimension")
    if kind not in ("ROWS", "COLUMNS"):
        raise bad_request("range.dimension must be ROWS or COLUMNS.")
    size = len(sheet.rows) if kind == "ROWS" else len(sheet.col_uids)
    start, end = int(rng.get("startIndex", 0)), int(rng.get("endIndex", size))
    return sheet, kind, start, end, size


def _insert_dimension(sheets, book, body):
    sheet, kind, start, end, size = _dimension(book, body.get("range", {}))
    if not 0 <= start < end or start > size:
        raise bad_request(f"Invalid range {start}..{end} for insertDimension on {size} {kind.lower()}.")
    if kind == "ROWS":
        sheet.insert_rows(start, end - start)
    else:
        sheet.insert_cols(start, end - start)
    return {}


def _delete_dimension(sheets, book, body):
    sheet, kind, start, end, size = _dimension(book, body.get("range", {}))
    if not 0 <= start < end <= size:
        raise bad_request(f"Invalid range {start}..{end} for deleteDimension on {size} {kind.lower()}.")
    if (end - start) == size:
        raise bad_request("You can't delete all the rows (or columns) in the sheet.")
    if kind == "ROWS":
        del sheet.rows[start:end]
    else:
        sheet.delete_cols(start, end)
    book.live_metadata()
    return {}


def _append_dimension(sheets, book, body):
    sheet = book.sheet_by_id(int(body.get("sheetId", 0)))
    if body.get("dimension") == "ROWS":
        sheet.insert_rows(len(sheet.rows), int(body.get("length", 0)))
    else:
        sheet.insert_cols(len(sheet.col_uids), int(body.get("length", 0)))
    return {}


def sort_rows(
    book: Spreadsheet, sheet, r0: int, c0: int, r1: int, c1: int, specs: list[dict[str, Any]], move_rows: bool
):
    """Stable multi-key sort of the cells inside the range (cells outside it stay put, as in Sheets).

    Whether row identities (and so row developer metadata) travel with the sorted cells is undocumented by
    Google: with ``move_rows`` (config ``sort_moves_row_metadata``, default on) they do; off, metadata stays
    at its index. A full-width sort always moves whole rows."""
    lookup = book.lookup_for(sheet)
    from . import cells

    def key(row):
        out = []
        for spec in specs:
            col = int(spec.get("dimensionIndex", 0))
            eff = cells.effective(row.cells.get(col), lookup) or {}
            if "numberValue" in eff:
                k = (0, eff["numberValue"], "")
            elif "stringValue" in eff and eff["stringValue"] != "":
                k = (1, 0, eff["stringValue"].lower())
            elif "boolValue" in eff:
                k = (2, int(eff["boolValue"]), "")
            else:
                k = (3, 0, "")  # empties last in both directions
            out.append((k, spec.get("sortOrder", "ASCENDING") == "DESCENDING"))
        return out

    r1 = min(r1, len(sheet.rows))
    segment = sheet.rows[r0:r1]
    ordered = segment
    for position in reversed(range(len(specs))):

        def one(row, p=position):
            return key(row)[p][0]

        desc = specs[position].get("sortOrder", "ASCENDING") == "DESCENDING"
        non_empty = [r for r in ordered if one(r)[0] != 3]
        empty = [r for r in ordered if one(r)[0] == 3]
        ordered = sorted(non_empty, key=one, reverse=desc) + empty
    if move_rows or (c0 == 0 and c1 >= len(sheet.col_uids)):
        outside = [{c: v for c, v in row.cells.items() if not c0 <= c < c1} for row in segment]
        sheet.rows[r0:r1] = ordered
        for row in ordered:
            row.cells = {c: v for c, v in row.cells.items() if c0 <= c < c1}
        for row, kept in zip(ordered, outside, strict=True):
            row.cells.update(kept)
    else:
        moved = [{c: row.cells.get(c) for c in range(c0, c1)} for row in ordered]
        for row, vals in zip(segment, moved, strict=True):
            for c, v in vals.items():
                if v is None:
                    row.cells.pop(c, None)
                else:
                    row.cells[c] = v


def _sort_range(sheets, book, body):
    sheet, r0, c0, r1, c1 = book.grid_range(body.get("range", {}))
    sort_rows(
        book, sheet, r0, c0, r1, c1, body.get("sortSpecs", []), sheets.ws.config.sort_moves_row_metadata
    )
    return {}


def _no_op(sheets, book, body):
    return {}  # presentation-only requests: accepted (validated by schema) and not stored


_HANDLERS = {
    "addSheet": _add_sheet,
    "deleteSheet": _delete_sheet,
    "updateSheetProperties": _update_sheet_properties,
    "updateSpreadsheetProperties": _update_spreadsheet_properties,
    "updateCells": _update_cells,
    "repeatCell": _repeat_cell,
    "setDataValidation": _set_data_validation,
    "addProtectedRange": _add_protected_range,
    "addConditionalFormatRule": _add_conditional_format_rule,
    "createDeveloperMetadata": _create_developer_metadata,
    "deleteDeveloperMetadata": _delete_developer_metadata,
    "updateDeveloperMetadata": _update_developer_metadata,
    "insertDimension": _insert_dimension,
    "deleteDimension": _delete_dimension,
    "appendDimension": _append_dimension,
    "sortRange": _sort_range,
    "autoResizeDimensions": _no_op,
    "updateDimensionProperties": _no_op,
    "updateBorders": _no_op,
    "mergeCells": _merge_cells,
}
