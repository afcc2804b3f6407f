"""Logging of a command: the console (stderr) and, when configured, a rotating log file.

Everything logged passes through ``redact`` first: with -v every library logs at DEBUG, and no token or
key may reach a terminal or a file.
"""

from __future__ import annotations

import logging
import logging.handlers
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from gmo_sync.cli import redact
from gmo_sync.core.config import Config

ALREADY_SHOWN = "gmo_sync_already_shown"  # a record the user has already read on stderr


def _not_shown_yet(record: logging.LogRecord) -> bool:
    return not getattr(record, ALREADY_SHOWN, False)


def configure_console(verbose: int) -> None:
    level = logging.DEBUG if verbose else logging.WARNING
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    for handler in logging.getLogger().handlers:
        # an error is printed once as a sentence; the console log must not repeat it as «ERROR gmo_sync: …»
        console = isinstance(handler, logging.StreamHandler) and not isinstance(handler, logging.FileHandler)
        if console and _not_shown_yet not in handler.filters:
            handler.addFilter(_not_shown_yet)
    redact.install()  # -v logs every library at DEBUG: credentials are scrubbed before any handler writes


@contextmanager
def log_file(config: Config, verbose: int) -> Iterator[None]:
    """A rotating log file while a run works, when `log_file` is configured: one line per run, details
    with -v."""
    if not config.log_file:
        yield
        return
    path = config.resolve(config.log_file)
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=1_000_000, backupCount=5, encoding="utf-8")
    handler.setLevel(logging.DEBUG if verbose else logging.INFO)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    for existing in root.handlers:  # the console keeps its level; only the file gets INFO
        if existing.level == logging.NOTSET:
            existing.setLevel(root.level)
    root.addHandler(handler)
    root.setLevel(min(root.level, handler.level))
    redact.install()  # the file gets the same scrubbing as the console
    try:
        yield
    finally:
        root.removeHandler(handler)
        handler.close()
