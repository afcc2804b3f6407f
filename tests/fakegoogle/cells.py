"""Cell values as Sheets stores and renders them: RAW vs USER_ENTERED input, render options, dates.

A cell is kept as the API's ``CellData`` dict (``userEnteredValue``, ``userEnteredFormat``,
``textFormatRuns``, ``dataValidation``...); effective and formatted values are computed on read.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

EPOCH = dt.datetime(1899, 12, 30)
DATE_TYPES = ("DATE", "TIME", "DATE_TIME")


def to_serial(moment: dt.datetime) -> float:
    delta = moment - EPOCH
    return delta.days + delta.seconds / 86400


def from_serial(serial: float) -> dt.datetime:
    return EPOCH + dt.timedelta(days=serial)


def _number(text: str, locale: str) -> float | None:
    decimal = "," if locale.startswith("ru") else "."
    group = "\u00a0 " if decimal == "," else ","
    cleaned = "".join(ch for ch in text if ch not in group) if re.search(r"\d[ ,\u00a0]\d{3}", text) else text
    if decimal == ",":
        cleaned = cleaned.replace(",", ".") if cleaned.count(",") <= 1 and "." not in cleaned else "x"
    if re.fullmatch(r"[-+]?\d+(\.\d+)?([eE][-+]?\d+)?", cleaned):
        return float(cleaned)
    return None


_DATE_PATTERNS = [
    # (regex, order, locale prefix or None for all)
    (re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"), "ymd", None),
    (re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})"), "dmy", "ru"),
    (re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})"), "mdy", "en"),
]
_TIME = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")


def _date(text: str, locale: str) -> tuple[float, dict[str, Any]] | None:
    text = text.strip()
    date_part, _, time_part = text.partition(" ")
    for regex, order, loc in _DATE_PATTERNS:
        if loc and not locale.startswith(loc):
            continue
        m = regex.fullmatch(date_part)
        if not m:
            continue
        a, b, c = (int(g) for g in m.groups())
        y, mo, d = {"ymd": (a, b, c), "dmy": (c, b, a), "mdy": (c, a, b)}[order]
        try:
            moment = dt.datetime(y, mo, d)
        except ValueError:
            return None
        if time_part:
            t = _TIME.fullmatch(time_part)
            if not t:
                return None
            moment = moment.replace(hour=int(t.group(1)), minute=int(t.group(2)), second=int(t.group(3) or 0))
            return to_serial(moment), {"type": "DATE_TIME", "pattern": _default_pattern("DATE_TIME", locale)}
        return to_serial(moment), {"type": "DATE", "pattern": _default_pattern("DATE", locale)}
    t = _TIME.fullmatch(text)
    if t and int(t.group(1)) < 24:
        seconds = int(t.group(1)) * 3600 + int(t.group(2)) * 60 + int(t.group(3) or 0)
        return seconds / 86400, {"type": "TIME", "pattern": _default_pattern("TIME", locale)}
    return None


def _default_pattern(kind: str, locale: str) -> str:
    if locale.startswith("ru"):
        return {"DATE": "dd.mm.yyyy", "DATE_TIME": "dd.mm.yyyy hh:mm:ss", "TIME": "hh:mm:ss"}[kind]
    return {"DATE": "M/d/yyyy", "DATE_TIME": "M/d/yyyy H:mm:ss", "TIME": "h:mm:ss am/pm"}[kind]


def user_entered(value: Any, locale: str) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """What typing ``value`` into the UI stores: (userEnteredValue, numberFormat or None)."""
    if isinstance(value, bool):
        return {"boolValue": value}, None
    if isinstance(value, int | float):
        return {"numberValue": value}, None
    text = str(value)
    if text == "":
        return None, None
    if text.startswith("'"):
        return {"stringValue": text[1:]}, None  # the apostrophe forces text and is not stored
    if text.startswith("=") and len(text) > 1:
        return {"formulaValue": text}, None
    if text.upper() in ("TRUE", "FALSE"):
        return {"boolValue": text.upper() == "TRUE"}, None
    if text.endswith("%") and (pct := _number(text[:-1], locale)) is not None:
        return {"numberValue": pct / 100}, {"type": "PERCENT", "pattern": "0%"}
    number = _number(text, locale)
    if number is not None:
        return {"numberValue": number}, None
    date = _date(text, locale)
    if date is not None:
        return {"numberValue": date[0]}, date[1]
    return {"stringValue": text}, None


def raw(value: Any) -> dict[str, Any] | None:
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, int | float):
        return {"numberValue": value}
    if value == "":
        return None
    return {"stringValue": str(value)}


# -- reading ---------------------------------------------------------------------------------------------
def effective(cell: dict[str, Any] | None, lookup) -> dict[str, Any] | None:
    """The computed value: formulas get a deliberately tiny evaluator (literals, one cell ref, HYPERLINK)."""
    if not cell or "userEnteredValue" not in cell:
        return None
    uev = cell["userEnteredValue"]
    if "formulaValue" not in uev:
        return dict(uev)
    body = uev["formulaValue"][1:].strip()
    if m := re.fullmatch(r'HYPERLINK\(\s*"([^"]*)"\s*[;,]\s*"([^"]*)"\s*\)', body, re.I):
        return {"stringValue": m.group(2)}
    if m := re.fullmatch(r'"([^"]*)"', body):
        return {"stringValue": m.group(1)}
    if re.fullmatch(r"[-+]?\d+(\.\d+)?", body):
        return {"numberValue": float(body)}
    if m := re.fullmatch(r"\$?([A-Za-z]{1,3})\$?(\d+)", body):
        return effective(lookup(m.group(1), int(m.group(2))), lookup) or {"stringValue": ""}
    return {"errorValue": {"type": "NAME", "message": "fakegoogle evaluates only trivial formulas"}}


def _format_number(value: float, fmt: dict[str, Any] | None, locale: str) -> str:
    decimal = "," if locale.startswith("ru") else "."
    kind = (fmt or {}).get("type")
    if kind in DATE_TYPES:
        return format_date(value, fmt or {}, locale)
    if kind == "PERCENT":
        text = f"{value * 100:.10g}%"
    elif fmt and (pattern := fmt.get("pattern", "")) and re.fullmatch(r"0(\.0+)?", pattern):
        places = len(pattern) - 2 if "." in pattern else 0
        text = f"{value:.{places}f}"
    elif float(value).is_integer():
        text = str(int(value))
    else:
        text = f"{value:.10g}"
    return text.replace(".", decimal)


def format_date(serial: float, fmt: dict[str, Any], locale: str) -> str:
    moment = from_serial(serial + 1e-9)  # guard against 0.99999 seconds from float serials
    pattern = fmt.get("pattern") or _default_pattern(fmt.get("type", "DATE"), locale)
    out, i = "", 0
    tokens = [
        ("yyyy", "%Y"),
        ("dd", "%d"),
        ("d", "%-d"),
        ("MM", "%m"),
        ("M", "%-m"),
        ("hh", "%H"),
        ("HH", "%H"),
        ("H", "%-H"),
        ("h", "%-I"),
        ("ss", "%S"),
        ("am/pm", "%p"),
    ]
    after_hour = False
    while i < len(pattern):
        if pattern.startswith("mm", i):
            out += "%M" if after_hour else "%m"
            i += 2
            continue
        for token, code in tokens:
            if pattern.startswith(token, i):
                out += code
                after_hour = after_hour or token.lower().startswith("h")
                i += len(token)
                break
        else:
            out += pattern[i].replace("%", "%%")
            i += 1
    return moment.strftime(out)


def render(cell: dict[str, Any] | None, value_option: str, date_option: str, locale: str, lookup) -> Any:
    """One cell as values.get returns it; ``None`` means empty."""
    if not cell or "userEnteredValue" not in cell:
        return None
    uev = cell["userEnteredValue"]
    if value_option == "FORMULA" and "formulaValue" in uev:
        return uev["formulaValue"]
    value = effective(cell, lookup) or {}
    fmt = (cell.get("userEnteredFormat") or {}).get("numberFormat")
    if "errorValue" in value:
        return "#NAME?"  # Google renders error values as their code in every render option
    if value_option == "FORMATTED_VALUE":
        return formatted(value, fmt, locale)
    if "numberValue" in value:
        number = value["numberValue"]
        if fmt and fmt.get("type") in DATE_TYPES and date_option == "FORMATTED_STRING":
            return format_date(number, fmt, locale)
        return int(number) if float(number).is_integer() else number
    if "boolValue" in value:
        return value["boolValue"]
    return value.get("stringValue", "")


def formatted(value: dict[str, Any], fmt: dict[str, Any] | None, locale: str) -> str:
    if "numberValue" in value:
        return _format_number(value["numberValue"], fmt, locale)
    if "boolValue" in value:
        return "TRUE" if value["boolValue"] else "FALSE"
    if "errorValue" in value:
        return "#NAME?"
    return value.get("stringValue", "")
