"""``python -I _measure.py OUT CMD...``: run CMD; its exit code, wall and CPU time and memory go to OUT.

Why a helper: a child's ``ru_maxrss`` includes the memory of the process it was forked from (Linux keeps
the pre-exec high-water mark), so measured straight from the benchmark — a large process — every child
would show the benchmark's own size. Forked from this small helper, the figure is the child's own.

Memory is reported two ways: ``peak_rss_kib`` is the largest single process (``ru_maxrss``: the child,
or one of the render workers it starts), and ``peak_total_kib`` the most the child and all its descendants
held at once, sampled every 20 ms as PSS (shared pages split between the processes sharing them, so
forked workers are not counted twice).
"""

import json
import os
import resource
import subprocess
import sys
import time

SAMPLE_SECONDS = 0.02


def descendants(pid):
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            with open(f"/proc/{current}/task/{current}/children") as handle:
                todo.extend(int(child) for child in handle.read().split())
        except OSError:
            continue
    return found


def memory_kib(pid):
    for name, field in ((f"/proc/{pid}/smaps_rollup", "Pss:"), (f"/proc/{pid}/status", "VmRSS:")):
        try:
            with open(name) as handle:
                for line in handle:
                    if line.startswith(field):
                        return int(line.split()[1])
        except OSError:
            continue
    return 0


started = time.monotonic()
proc = subprocess.Popen(sys.argv[2:])
peak_total = 0
while proc.poll() is None:
    if os.path.isdir("/proc"):
        peak_total = max(peak_total, sum(memory_kib(pid) for pid in descendants(proc.pid)))
    time.sleep(SAMPLE_SECONDS)
wall = time.monotonic() - started
usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # the child and every process it waited for
with open(sys.argv[1], "w", encoding="utf-8") as out:
    json.dump(
        {
            "exit_code": proc.returncode,
            "wall_seconds": wall,
            "cpu_seconds": usage.ru_utime + usage.ru_stime,
            "peak_rss_kib": usage.ru_maxrss,
            "peak_total_kib": peak_total,
        },
        out,
    )
sys.exit(0)
