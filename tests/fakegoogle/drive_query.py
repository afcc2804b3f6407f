"""The subset of Drive's ``q`` search language gmo-sync uses, parsed strictly (anything else → 400)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .errors import invalid

Predicate = Callable[[dict[str, Any]], bool]
_TOKEN = re.compile(
    # strings in single or double quotes (gspread sends mimeType="..."), backslash escapes
    r"\s*(?:(?P<str>'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")|(?P<op>!=|<=|>=|=|<|>)|(?P<punct>[(){}])|(?P<word>[A-Za-z]+))"
)
_FIELDS = {"name", "mimeType", "trashed", "starred", "modifiedTime", "createdTime", "fullText"}


def _error(q: str) -> Exception:
    return invalid(f"Invalid Value: q={q!r} is not in the query subset fakegoogle models", location="q")


def _tokens(q: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    while pos < len(q.rstrip()):
        m = _TOKEN.match(q, pos)
        if not m:
            raise _error(q)
        kind = m.lastgroup or ""
        value = m.group(kind)
        if kind == "str":
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        out.append((kind, value))
        pos = m.end()
    return out


def parse_query(q: str, root_id: str) -> Predicate:
    tokens = _tokens(q)
    pos = 0

    def peek(kind: str | None = None, value: str | None = None) -> bool:
        if pos >= len(tokens):
            return False
        k, v = tokens[pos]
        return (kind is None or k == kind) and (value is None or v.lower() == value.lower())

    def take(kind: str, value: str | None = None) -> str:
        nonlocal pos
        if not peek(kind, value):
            raise _error(q)
        pos += 1
        return tokens[pos - 1][1]

    def expr() -> Predicate:
        left = term()
        while peek("word", "and") or peek("word", "or"):
            op = take("word").lower()
            right = term()
            left = (
                (lambda a, b: lambda f: a(f) and b(f))(left, right)
                if op == "and"
                else (lambda a, b: lambda f: a(f) or b(f))(left, right)
            )
        return left

    def term() -> Predicate:
        if peek("word", "not"):
            take("word")
            inner = term()
            return lambda f: not inner(f)
        if peek("punct", "("):
            take("punct", "(")
            inner = expr()
            take("punct", ")")
            return inner
        if peek("str"):
            value = take("str")
            take("word", "in")
            where = take("word")
            if where == "parents":
                wanted = root_id if value == "root" else value
                return lambda f: wanted in f.get("parents", [])
            if where == "owners":
                return lambda f: any(o.get("emailAddress") == value for o in f.get("owners", []))
            raise _error(q)
        field = take("word")
        if field in ("appProperties", "properties"):
            take("word", "has")
            take("punct", "{")
            take("word", "key")
            take("op", "=")
            key = take("str")
            take("word", "and")
            take("word", "value")
            take("op", "=")
            value = take("str")
            take("punct", "}")
            return lambda f: (f.get(field) or {}).get(key) == value
        if field not in _FIELDS:
            raise _error(q)
        if peek("word", "contains"):
            take("word")
            needle = take("str")
            if field == "fullText":
                return lambda f: needle.lower() in (f.get("name", "") + f.get("description", "")).lower()
            return lambda f: needle.lower() in str(f.get(field, "")).lower()
        op = take("op")
        if peek("str"):
            value: Any = take("str")
        else:
            word = take("word").lower()
            if word not in ("true", "false"):
                raise _error(q)
            value = word == "true"
        compare = {
            "=": lambda a, b: a == b,
            "!=": lambda a, b: a != b,
            "<": lambda a, b: a < b,
            ">": lambda a, b: a > b,
            "<=": lambda a, b: a <= b,
            ">=": lambda a, b: a >= b,
        }[op]
        return lambda f: f.get(field) is not None and compare(f.get(field), value)

    predicate = expr()
    if pos != len(tokens):
        raise _error(q)
    return predicate
