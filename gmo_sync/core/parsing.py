"""Tolerant parsers for what coordinators type into the sheet.

Every parser takes a raw cell value as a backend hands it over (``str``, a number,
a ``date``/``datetime``/``time`` from a typed cell, or ``None``) and returns a
parsed value or raises ``ParseError`` with a Russian message saying what was found
and what is expected. Google hands dates and times over as serial numbers (days
since 1899-12-30, the fraction is the time of day), so numbers are accepted where
a date or a time is expected.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterable

CellValue = str | int | float | bool | dt.date | dt.datetime | dt.time | None

SERIAL_EPOCH = dt.date(1899, 12, 30)
# Serial numbers outside this window are not plausibly meeting dates (1954–2119);
# a stray «13» in a date cell must be an error, not the 13th of January 1900.
SERIAL_MIN, SERIAL_MAX = 20_000, 80_000

MONTHS = {
    "январь": 1, "января": 1, "янв": 1,
    "февраль": 2, "февраля": 2, "фев": 2, "февр": 2,
    "март": 3, "марта": 3, "мар": 3,
    "апрель": 4, "апреля": 4, "апр": 4,
    "май": 5, "мая": 5,
    "июнь": 6, "июня": 6, "июн": 6,
    "июль": 7, "июля": 7, "июл": 7,
    "август": 8, "августа": 8, "авг": 8,
    "сентябрь": 9, "сентября": 9, "сен": 9, "сент": 9,
    "октябрь": 10, "октября": 10, "окт": 10,
    "ноябрь": 11, "ноября": 11, "ноя": 11, "нояб": 11,
    "декабрь": 12, "декабря": 12, "дек": 12,
}  # fmt: skip

DATE_EXAMPLE = "дата, например 13.10.2021 или «13 октября 2021 г.»"
TIME_EXAMPLE = "время, например 14:00"


class ParseError(ValueError):
    """The value cannot be understood; the message is Russian and user-facing."""


def normalize_text(value: str) -> str:
    """Fold what coordinators do not mean as a difference: NBSP, runs of spaces, case, ё."""
    value = value.replace("\u00a0", " ").replace("\u202f", " ")
    value = re.sub(r"\s+", " ", value).strip()
    return value.casefold().replace("ё", "е")


def is_blank(value: CellValue) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def shown(value: CellValue) -> str:
    """The value as a coordinator would recognise it in a message: «13 октабря»."""
    if isinstance(value, str):
        text = value.strip()
        return f"«{text[:60]}…»" if len(text) > 60 else f"«{text}»"
    return f"«{display_text(value)}»"


def display_text(value: CellValue) -> str:
    """A cell as plain display text (typed dates as 13.10.2021, 13.0 as 13)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.strftime("%d.%m.%Y")
        return value.strftime("%d.%m.%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _serial_to_date(value: float) -> dt.date:
    if not SERIAL_MIN <= value <= SERIAL_MAX:
        raise ParseError(f"найдено число {shown(value)}, ожидается {DATE_EXAMPLE}")
    return SERIAL_EPOCH + dt.timedelta(days=int(value))


_NUMERIC_DATE = re.compile(r"^(\d{1,2})\s*[./-]\s*(\d{1,2})\s*[./-]\s*(\d{4}|\d{2})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_WORDS_DATE = re.compile(r"^(\d{1,2})\s+([а-я]+)\.?\s*(\d{4})$")
_YEAR_SUFFIX = re.compile(r"\s*(г\.?|года?)\s*$")


def _make_date(year: int, month: int, day: int, raw: CellValue) -> dt.date:
    if year < 100:
        year += 2000
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ParseError(f"такой даты нет: {shown(raw)}; ожидается {DATE_EXAMPLE}") from None


def parse_date(value: CellValue) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise ParseError(f"найдено {shown(value)}, ожидается {DATE_EXAMPLE}")
    if isinstance(value, int | float):
        return _serial_to_date(value)
    if not isinstance(value, str) or is_blank(value):
        raise ParseError(f"дата не указана; ожидается {DATE_EXAMPLE}")
    text = _YEAR_SUFFIX.sub("", normalize_text(value))
    if m := _NUMERIC_DATE.match(text):
        return _make_date(int(m[3]), int(m[2]), int(m[1]), value)
    if m := _ISO_DATE.match(text):
        return _make_date(int(m[1]), int(m[2]), int(m[3]), value)
    if m := _WORDS_DATE.match(text):
        month = MONTHS.get(m[2])
        if month is None:
            hint = difflib.get_close_matches(m[2], [k for k in MONTHS if len(k) > 4], n=1)
            tip = f" (может быть, «{hint[0]}»?)" if hint else ""
            raise ParseError(f"непонятный месяц в {shown(value)}{tip}; ожидается {DATE_EXAMPLE}")
        return _make_date(int(m[3]), month, int(m[1]), value)
    raise ParseError(f"найдено {shown(value)}, ожидается {DATE_EXAMPLE}")


_TIME = re.compile(r"^(\d{1,2})(?:\s*[:.\-]\s*(\d{2})(?::00)?)?\s*(?:ч\.?|час(?:а|ов)?\.?)?$")


def parse_time(value: CellValue) -> dt.time:
    if isinstance(value, dt.datetime):
        return value.time().replace(second=0, microsecond=0)
    if isinstance(value, dt.time):
        return value.replace(second=0, microsecond=0)
    if isinstance(value, float | int) and not isinstance(value, bool) and 0 <= value < 1:
        minutes = round(value * 24 * 60)
        return dt.time(minutes // 60 % 24, minutes % 60)
    if not isinstance(value, str) or is_blank(value):
        raise ParseError(f"найдено {shown(value)}, ожидается {TIME_EXAMPLE}")
    m = _TIME.match(normalize_text(value))
    if m:
        hour, minute = int(m[1]), int(m[2] or 0)
        if hour < 24 and minute < 60:
            return dt.time(hour, minute)
    raise ParseError(f"найдено {shown(value)}, ожидается {TIME_EXAMPLE} (часы:минуты)")


_COUNT = re.compile(r"^(\d+)\s*(?:чел(?:овека?|\.)?|участник(?:а|ов)?)?\.?$")


def parse_count(value: CellValue) -> int:
    if isinstance(value, bool):
        raise ParseError(f"найдено {shown(value)}, ожидается целое число, например 13")
    if isinstance(value, int):
        if value >= 0:
            return value
    elif isinstance(value, float) and value.is_integer() and value >= 0:
        return int(value)
    elif isinstance(value, str) and (m := _COUNT.match(normalize_text(value))):
        return int(m[1])
    raise ParseError(f"найдено {shown(value)}, ожидается целое число, например 13 или «13 человек»")


def parse_choice(value: CellValue, options: Iterable[str], synonyms: dict[str, str] | None = None) -> str:
    """One of ``options`` (case, spaces and ё ignored), with a typo suggestion when one is close."""
    options = list(options)
    text = normalize_text(display_text(value))
    by_norm = {normalize_text(o): o for o in options}
    by_norm.update({normalize_text(k): v for k, v in (synonyms or {}).items()})
    if text in by_norm:
        return by_norm[text]
    expected = " / ".join(f"«{o}»" for o in options)
    close = difflib.get_close_matches(text, list(by_norm), n=1, cutoff=0.6)
    tip = f" Может быть, «{by_norm[close[0]]}»?" if close else ""
    raise ParseError(f"найдено {shown(value)}, ожидается {expected}.{tip}")


YES_NO = {"да": True, "нет": False, "yes": True, "no": False, "+": True, "-": False, "1": True, "0": False}


YES_NO_CHOICES = ("да", "нет")  # the «Приглашать» dropdown


def parse_yes_no(value: CellValue) -> bool:
    if isinstance(value, bool):
        return value
    yes, no = YES_NO_CHOICES
    answer = parse_choice(value, YES_NO_CHOICES, {k: (yes if v else no) for k, v in YES_NO.items()})
    return answer == yes


def parse_int(value: CellValue, what: str = "целое число") -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    if isinstance(value, float) and value.is_integer() and value > 0:
        return int(value)
    if isinstance(value, str):
        m = re.match(r"^№?\s*(\d+)\.?$", normalize_text(value))
        if m and int(m[1]) > 0:
            return int(m[1])
    raise ParseError(f"найдено {shown(value)}, ожидается {what}, например 1")


OPEN_DEADLINES = (
    "постоянно",
    "в течение года",
    "в течение учебного года",
    "ежемесячно",
    "ежеквартально",
    "по мере необходимости",
    "по плану",
)
_MONTH_YEAR = re.compile(r"^(?:до\s+)?(?:конца\s+)?([а-я]+)\s+(\d{4})$")
_NUM_MONTH_YEAR = re.compile(r"^(?:до\s+)?(\d{1,2})\s*[./]\s*(\d{4})$")


def _month_end(year: int, month: int) -> dt.date:
    first_next = dt.date(year + month // 12, month % 12 + 1, 1)
    return first_next - dt.timedelta(days=1)


def parse_deadline(value: CellValue) -> tuple[dt.date | None, str]:
    """«Срок»: a date (optionally «до …»), a month («декабрь 2021» → its last day), or an open wording.

    Returns (date or None, display text).
    """
    if not isinstance(value, str):
        date = parse_date(value)
        return date, date.strftime("%d.%m.%Y")
    if normalize_text(value).rstrip(".") in OPEN_DEADLINES:
        return None, value.strip()
    text = _YEAR_SUFFIX.sub("", normalize_text(value))
    if m := _MONTH_YEAR.match(text):
        month = MONTHS.get(m[1])
        if month:
            return _month_end(int(m[2]), month), value.strip()
    if (m := _NUM_MONTH_YEAR.match(text)) and 1 <= int(m[1]) <= 12:
        return _month_end(int(m[2]), int(m[1])), value.strip()
    try:
        date = parse_date(re.sub(r"^до\s+", "", text))
    except ParseError:
        raise ParseError(
            f"найдено {shown(value)}, ожидается срок: дата (например 01.12.2021), "
            f"месяц («декабрь 2021») или «постоянно»"
        ) from None
    return date, date.strftime("%d.%m.%Y")


# «2026/27», «2026/2027», «2026-2027», «2026–27 учебный год», «2026/27 уч. г.»
_ACADEMIC_YEAR = re.compile(r"^(\d{4})\s*[/\-–—]\s*(\d{2}|\d{4})$")
_YEAR_WORDS = re.compile(r"\s*(?:учебный|уч\.?)\s*(?:год|г\.?)\s*$")
ACADEMIC_YEAR_EXAMPLE = "учебный год, например 2026/27"


def parse_academic_year(value: CellValue) -> int:
    """An academic year, as its first calendar year: «2026/27» → 2026. The two years must follow."""
    # A bare «2026» is refused: it may mean 2025/26 as well as 2026/27.
    text = _YEAR_WORDS.sub("", normalize_text(display_text(value)))
    m = _ACADEMIC_YEAR.match(text)
    if m:
        start, end = int(m[1]), int(m[2])
        if end == (start + 1) % (100 if len(m[2]) == 2 else 10_000):
            return start
        raise ParseError(f"найдено {shown(value)}: годы должны идти подряд, ожидается "
                         f"{start}/{(start + 1) % 100:02d}")  # fmt: skip
    raise ParseError(f"найдено {shown(value)}, ожидается {ACADEMIC_YEAR_EXAMPLE} или 2026/2027")
