"""Changing one setting in ``gmo-sync.toml`` the way a person would: in place, comments and order kept.

Used by commands that create something the configuration must then point at (``template upload``
writes ``google.template_doc_id``). The result is read back before it replaces the file, so a file this
cannot edit safely is left as it was.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from pathlib import Path

from gmo_sync.core.problems import ConfigError

_HEADER = re.compile(r"^\s*\[([^\[\]]+)\]\s*(?:#.*)?$")


def set_value(path: Path, section: str, key: str, value: str) -> None:
    """Set ``[section] key = "value"`` (a string) in the TOML file at ``path``."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    rendered = f"{key} = {json.dumps(value, ensure_ascii=False)}"  # a TOML basic string
    assignment = re.compile(rf"^(\s*){re.escape(key)}\s*=\s*(\"(?:[^\"\\]|\\.)*\"|'[^']*')(\s*(?:#.*)?)$")
    headers = {i: m.group(1).strip() for i, line in enumerate(lines) if (m := _HEADER.match(line))}
    start = next((i for i, name in headers.items() if name == section), None)
    if start is None:
        lines.append(("" if not lines or lines[-1].endswith("\n") else "\n") + f"\n[{section}]\n{rendered}\n")
    else:
        end = min([i for i in headers if i > start], default=len(lines))
        for i in range(start + 1, end):
            found = assignment.match(lines[i].rstrip("\n"))
            if found:
                lines[i] = f"{found.group(1)}{rendered}{found.group(3)}\n"
                break
        else:
            lines.insert(start + 1, rendered + "\n")
    new_text = "".join(lines)
    try:
        reread = tomllib.loads(new_text)
    except tomllib.TOMLDecodeError:
        reread = {}
    if reread.get(section, {}).get(key) != value:
        raise ConfigError(f"Не удалось записать {section}.{key} в {path}: впишите вручную {rendered}")
    temp = path.with_name(path.name + ".tmp")
    temp.write_text(new_text, encoding="utf-8")
    os.replace(temp, path)
