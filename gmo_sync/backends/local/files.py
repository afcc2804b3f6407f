"""File helpers shared by the local stores."""

from __future__ import annotations

import os
import stat
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
