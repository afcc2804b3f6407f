"""One run at a time per workspace.

filelock takes an OS lock (flock) on a file beside the config: the kernel drops it
when the process dies, so a run killed with -9 leaves no stale lock behind, and
the lock file itself may stay. A workspace folder the run may not write to (read-only
share, wrong owner) gets its lock in the temporary folder instead, keyed by the
workspace's path: the run goes on, and the steps that need to write there say why
they could not.
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import filelock

from gmo_sync.core.config import Config
from gmo_sync.core.problems import LockedError

LOCK_NAME = ".gmo-sync.lock"
log = logging.getLogger(__name__)


def _fallback(root: Path) -> Path:
    key = hashlib.sha256(str(root).encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"gmo-sync-{key}.lock"


@contextmanager
def workspace_lock(config: Config) -> Iterator[None]:
    path = config.root / LOCK_NAME
    lock = filelock.FileLock(str(path), timeout=0)
    try:
        try:
            lock.acquire()
        except filelock.Timeout:
            raise  # (a TimeoutError, hence an OSError too)
        except OSError as error:
            path = _fallback(config.root)
            log.info("блокировка %s недоступна (%s); используется %s", config.root / LOCK_NAME, error, path)
            lock = filelock.FileLock(str(path), timeout=0)
            lock.acquire()
    except filelock.Timeout:
        raise LockedError(
            f"Другой запуск gmo-sync уже работает с этой рабочей папкой ({config.root}); "
            f"дождитесь его окончания. Блокировка: {path}"
        ) from None
    try:
        yield
    finally:
        lock.release()
