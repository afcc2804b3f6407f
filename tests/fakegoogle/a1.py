"""A1 notation: parsing ranges, column letters, and the sheet-name quoting Google uses in answers."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import bad_request


def col_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def col_index(letters: str) -> int:
    value = 0
    for ch in letters.upper():
        value = value * 26 + ord(ch) - 64
    return value - 1


def quote_sheet(title: str) -> str:
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", title):
        return title
    return "'" + title.replace("'", "''") + "'"


@dataclass
class A1:
    """A parsed range; ``None`` bounds are open (whole column / whole row / whole sheet)."""

    sheet: str | None
    row0: int | None = None  # inclusive, 0-based
    col0: int | None = None
    row1: int | None = None  # exclusive
    col1: int | None = None


_CELL = re.compile(r"^([A-Za-z]{0,3})(\d*)$")


def parse(text: str) -> A1:
    sheet: str | None = None
    ref = text
    if text.startswith("'"):
        m = re.match(r"^'((?:[^']|'')*)'(?:!(.*))?$", text)
        if not m:
            raise bad_request(f"Unable to parse range: {text}")
        sheet = m.group(1).replace("''", "'")
        ref = m.group(2) or ""
    elif "!" in text:
        sheet, ref = text.rsplit("!", 1)
    elif not _looks_like_cells(text):
        return A1(sheet=text)  # a bare sheet name means the whole sheet
    if not ref:
        return A1(sheet=sheet)
    start, _, end = ref.partition(":")
    a = _CELL.match(start)
    b = _CELL.match(end) if end else a
    if not a or not b or (not a.group(1) and not a.group(2)) or (end and not b.group(1) and not b.group(2)):
        raise bad_request(f"Unable to parse range: {text}")
    rng = A1(sheet=sheet)
    if a.group(1):
        rng.col0 = col_index(a.group(1))
    if a.group(2):
        rng.row0 = int(a.group(2)) - 1
    if b.group(1):
        rng.col1 = col_index(b.group(1)) + 1
    if b.group(2):
        rng.row1 = int(b.group(2))
    # "A:C" → all rows; "2:5" → all columns; "A2:C" → from row 2 down. "A1" alone is one cell.
    if rng.col0 is None and rng.col1 is not None:
        raise bad_request(f"Unable to parse range: {text}")
    if rng.row0 is None and a.group(1) and end and b.group(2):
        rng.row0 = 0  # "A:C5" is accepted by Google as A1:C5
    if rng.row0 is not None and rng.row0 < 0:
        raise bad_request(f"Unable to parse range: {text}")
    if rng.row1 is not None and rng.row0 is not None and rng.row1 <= rng.row0:
        rng.row0, rng.row1 = rng.row1 - 1, rng.row0 + 1
    if rng.col1 is not None and rng.col0 is not None and rng.col1 <= rng.col0:
        rng.col0, rng.col1 = rng.col1 - 1, rng.col0 + 1
    return rng


def _looks_like_cells(text: str) -> bool:
    # Without a digit or a colon ("Tab") it is a sheet name, not a cell reference.
    return bool(re.fullmatch(r"[A-Za-z]{0,3}\d*(:[A-Za-z]{0,3}\d*)?", text)) and (
        ":" in text or any(ch.isdigit() for ch in text)
    )


def format_range(title: str, row0: int, col0: int, row1: int, col1: int) -> str:
    start = f"{col_letter(col0)}{row0 + 1}"
    end = f"{col_letter(col1 - 1)}{row1}"
    return f"{quote_sheet(title)}!{start}" + ("" if start == end else f":{end}")
