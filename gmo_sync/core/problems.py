"""Problems found in the sheet, and the error hierarchy the CLI turns into exit codes.

A ``Problem`` is data, not an exception: validation collects them per row and
the run goes on with the valid rows. Exceptions are for the run as a whole
(configuration, template, connection) and map to exit code 2.
"""

from __future__ import annotations

from dataclasses import dataclass


def column_letter(index: int) -> str:
    """1-based column index → spreadsheet letters (1 → A, 27 → AA)."""
    letters = ""
    while index > 0:
        index, rem = divmod(index - 1, 26)
        letters = chr(ord("A") + rem) + letters
    return letters


def cell_ref(tab: str, row: int, column: int | None = None) -> str:
    """``Заседания!C5`` for a cell, ``Заседания!5`` for a whole row."""
    if column is None:
        return f"{tab}!{row}"
    return f"{tab}!{column_letter(column)}{row}"


@dataclass(frozen=True, order=True)
class Problem:
    """One thing a coordinator should fix, with its place in the sheet."""

    place: str  # «Заседания!C5», «Заседания» (a whole tab) …
    message: str  # Russian: what was found and what is expected

    def __str__(self) -> str:
        return f"{self.place}: {self.message}"


class GmoSyncError(Exception):
    """The one root of gmo-sync's own errors: a failure of the whole run. Its message is for the user,
    in Russian; ``exit_code`` is what the CLI exits with (SPEC: 2 nothing done, 3 locked)."""

    exit_code = 2


class ConfigError(GmoSyncError):
    """The configuration is missing or invalid; ``problems`` lists every issue at once."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


class SheetStructureError(GmoSyncError):
    """The sheet cannot be read at all: a tab or a required header is missing."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("Таблица не может быть прочитана: " + "; ".join(map(str, problems)))
        self.problems = problems


class WorkbookBusyError(GmoSyncError):
    """The local workbook is open in an editor; writing now would race it."""


class BackendError(GmoSyncError):
    """A storage or connection failure that retries did not cure."""


class StepError(BackendError):
    """A whole step cannot go on (its folder is a file, unwritable, the disk is full): the step stops
    with this one sentence instead of one per meeting, and the other steps still run."""


class LockedError(GmoSyncError):
    """Another run holds the workspace lock."""

    exit_code = 3
