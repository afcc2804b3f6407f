"""One run at a time per workspace.

filelock takes an OS lock (flock) on a file beside the config: the kernel drops it
when the process dies, so a run killed with -9 leaves no stale lock behind, and
the lock file itself may stay.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import filelock

from gmo_sync.core.config import Config
from gmo_sync.core.problems import LockedError

LOCK_NAME = ".gmo-sync.lock"


@contextmanager
def workspace_lock(config: Config) -> Iterator[None]:
    path = config.root / LOCK_NAME
    lock = filelock.FileLock(str(path), timeout=0)
    try:
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
