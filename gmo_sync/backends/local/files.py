"""File helpers shared by the local stores."""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from pathlib import Path


def shared_file_mode(target: Path) -> int:
    """The mode a replaced file should keep (or a new one should get under the umask).

    ``mkstemp`` creates 0600 files; renaming one over a shared workbook would
    silently lock the other coordinators out of it.
    """
    if target.exists():
        return stat.S_IMODE(target.stat().st_mode)
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_atomically(target: Path, data: bytes, *, clean: bool = True, backup: Path | None = None) -> None:
    """Temp file in the same folder, fsync, then rename: a killed run leaves the old file or the new one.

    The one atomic save of the local backend (workbook, protocols, calendar). ``clean``: first remove
    this file's temporaries left by a killed run; a caller writing many files into one folder passes
    False and cleans the folder once instead (a scan per write is quadratic). ``backup``: where the
    previous version is copied first (the workbook keeps ``ГМО.xlsx.bak``).
    """
    if clean:
        remove_leftovers(target.parent, f".{target.name}.*.tmp")
    fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, shared_file_mode(target))
        if backup is not None and target.exists():
            shutil.copy2(target, backup)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def remove_leftovers(folder: Path, pattern: str) -> None:
    """Delete temporary files a killed run left behind (``kill -9`` skips every cleanup).

    Called only by writing commands, which hold the workspace lock, so no other run can be
    writing one of them right now.
    """
    for leftover in folder.glob(pattern):
        leftover.unlink(missing_ok=True)
