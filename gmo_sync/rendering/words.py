"""Russian wording for protocols: dates in words, inflected counts, signature names.

Babel carries the CLDR data (genitive month names, plural rules), so nothing
here hard-codes Russian grammar tables that could drift from the standard.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

from babel.core import Locale
from babel.dates import format_date

__all__ = [
    "city_genitive",
    "date_in_words",
    "glued_numbers",
    "month_name",
    "people_count",
    "plural",
    "signature_name",
    "surname_initials",
]


@lru_cache(maxsize=1)
def _ru() -> Locale:
    return Locale("ru")


def date_in_words(date: dt.date) -> str:
    """``13 октября 2021 г.`` — the form official Russian documents use."""
    # "MMMM" in a format pattern is the genitive ("format") month name in CLDR.
    return f"{format_date(date, 'd MMMM y', locale=_ru())} г."


def month_name(date: dt.date) -> str:
    """«октябрь»: the month on its own (CLDR's stand-alone form), as a work plan's «Месяц» column has it."""
    return format_date(date, "LLLL", locale=_ru())


def plural(n: int | float, one: str, few: str, many: str) -> str:
    """Pick the Russian plural form for ``n``: 1 → one, 2–4 → few, 5–20 → many, 21 → one…

    CLDR's fourth category, "other", only covers fractions («1,5 человека»),
    which Russian words agree with in the genitive singular — the ``few`` form.
    """
    category = _ru().plural_form(abs(n))
    return {"one": one, "few": few, "many": many}.get(category, few)


_CONSONANTS = "бвгджзклмнпрстфхцчшщ"


def city_genitive(city: str) -> str:
    """«Красноярск» → «Красноярска», «Москва» → «Москвы»: for «…работников школ г. Красноярска».

    Only the regular endings: a name of several words, with a hyphen or another ending
    («Пермь», «Сочи») is returned as it is — the nominative is acceptable there, a wrong form is not.
    """
    name = city.strip()
    if not name or not name.isalpha():
        return name
    last, stem = name[-1].lower(), name[:-1]
    if last in _CONSONANTS:
        return name + "а"
    if last == "а":
        return stem + ("и" if stem[-1:].lower() in "гкхжчшщ" else "ы")
    if last == "я":
        return stem + "и"
    return name


_NUMBER_SIGN = re.compile(r"№\s*(?=\d)")


def glued_numbers(text: str) -> str:
    """«МАОУ Лицей № 7» with a no-break space: a narrow table cell never leaves «7» alone on a line."""
    return _NUMBER_SIGN.sub("№\u00a0", text)


def people_count(n: int) -> str:
    """``13 человек``, ``2 человека``, ``21 человек`` (counted «человек», not «людей»)."""
    return f"{n} {plural(n, 'человек', 'человека', 'человек')}"


# «Попыхова Т.Ю.», «Попыхова Т. Ю.», «Попыхова Т.»
_SURNAME_INITIALS = re.compile(r"^(?P<surname>[^\W\d_][\w-]*)\s+(?P<initials>(?:[^\W\d_]\.\s*){1,2})$")
# «Попыхова Татьяна Юрьевна»
# A patronymic ending is required: two bare words («Руководитель ГМО») are not a name.
_FULL_NAME = re.compile(
    r"^(?P<surname>[^\W\d_][\w-]*)\s+(?P<name>[^\W\d_]\w*)\s+(?P<patronymic>[^\W\d_]\w*(?:ич|вна|чна|оглы|кызы))$",
    re.IGNORECASE,
)


def signature_name(person: str) -> str:
    """The signature form of ГОСТ Р 7.0.97: ``И.О. Фамилия``.

    Coordinators type «Попыхова Т.Ю., руководитель ГМО»; the position after the
    first comma is dropped. Text that does not look like a name is returned
    as typed (stripped of the position) rather than guessed at.
    """
    name = person.split(",", 1)[0].strip()
    if m := _SURNAME_INITIALS.match(name):
        initials = re.sub(r"\s+", "", m["initials"])
        return f"{initials} {m['surname']}"
    if m := _FULL_NAME.match(name):
        return f"{m['name'][0]}.{m['patronymic'][0]}. {m['surname']}"
    return name


def surname_initials(person: str) -> str:
    """«Фамилия И.О.», the form of lists of those present: «Попыхова Татьяна Юрьевна» → «Попыхова Т.Ю.».

    Text that is not a full name or already this form is returned as typed (without a position).
    """
    name = person.split(",", 1)[0].strip()
    if m := _SURNAME_INITIALS.match(name):
        initials = re.sub(r"\s+", "", m["initials"])
        return f"{m['surname']} {initials}"
    if m := _FULL_NAME.match(name):
        return f"{m['surname']} {m['name'][0]}.{m['patronymic'][0]}."
    return name
