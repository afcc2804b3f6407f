"""Google's documented limits, enforced the way Google answers them (see LIMITS.md for every source).

Each function here is one row of LIMITS.md: the per-API modules call them at the point where Google
applies the rule, so a product that passes against the fake stays inside what real Google accepts.
Where Google's answer is silent (Calendar drops long property keys and truncates long values without a
word), the fake is silent too — that is what makes the product's normalisation testable.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from typing import Any

from .errors import ApiError, bad_request

# -- Drive ---------------------------------------------------------------------------------------------------
PROPERTY_BYTES = 124  # key + value, UTF-8, per entry (drive.v2.json `Property`)
PROPERTIES_PER_APP = 30  # private (appProperties) per app; public (properties) per file
FILE_NAME_CHARS = 1024  # rclone/rclone#3884: 1025 characters fail, 1024 work
EXPORT_BYTES = 10 * 1024 * 1024  # drive.v3.json files.export: "the exported content is limited to 10 MB"
DRIVE_BATCH_PARTS = 100

# -- Calendar ------------------------------------------------------------------------------------------------
EXTENDED_KEY_CHARS = 44  # longer keys are dropped silently (extended-properties guide)
EXTENDED_VALUE_CHARS = 1024  # longer values are truncated silently
DESCRIPTION_CHARS = 8192  # not in Google's reference; see LIMITS.md for the sources and the caveat
CALENDAR_BATCH_PARTS = 1000

# -- Sheets --------------------------------------------------------------------------------------------------
CELL_CHARS = 50_000
CELLS_PER_SPREADSHEET = 10_000_000


def _utf8(text: str) -> int:
    return len(text.encode("utf-8"))


def check_property_sizes(meta: dict[str, Any]) -> None:
    """Drive: every appProperties/properties entry of a request fits in 124 bytes, key + value."""
    for kind in ("appProperties", "properties"):
        for key, value in (meta.get(kind) or {}).items():
            if value is not None and _utf8(key) + _utf8(str(value)) > PROPERTY_BYTES:
                raise ApiError(
                    403,
                    "Properties and app properties are limited to 124 bytes in UTF-8 encoding, counting "
                    "both the key and the value.",
                    reason="propertyLengthLimitExceeded",
                )


def check_property_counts(file: dict[str, Any]) -> None:
    """Drive: at most 30 private properties per app and 30 public ones, after the request is merged.

    Google's answer to this one is not documented anywhere we found; the fake answers like the size
    limit's (403, the same domain), with its own reason, so a product can only pass by staying under.
    """
    for kind in ("appProperties", "properties"):
        if len(file.get(kind) or {}) > PROPERTIES_PER_APP:
            raise ApiError(
                403,
                f"A file can have at most {PROPERTIES_PER_APP} {kind} per app.",
                reason="propertyCountLimitExceeded",
            )


def check_file_name(meta: dict[str, Any]) -> None:
    name = meta.get("name")
    if isinstance(name, str) and len(name) > FILE_NAME_CHARS:
        raise bad_request(
            f"The file name is too long: {len(name)} characters, at most {FILE_NAME_CHARS}.",
            reason="invalid",
        )


def check_export_size(content: bytes) -> None:
    if len(content) > EXPORT_BYTES:
        raise ApiError(403, "This file is too large to be exported.", reason="exportSizeLimitExceeded")


def drive_batch_overflow() -> ApiError:
    """What Drive answers a batch part past the 100th (googleapis/google-api-python-client#2201)."""
    return ApiError(403, "Exceeds allowed inner batch requests soft limit. Please retry.", reason="forbidden")


def calendar_batch_overflow(parts: int) -> ApiError:
    """A batch past its limit as a whole: the batch front end's shape (GAM-team/got-your-back#256)."""
    return ApiError(
        400,
        f"Inner request count exceeds the limit. Received: {parts}, Limit: {CALENDAR_BATCH_PARTS}",
        reason=None,
    )


# -- Calendar ------------------------------------------------------------------------------------------------
def clip_extended_properties(event: dict[str, Any]) -> None:
    """Calendar keeps quiet about long extended properties: long keys vanish, long values are cut."""
    extended = event.get("extendedProperties")
    if not isinstance(extended, dict):
        return
    for scope in ("private", "shared"):
        props = extended.get(scope)
        if not isinstance(props, dict):
            continue
        extended[scope] = {
            key: value[:EXTENDED_VALUE_CHARS] if isinstance(value, str) else value
            for key, value in props.items()
            if len(key) <= EXTENDED_KEY_CHARS
        }


def check_event_text(event: dict[str, Any]) -> None:
    description = event.get("description")
    if isinstance(description, str) and len(description) > DESCRIPTION_CHARS:
        raise bad_request("A provided value exceeds the allowed size limit.", reason="invalid")


def event_time(value: dict[str, Any] | None, name: str) -> dt.datetime:
    """``start``/``end`` of an event: an offset, or a local time plus ``timeZone``, or a date.

    calendar.v3.json, EventDateTime.dateTime: "A time zone offset is required unless a time zone is
    explicitly specified in timeZone." An offset in the value wins over ``timeZone`` for the instant.
    """
    if not value:
        raise bad_request(f"Missing {name} time.", reason="required")
    zone = _zone(value.get("timeZone"), name)
    if "dateTime" in value:
        text = str(value["dateTime"])
        try:
            moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            raise bad_request(f"Invalid {name} time.", reason="invalid") from None
        if moment.tzinfo is not None:
            return moment
        if zone is None:
            raise bad_request(f"Missing time zone definition for {name} time.", reason="required")
        return moment.replace(tzinfo=zone)
    if "date" in value:
        try:
            return dt.datetime.fromisoformat(str(value["date"])).replace(tzinfo=dt.UTC)
        except ValueError:
            raise bad_request(f"Invalid {name}.date: {value['date']}") from None
    raise bad_request(f"Missing {name} time.", reason="required")


def _zone(name: Any, which: str) -> zoneinfo.ZoneInfo | None:
    if name in (None, ""):
        return None
    try:
        return zoneinfo.ZoneInfo(str(name))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise bad_request(f"Invalid time zone definition for {which} time.", reason="invalid") from None


# -- Sheets --------------------------------------------------------------------------------------------------
def cell_too_long(where: str = "") -> ApiError:
    """Sheets answers without ``errors[]`` (freelabz/secator#96); batch writes name the item."""
    prefix = f"Invalid {where}: " if where else ""
    return ApiError(
        400,
        f"{prefix}Your input contains more than the maximum of {CELL_CHARS} characters in a single cell.",
        reason=None,
    )


def check_values(values: list[list[Any]], where: str = "") -> None:
    for line in values:
        if not isinstance(line, list):
            continue
        for value in line:
            if isinstance(value, str) and len(value) > CELL_CHARS:
                raise cell_too_long(where)


def check_row_data(rows: list[dict[str, Any]]) -> None:
    """``updateCells``/``spreadsheets.create`` row data: the typed text of every cell."""
    for row in rows:
        for cell in row.get("values", []) or []:
            entered = (cell or {}).get("userEnteredValue") or {}
            for key in ("stringValue", "formulaValue"):
                text = entered.get(key)
                if isinstance(text, str) and len(text) > CELL_CHARS:
                    raise cell_too_long()


def check_cell_total(book: Any) -> None:
    """10 million cells per spreadsheet, counted over every sheet's grid (rows × columns)."""
    total = sum(len(sheet.rows) * len(sheet.col_uids) for sheet in book.sheets)
    if total > CELLS_PER_SPREADSHEET:
        raise ApiError(
            400,
            "This action would increase the number of cells in the workbook above the limit of "
            f"{CELLS_PER_SPREADSHEET} cells.",
            reason=None,
        )


# -- query parameters ----------------------------------------------------------------------------------------
_COERCED = re.compile(r"values above (\d+) will be coerced to (\d+)", re.IGNORECASE)


def coerced_maximum(spec: dict[str, Any]) -> int | None:
    """A parameter whose description says values above N are coerced (Drive ``pageSize``): N, else None."""
    found = _COERCED.search(spec.get("description", ""))
    return int(found.group(2)) if found else None
