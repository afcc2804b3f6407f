"""Meeting IDs in Google's small property slots: as typed when they fit, else a checked hash plus parts.

gmo-sync finds its own documents and events by the meeting ID it stores in them (Drive
``appProperties``, Calendar private extended properties). Coordinators type those IDs, and Google's
slots are small:

* Drive: at most 124 bytes per entry, key and value together, in UTF-8 — a 62-letter Cyrillic ID
  already overflows, and Drive refuses the whole upload with 403 ``propertyLengthLimitExceeded``;
  at most 30 entries per app and file;
* Calendar: keys of at most 44 characters (longer ones vanish) and values of at most 1024 characters
  (longer ones are cut without a word — and a cut ID no longer names its meeting).

So a value that fits is stored as it is (every file and event made so far stays readable), and one
that does not becomes ``#<parts>:<sha-256 prefix>`` under the key, with the value itself split over
``key1``, ``key2``, … in pieces that fit. Reading joins the pieces and checks them against the hash,
so a look-up by the short marker is always confirmed against the full ID it stands for.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable

Fits = Callable[[str, str], bool]  # (key, value) → does the pair fit one slot?

DRIVE_PROPERTY_BYTES = 124  # key + value, UTF-8 (Drive's file-properties limits)
DRIVE_PROPERTIES_PER_APP = 30
CALENDAR_KEY_CHARS = 44
CALENDAR_VALUE_CHARS = 1024

_MARKER = re.compile(r"#(\d+):([0-9a-f]{32})")


def drive_fits(key: str, value: str) -> bool:
    return len(key.encode("utf-8")) + len(value.encode("utf-8")) <= DRIVE_PROPERTY_BYTES


def calendar_fits(key: str, value: str) -> bool:
    return len(key) <= CALENDAR_KEY_CHARS and len(value) <= CALENDAR_VALUE_CHARS


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()[:32]


def spell(key: str, value: str, fits: Fits) -> dict[str, str]:
    """The entries that carry ``value`` under ``key``: one when it fits, else a marker and its parts."""
    if fits(key, value) and not _MARKER.fullmatch(value):  # an ID that looks like a marker is split too
        return {key: value}
    parts: list[str] = []
    piece = ""
    for char in value:
        if piece and not fits(f"{key}{len(parts) + 1}", piece + char):
            parts.append(piece)
            piece = ""
        piece += char
    parts.append(piece)
    return {key: f"#{len(parts)}:{_digest(value)}", **{f"{key}{i}": p for i, p in enumerate(parts, 1)}}


def lookup_value(key: str, value: str, fits: Fits) -> str:
    """What a search by ``key`` must ask for to find ``value`` (the marker when it was split)."""
    return spell(key, value, fits)[key]


def read(props: dict[str, str], key: str) -> str:
    """The full value stored under ``key``: joined and checked when split; "" when it does not check."""
    value = props.get(key, "")
    marker = _MARKER.fullmatch(value)
    if marker is None:
        return value
    pieces = [props.get(f"{key}{i}") for i in range(1, int(marker.group(1)) + 1)]
    if any(p is None for p in pieces):
        return ""
    joined = "".join(p or "" for p in pieces)
    return joined if _digest(joined) == marker.group(2) else ""


def stale(props: dict[str, str], key: str, keep: dict[str, str]) -> dict[str, None]:
    """Parts of an earlier, longer value that ``keep`` no longer has: nulls that delete them.

    Drive and Calendar merge properties on update/patch, so parts left over from a longer ID would
    stay; reading ignores them (the marker says how many count), but they would use up slots.
    """
    part = re.compile(re.escape(key) + r"\d+")
    return {name: None for name in props if part.fullmatch(name) and name not in keep}
