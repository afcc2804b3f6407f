"""Help is documentation: the README's command reference matches the CLI."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from gmo_sync.cli.main import cli

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def reference_rows() -> list[str]:
    section = README.split("## Command reference", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `gmo-sync ([^`]+)` \|", section, flags=re.MULTILINE)


def test_every_command_is_in_the_readme_and_back() -> None:
    documented = {row.split()[0] for row in reference_rows()}
    assert documented == set(cli.commands)


def test_every_documented_option_exists() -> None:
    for row in reference_rows():
        name, *rest = row.split()
        help_text = CliRunner().invoke(cli, [name, "--help"]).output
        for option in re.findall(r"--[a-z-]+", " ".join(rest)):
            assert option in help_text, f"{name} {option}"
