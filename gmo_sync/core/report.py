"""What a run did, for the CLI to print and the Журнал to record."""

from __future__ import annotations

from dataclasses import dataclass, field

from gmo_sync.core.actions import Action, Kind, Status, note
from gmo_sync.core.problems import Problem

# counts kept in RunReport.counts, with their Russian names for the Журнал
COUNT_NAMES = {
    "cells": "ячеек записано",
    "created": "протоколов создано",
    "updated": "протоколов обновлено",
    "skipped": "протоколов пропущено",
    "pdf": "PDF создано",
    "events_created": "событий создано",
    "events_updated": "событий обновлено",
    "events_cancelled": "событий отменено",
    "letters_sent": "писем отправлено",
    "letters_failed": "писем не отправлено",
}
# the count each kind of action adds to, when planned (dry run) or done
ACTION_COUNTS = {
    Kind.PROTOCOL_CREATE: "created",
    Kind.PROTOCOL_UPDATE: "updated",
    Kind.PROTOCOL_SKIP: "skipped",
    Kind.PROTOCOL_PDF: "pdf",
    Kind.EVENT_CREATE: "events_created",
    Kind.EVENT_UPDATE: "events_updated",
    Kind.EVENT_CANCEL: "events_cancelled",
    Kind.DOCUMENT_CREATE: "documents_created",
    Kind.DOCUMENT_UPDATE: "documents_updated",
    Kind.DOCUMENT_SKIP: "documents_skipped",
    Kind.DOCUMENT_KEEP: "documents_unchanged",
    Kind.DOCUMENT_PDF: "pdf",
    Kind.LETTER_SEND: "letters_sent",
}


@dataclass
class RunReport:
    command: str
    dry_run: bool
    actions: list[Action] = field(default_factory=list)  # what was (or would be) done, in order
    lines: list[str] = field(default_factory=list)  # free-form lines of commands that plan no actions
    problems: list[Problem] = field(default_factory=list)
    # worth a look but not a problem (a copy of a protocol, left alone): shown and logged once, exit 0
    notices: list[Problem] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    cells_written: int = 0
    failed_steps: list[str] = field(default_factory=list)  # steps that could not run («календарь»)
    steps: list[str] = field(default_factory=list)  # the steps this command ran
    duration: float = 0.0  # seconds, set by the caller
    retries: int = 0  # requests sent again after a transient error (Google), set by the caller
    paced_seconds: float = 0.0  # time spent waiting to stay inside Google's quotas, set by the caller

    def count(self, key: str, n: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + n

    def count_actions(self) -> None:
        """Counts from the actions: the planned ones in a dry run, the done ones in a run."""
        wanted = Status.PLANNED if self.dry_run else Status.DONE
        for action in self.actions:
            if action.status == wanted and action.kind in ACTION_COUNTS:
                self.count(ACTION_COUNTS[action.kind])

    def all_actions(self) -> list[Action]:
        return self.actions + [note(line) for line in self.lines]

    def problem(self, place: str, message: str) -> None:
        self.problems.append(Problem(place, message))

    @property
    def exit_code(self) -> int:
        """SPEC: 0 all done; 1 done, but with problems; 2 nothing done."""
        if self.steps and set(self.failed_steps) >= set(self.steps) and not self.cells_written:
            return 2
        return 1 if self.problems or self.failed_steps else 0
