"""The spreadsheet data model: sheets as lists of rows with stable identities.

Rows and columns carry uids so developer metadata attached to a row (or column) follows it through
inserts, deletes and sorts by construction: its location is recomputed from where its uids are now.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field
from typing import Any

from . import a1, cells
from .errors import bad_request, not_found

_uids = itertools.count(1)


def new_uid() -> int:
    return next(_uids)


@dataclass
class Row:
    uid: int = field(default_factory=new_uid)
    cells: dict[int, dict[str, Any]] = field(default_factory=dict)


@dataclass
class Sheet:
    props: dict[str, Any]
    rows: list[Row]
    col_uids: list[int]
    protected_ranges: list[dict[str, Any]] = field(default_factory=list)
    conditional_formats: list[dict[str, Any]] = field(default_factory=list)
    merges: list[dict[str, Any]] = field(default_factory=list)  # GridRanges, at fixed indexes

    @property
    def id(self) -> int:
        return self.props["sheetId"]

    @property
    def title(self) -> str:
        return self.props["title"]

    def properties(self) -> dict[str, Any]:
        props = dict(self.props)
        grid = dict(props.get("gridProperties", {}))
        grid["rowCount"] = len(self.rows)
        grid["columnCount"] = len(self.col_uids)
        props["gridProperties"] = grid
        return props

    def cell(self, row: int, col: int) -> dict[str, Any] | None:
        if 0 <= row < len(self.rows):
            return self.rows[row].cells.get(col)
        return None

    def set_cell(self, row: int, col: int, data: dict[str, Any] | None) -> None:
        cells_ = self.rows[row].cells
        if data:
            cells_[col] = data
        else:
            cells_.pop(col, None)

    def insert_rows(self, start: int, count: int) -> None:
        self.rows[start:start] = [Row() for _ in range(count)]

    def insert_cols(self, start: int, count: int) -> None:
        self.col_uids[start:start] = [new_uid() for _ in range(count)]
        for row in self.rows:
            row.cells = {(c + count if c >= start else c): v for c, v in row.cells.items()}

    def delete_cols(self, start: int, end: int) -> None:
        del self.col_uids[start:end]
        width = end - start
        for row in self.rows:
            row.cells = {
                (c - width if c >= end else c): v for c, v in row.cells.items() if not start <= c < end
            }


@dataclass
class Spreadsheet:
    id: str
    properties: dict[str, Any]
    sheets: list[Sheet] = field(default_factory=list)
    metadata: dict[int, dict[str, Any]] = field(default_factory=dict)  # id -> stored metadata
    next_metadata_id: int = 1

    @property
    def locale(self) -> str:
        return self.properties.get("locale", "ru_RU")

    def sheet_by_id(self, sheet_id: int) -> Sheet:
        for sheet in self.sheets:
            if sheet.id == sheet_id:
                return sheet
        raise bad_request(f"No grid with id: {sheet_id}")

    def sheet_by_title(self, title: str) -> Sheet | None:
        for sheet in self.sheets:
            if sheet.title == title:
                return sheet
        return None

    def new_sheet(self, props: dict[str, Any] | None = None, rows: int = 1000, cols: int = 26) -> Sheet:
        props = dict(props or {})
        grid = dict(props.get("gridProperties", {}))
        rows = int(grid.pop("rowCount", rows))
        cols = int(grid.pop("columnCount", cols))
        used = {s.id for s in self.sheets}
        sheet_id = props.get("sheetId")
        if sheet_id is None:
            sheet_id = 0 if not used else random.randrange(1, 2**31 - 1)
        elif sheet_id in used:
            raise bad_request(f"Invalid requests[0].addSheet: A sheet with the id {sheet_id} already exists.")
        title = props.get("title") or self._free_title()
        if self.sheet_by_title(title):
            raise bad_request(
                f'Invalid requests[0].addSheet: A sheet with the name "{title}" already '
                "exists. Please enter another name."
            )
        props.update(sheetId=sheet_id, title=title, sheetType="GRID")
        props["gridProperties"] = grid
        props.setdefault("index", len(self.sheets))
        sheet = Sheet(props, [Row() for _ in range(rows)], [new_uid() for _ in range(cols)])
        self.sheets.insert(min(props["index"], len(self.sheets)), sheet)
        for i, s in enumerate(self.sheets):
            s.props["index"] = i
        return sheet

    def _free_title(self) -> str:
        base = "Лист" if self.locale.startswith("ru") else "Sheet"
        for n in itertools.count(1):
            if not self.sheet_by_title(f"{base}{n}"):
                return f"{base}{n}"
        raise AssertionError("unreachable")

    # -- ranges ---------------------------------------------------------------------------------------
    def resolve(self, text: str) -> tuple[Sheet, int, int, int, int, bool]:
        """A1 text → (sheet, row0, col0, row1, col1, single_cell), clipped to the grid for open ends."""
        sheet = self.sheet_by_title(text)  # a bare sheet title wins over cell-like parsing
        if sheet is not None:
            return sheet, 0, 0, len(sheet.rows), len(sheet.col_uids), False
        parsed = a1.parse(text)
        if parsed.sheet is None:
            sheet = self.sheets[0]
        else:
            sheet = self.sheet_by_title(parsed.sheet)
            if sheet is None:
                raise bad_request(f"Unable to parse range: {text}")
        single = (
            parsed.row1 is not None
            and parsed.row0 is not None
            and parsed.row1 - parsed.row0 == 1
            and parsed.col1 is not None
            and parsed.col0 is not None
            and parsed.col1 - parsed.col0 == 1
            and ":" not in text.rsplit("!", 1)[-1]
        )
        row0 = parsed.row0 or 0
        col0 = parsed.col0 or 0
        row1 = parsed.row1 if parsed.row1 is not None else len(sheet.rows)
        col1 = parsed.col1 if parsed.col1 is not None else len(sheet.col_uids)
        return sheet, row0, col0, row1, col1, single

    def grid_range(self, grid: dict[str, Any]) -> tuple[Sheet, int, int, int, int]:
        sheet = self.sheet_by_id(int(grid.get("sheetId", 0)))
        return (
            sheet,
            int(grid.get("startRowIndex", 0)),
            int(grid.get("startColumnIndex", 0)),
            int(grid.get("endRowIndex", len(sheet.rows))),
            int(grid.get("endColumnIndex", len(sheet.col_uids))),
        )

    def lookup_for(self, sheet: Sheet):
        return lambda letters, row: sheet.cell(row - 1, a1.col_index(letters))

    def read(
        self,
        sheet: Sheet,
        row0: int,
        col0: int,
        row1: int,
        col1: int,
        value_option: str,
        date_option: str,
        major: str,
    ) -> list[list[Any]]:
        lookup = self.lookup_for(sheet)
        row1, col1 = min(row1, len(sheet.rows)), min(col1, len(sheet.col_uids))
        grid = [
            [
                cells.render(sheet.cell(r, c), value_option, date_option, self.locale, lookup)
                for c in range(col0, col1)
            ]
            for r in range(row0, row1)
        ]
        if major == "COLUMNS":
            grid = [list(col) for col in zip(*grid, strict=True)] if grid else []
        trimmed = []
        for line in grid:  # Google drops trailing empty cells and trailing empty rows
            while line and line[-1] is None:
                line.pop()
            trimmed.append(["" if v is None else v for v in line])
        while trimmed and not trimmed[-1]:
            trimmed.pop()
        return trimmed

    # -- developer metadata ---------------------------------------------------------------------------
    def metadata_location(self, meta: dict[str, Any]) -> dict[str, Any] | None:
        where = meta["_where"]
        if where["kind"] == "spreadsheet":
            return {"locationType": "SPREADSHEET", "spreadsheet": True}
        if where["kind"] == "sheet":
            return {"locationType": "SHEET", "sheetId": where["sheetId"]}
        sheet = self.sheet_by_id(where["sheetId"])
        uids = [r.uid for r in sheet.rows] if where["kind"] == "ROWS" else sheet.col_uids
        positions = sorted(i for i, uid in enumerate(uids) if uid in where["uids"])
        if not positions:
            return None
        return {
            "locationType": where["kind"][:-1],
            "dimensionRange": {
                "sheetId": sheet.id,
                "dimension": where["kind"],
                "startIndex": positions[0],
                "endIndex": positions[-1] + 1,
            },
        }

    def metadata_json(self, meta: dict[str, Any]) -> dict[str, Any]:
        out = {k: v for k, v in meta.items() if not k.startswith("_")}
        out["location"] = self.metadata_location(meta)
        return out

    def live_metadata(self) -> list[dict[str, Any]]:
        """Metadata whose rows/columns still exist (deleting the last row deletes the metadata)."""
        dead = [mid for mid, m in self.metadata.items() if self.metadata_location(m) is None]
        for mid in dead:
            del self.metadata[mid]
        return list(self.metadata.values())

    def attach_metadata(self, body: dict[str, Any]) -> dict[str, Any]:
        location = body.get("location") or {}
        if location.get("spreadsheet"):
            where: dict[str, Any] = {"kind": "spreadsheet"}
        elif "sheetId" in location:
            self.sheet_by_id(location["sheetId"])
            where = {"kind": "sheet", "sheetId": location["sheetId"]}
        elif "dimensionRange" in location:
            dim = location["dimensionRange"]
            sheet = self.sheet_by_id(int(dim.get("sheetId", 0)))
            kind = dim.get("dimension")
            if kind not in ("ROWS", "COLUMNS"):
                raise bad_request("Invalid dimensionRange: dimension must be ROWS or COLUMNS.")
            uids = [r.uid for r in sheet.rows] if kind == "ROWS" else sheet.col_uids
            start, end = int(dim.get("startIndex", 0)), int(dim.get("endIndex", len(uids)))
            if not 0 <= start < end <= len(uids):
                raise bad_request(f"Invalid dimensionRange {start}..{end} for a grid of {len(uids)}.")
            where = {"kind": kind, "sheetId": sheet.id, "uids": set(uids[start:end])}
        else:
            raise bad_request("Developer metadata needs a location (spreadsheet, sheetId or dimensionRange).")
        if "visibility" not in body:
            raise bad_request("Developer metadata visibility must be specified.")
        mid = body.get("metadataId")
        if mid is None:
            mid = self.next_metadata_id
        elif int(mid) in self.metadata:
            raise bad_request(f"Developer metadata with ID {mid} already exists.")
        self.next_metadata_id = max(self.next_metadata_id, int(mid)) + 1
        meta = {
            "metadataId": int(mid),
            "metadataKey": body.get("metadataKey", ""),
            "visibility": body["visibility"],
            "_where": where,
        }
        if "metadataValue" in body:
            meta["metadataValue"] = body["metadataValue"]
        self.metadata[int(mid)] = meta
        return self.metadata_json(meta)

    def match_lookup(self, lookup: dict[str, Any]) -> list[dict[str, Any]]:
        found = []
        for meta in self.live_metadata():
            if "metadataId" in lookup and int(lookup["metadataId"]) != meta["metadataId"]:
                continue
            if "metadataKey" in lookup and lookup["metadataKey"] != meta["metadataKey"]:
                continue
            if "metadataValue" in lookup and lookup["metadataValue"] != meta.get("metadataValue"):
                continue
            if "visibility" in lookup and lookup["visibility"] != meta["visibility"]:
                continue
            location = self.metadata_location(meta) or {}
            if "locationType" in lookup and lookup["locationType"] != location.get("locationType"):
                continue
            wanted = lookup.get("metadataLocation")
            if wanted and not _location_matches(wanted, location):
                continue
            found.append(meta)
        return found

    def filter_ranges(self, data_filter: dict[str, Any]) -> list[tuple[Sheet, int, int, int, int]]:
        """The grid ranges a DataFilter designates (a1Range, gridRange or developerMetadataLookup)."""
        if "a1Range" in data_filter:
            sheet, r0, c0, r1, c1, _ = self.resolve(data_filter["a1Range"])
            return [(sheet, r0, c0, r1, c1)]
        if "gridRange" in data_filter:
            return [self.grid_range(data_filter["gridRange"])]
        if "developerMetadataLookup" in data_filter:
            out = []
            for meta in self.match_lookup(data_filter["developerMetadataLookup"]):
                location = self.metadata_location(meta) or {}
                if "dimensionRange" in location:
                    dim = location["dimensionRange"]
                    sheet = self.sheet_by_id(dim["sheetId"])
                    if dim["dimension"] == "ROWS":
                        out.append((sheet, dim["startIndex"], 0, dim["endIndex"], len(sheet.col_uids)))
                    else:
                        out.append((sheet, 0, dim["startIndex"], len(sheet.rows), dim["endIndex"]))
                elif location.get("locationType") == "SHEET":
                    sheet = self.sheet_by_id(location["sheetId"])
                    out.append((sheet, 0, 0, len(sheet.rows), len(sheet.col_uids)))
            return out
        raise bad_request("A DataFilter needs one of a1Range, gridRange or developerMetadataLookup.")


def _location_matches(wanted: dict[str, Any], actual: dict[str, Any]) -> bool:
    if wanted.get("spreadsheet"):
        return actual.get("locationType") == "SPREADSHEET"
    if "sheetId" in wanted:
        return actual.get("sheetId") == wanted["sheetId"]
    if "dimensionRange" in wanted:
        want, have = wanted["dimensionRange"], actual.get("dimensionRange") or {}
        return all(have.get(k) == v for k, v in want.items())
    return True


def require_sheet(book: Spreadsheet | None, spreadsheet_id: str) -> Spreadsheet:
    if book is None:
        raise not_found("Requested entity was not found.")
    return book
