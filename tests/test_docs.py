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


def command_path(row: str) -> list[str]:
    """`auth login [--no-browser]` → ["auth", "login"]: the words before options and arguments."""
    return [word for word in re.split(r"\s+", row.split("[")[0]) if re.fullmatch(r"[a-z]+", word)]


def test_every_command_is_in_the_readme_and_back() -> None:
    documented = {command_path(row)[0] for row in reference_rows()}
    assert documented == set(cli.commands)
    documented_auth = {command_path(row)[1] for row in reference_rows() if row.startswith("auth")}
    assert documented_auth == set(cli.commands["auth"].commands)  # type: ignore[attr-defined]


def test_every_documented_option_exists() -> None:
    for row in reference_rows():
        path = command_path(row)
        help_text = CliRunner().invoke(cli, [*path, "--help"]).output
        for option in re.findall(r"--[a-z-]+", row):
            assert option in help_text, f"{path} {option}"


REPO = Path(__file__).resolve().parent.parent
PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)\s]+)\)")


def test_readme_and_docs_link_only_inside_the_repository() -> None:
    """A person who clones the project has the repository and nothing beside it (no ../shared)."""
    assert len(PAGES) >= 5
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        assert "../shared" not in text and "not implemented yet" not in text, page.name
        for target in LINK.findall(text):
            if target.startswith(("http://", "https://", "mailto:", "#")):
                continue
            resolved = (page.parent / target.split("#", 1)[0]).resolve()
            assert resolved.is_relative_to(REPO), f"{page.name}: {target} leaves the repository"
            assert resolved.exists(), f"{page.name}: {target} does not exist"


def test_the_coordinators_guide_is_russian_and_answers_the_first_questions() -> None:
    guide = (REPO / "docs" / "coordinators.md").read_text(encoding="utf-8")
    for heading in ("Как заполнять таблицу", "Цвета и статусы", "Если программа сообщила о проблеме"):
        assert f"\n## {heading}\n" in guide
    letters = [ch for ch in guide if ch.isalpha()]
    assert sum("а" <= ch.lower() <= "я" or ch in "ёЁ" for ch in letters) > 0.8 * len(letters)
