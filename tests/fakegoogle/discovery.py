"""Routing and strict validation from the discovery documents shipped in googleapiclient.

Every request the fake answers is first matched to a discovery method (by HTTP method and path template)
and checked: declared query parameters only, right types and enums, required ones present, and a JSON body
whose every field exists in the method's request schema. This is the part that makes the fake stricter than
a mock: a product call that Google would reject is rejected here too.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import googleapiclient

from .errors import ApiError, bad_request, invalid
from .limits import coerced_maximum

DOCUMENTS = Path(googleapiclient.__file__).parent / "discovery_cache" / "documents"
APIS = ("sheets.v4", "drive.v3", "calendar.v3", "docs.v1", "gmail.v1")
# Parameters Google accepts on upload paths although discovery lists them only at the top level (or not at
# all: ``upload_id`` is the resumable-session handle our own Location header hands out).
UPLOAD_PARAMS = {"uploadType", "upload_id"}


@dataclass
class Route:
    api: str  # "drive"
    doc: dict[str, Any]
    method: dict[str, Any]
    regex: re.Pattern[str]
    upload: bool = False

    @property
    def method_id(self) -> str:
        return self.method["id"]


@dataclass
class Match:
    route: Route
    path_params: dict[str, str]
    query: dict[str, Any] = field(default_factory=dict)


def _template_regex(template: str) -> re.Pattern[str]:
    out = []
    pos = 0
    for m in re.finditer(r"\{(\+?)([^}]+)\}", template):
        out.append(re.escape(template[pos : m.start()]))
        name = m.group(2).replace(".", "_")
        # {+name} may contain slashes (reserved expansion); plain {name} is one segment.
        out.append(f"(?P<{name}>.+)" if m.group(1) else f"(?P<{name}>[^/]+)")
        pos = m.end()
    out.append(re.escape(template[pos:]))
    return re.compile("^" + "".join(out) + "$")


def _walk_methods(resource: dict[str, Any]):
    yield from resource.get("methods", {}).values()
    for sub in resource.get("resources", {}).values():
        yield from _walk_methods(sub)


class Discovery:
    def __init__(self) -> None:
        self.docs: dict[str, dict[str, Any]] = {}
        self.routes: list[Route] = []
        for name in APIS:
            doc = json.loads((DOCUMENTS / f"{name}.json").read_text())
            self.docs[doc["name"]] = doc
            base = "/" + doc["servicePath"]
            for method in _walk_methods(doc):
                template = method.get("flatPath") or method["path"]
                self.routes.append(Route(doc["name"], doc, method, _template_regex(base + template)))
                if method.get("supportsMediaUpload"):
                    for proto in method["mediaUpload"]["protocols"].values():
                        self.routes.append(
                            Route(doc["name"], doc, method, _template_regex(proto["path"]), upload=True)
                        )
        # Literal paths (files/trash, files/generateIds) must win over templates (files/{fileId}).
        self.routes.sort(key=lambda r: r.regex.pattern.count("(?P<"))

    def method(self, method_id: str) -> dict[str, Any]:
        for route in self.routes:
            if route.method_id == method_id:
                return route.method
        raise KeyError(method_id)

    def match(self, http_method: str, path: str) -> Match:
        path_known = False
        for route in self.routes:
            m = route.regex.match(path)
            if not m:
                continue
            path_known = True
            if route.method["httpMethod"] != http_method:
                continue
            params = {k: unquote(v) for k, v in m.groupdict().items()}
            return Match(route, params)
        if path_known:
            raise bad_request(f"Method {http_method} is not allowed on {path}.")
        # Google answers an HTML 404 for unknown URLs; the fake answers a JSON 400 so that a wrong path is as
        # loud as any other malformed request.
        raise bad_request(f"Unknown API path {http_method} {path}: no discovery method matches.")

    # -- query parameters -------------------------------------------------------------------------------
    def validate_query(self, match: Match, raw: dict[str, list[str]]) -> dict[str, Any]:
        route = match.route
        declared = {k: v for k, v in route.method.get("parameters", {}).items() if v["location"] == "query"}
        common = route.doc.get("parameters", {})
        out: dict[str, Any] = {}
        for name, values in raw.items():
            spec = declared.get(name) or common.get(name)
            if spec is None and route.upload and name in UPLOAD_PARAMS:
                spec = {"type": "string"}
            if spec is None:
                raise invalid(
                    f'Invalid JSON payload received. Unknown name "{name}": Cannot bind query '
                    f"parameter. Field '{name}' could not be found in request message.",
                    name,
                )
            if len(values) > 1 and not spec.get("repeated"):
                raise invalid(f"Parameter '{name}' is not repeated but was given {len(values)} times.", name)
            parsed = [_parse_param(name, v, spec) for v in values]
            out[name] = parsed if spec.get("repeated") else parsed[0]
        for name, spec in route.method.get("parameters", {}).items():
            if spec.get("required") and spec["location"] == "query" and name not in out:
                raise ApiError(400, f"Required parameter: {name}", reason="required", location=name)
        match.query = out
        return out

    # -- request bodies ---------------------------------------------------------------------------------
    def validate_body(self, match: Match, body: Any) -> None:
        ref = match.route.method.get("request", {}).get("$ref")
        if ref is None:
            if body not in (None, b"", {}):
                raise bad_request(f"Method {match.route.method_id} takes no request body.")
            return
        if body is None:
            return
        schemas = match.route.doc["schemas"]
        _check_value(body, schemas[ref], schemas, ref[0].lower() + ref[1:])

    def validate_fields_mask(self, match: Match, mask: str) -> None:
        """Reject a ``fields`` selection naming something the response schema lacks (Google does)."""
        ref = match.route.method.get("response", {}).get("$ref")
        if not ref or not mask:
            return
        schemas = match.route.doc["schemas"]
        _check_mask(parse_fields(mask), schemas[ref], schemas)


def _parse_param(name: str, value: str, spec: dict[str, Any]) -> Any:
    kind = spec.get("type", "string")
    if kind == "integer":
        if not re.fullmatch(r"-?\d+", value):
            raise invalid(f"Invalid value '{value}' for parameter '{name}': expected an integer.", name)
        number = int(value)
        if "minimum" in spec and number < int(spec["minimum"]):
            raise invalid(f"Invalid value '{value}' for parameter '{name}': below {spec['minimum']}.", name)
        if "maximum" in spec and number > int(spec["maximum"]):
            ceiling = coerced_maximum(spec)  # Drive's pageSize: "values above 1000 will be coerced to 1000"
            if ceiling is None:
                raise invalid(
                    f"Invalid value '{value}' for parameter '{name}': above {spec['maximum']}.", name
                )
            number = ceiling
        return number
    if kind == "boolean":
        if value.lower() not in ("true", "false"):  # requests sends Python's "True"; Google accepts it
            raise invalid(f"Invalid value '{value}' for parameter '{name}': expected true or false.", name)
        return value.lower() == "true"
    if "enum" in spec and value not in spec["enum"]:
        raise invalid(f"Invalid value at '{name}' ({value}): not one of {', '.join(spec['enum'])}.", name)
    if spec.get("format") == "date-time":
        parse_rfc3339(value, name)
    return value


def parse_rfc3339(value: str, name: str = "value") -> dt.datetime:
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise bad_request(f"Bad Request: '{name}' is not an RFC 3339 date-time: {value}") from None
    if parsed.tzinfo is None:
        raise bad_request(f"Bad Request: '{name}' must carry a time zone offset: {value}")
    return parsed


def _resolve(schema: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = schemas[schema["$ref"]]
    return schema


def _unknown(name: str, where: str) -> ApiError:
    return invalid(f"Invalid JSON payload received. Unknown name \"{name}\" at '{where}': Cannot find field.")


def _check_value(value: Any, schema: dict[str, Any], schemas: dict[str, Any], where: str) -> None:
    schema = _resolve(schema, schemas)
    kind = schema.get("type", "any")
    if value is None or kind == "any":
        return
    wrong = invalid(f"Invalid value at '{where}' ({type(value).__name__}), expected {kind}: {value!r:.80}")
    if kind == "object":
        if not isinstance(value, dict):
            raise wrong
        props = schema.get("properties", {})
        extra = schema.get("additionalProperties")
        for key, item in value.items():
            if key in props:
                _check_value(item, props[key], schemas, f"{where}.{key}")
            elif extra is not None:
                _check_value(item, extra, schemas, f"{where}[{key}]")
            else:
                raise _unknown(key, where)
    elif kind == "array":
        if not isinstance(value, list):
            raise wrong
        for i, item in enumerate(value):
            _check_value(item, schema.get("items", {}), schemas, f"{where}[{i}]")
    elif kind == "string":
        # Google's JSON mapping accepts numbers for int64/uint64 (string-typed) fields.
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise wrong
        if isinstance(value, int) and schema.get("format") not in ("int64", "uint64"):
            raise wrong
        if "enum" in schema and value not in schema["enum"]:
            raise invalid(f"Invalid value at '{where}' ({value}): not one of {', '.join(schema['enum'])}")
    elif kind == "integer":
        ok = (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, str) and re.fullmatch(r"-?\d+", value)
        )
        if not ok:
            raise wrong
    elif kind == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise wrong
    elif kind == "boolean" and not isinstance(value, bool):
        raise wrong


# -- partial responses (``fields=``) ----------------------------------------------------------------------
FieldTree = dict[str, "FieldTree | None"]


def parse_fields(mask: str) -> FieldTree:
    """Parse Google's field-selector syntax: ``a,b/c,d(e,f/g)``; ``None`` leaves mean the whole value."""
    pos = 0

    def parse_list(stop: str | None) -> FieldTree:
        nonlocal pos
        tree: FieldTree = {}
        while pos < len(mask):
            m = re.compile(r"\s*([A-Za-z0-9_*$./\-]+)\s*").match(mask, pos)
            if not m:
                raise bad_request(f"Invalid field selection {mask}", reason="invalidParameter")
            pos = m.end()
            names = m.group(1).replace(".", "/").split("/")  # Sheets accepts FieldMask dots too
            node = tree
            for name in names[:-1]:
                child = node.get(name)
                if child is None:
                    child = {}
                    node[name] = child
                node = child
            last = names[-1]
            if pos < len(mask) and mask[pos] == "(":
                pos += 1
                sub = parse_list(")")
                existing = node.get(last)
                node[last] = {**existing, **sub} if isinstance(existing, dict) else sub
            else:
                node[last] = None
            if pos < len(mask) and mask[pos] == ",":
                pos += 1
                continue
            if stop and pos < len(mask) and mask[pos] == stop:
                pos += 1
                return tree
            if pos < len(mask):
                raise bad_request(f"Invalid field selection {mask}", reason="invalidParameter")
        if stop:
            raise bad_request(f"Invalid field selection {mask}", reason="invalidParameter")
        return tree

    return parse_list(None)


def _check_mask(tree: FieldTree, schema: dict[str, Any], schemas: dict[str, Any]) -> None:
    schema = _resolve(schema, schemas)
    while schema.get("type") == "array":
        schema = _resolve(schema.get("items", {}), schemas)
    if schema.get("type") not in ("object", None) or "*" in tree:
        return
    props = schema.get("properties", {})
    for name, sub in tree.items():
        if name in props:
            if sub:
                _check_mask(sub, props[name], schemas)
        elif "additionalProperties" in schema:
            if sub:
                _check_mask(sub, schema["additionalProperties"], schemas)
        else:
            raise bad_request(f"Invalid field selection {name}", reason="invalidParameter")


def apply_fields(value: Any, tree: FieldTree | None) -> Any:
    if tree is None or "*" in tree:
        return value
    if isinstance(value, list):
        return [apply_fields(v, tree) for v in value]
    if not isinstance(value, dict):
        return value
    return {k: apply_fields(value[k], sub) for k, sub in tree.items() if k in value}
