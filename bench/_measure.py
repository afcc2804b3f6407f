"""``python -I _measure.py OUT CMD...``: run CMD, write its exit code, wall time and peak RSS to OUT (JSON).

Why a helper: a child's ``ru_maxrss`` includes the memory of the process it was forked from (Linux keeps
the pre-exec high-water mark), so measured straight from the benchmark — a large process — every child
would show the benchmark's own size. Forked from this small helper, the figure is the child's own.
"""

import json
import resource
import subprocess
import sys
import time

started = time.monotonic()
code = subprocess.call(sys.argv[2:])
wall = time.monotonic() - started
with open(sys.argv[1], "w", encoding="utf-8") as out:
    json.dump(
        {
            "exit_code": code,
            "wall_seconds": wall,
            "peak_rss_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
        },
        out,
    )
sys.exit(0)
