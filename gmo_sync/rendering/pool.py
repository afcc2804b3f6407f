"""Render many documents from one template on every CPU, handing them back in the order asked.

Rendering is CPU work under the GIL, so threads would not help: large runs use worker processes, each
with the compiled template (a forked worker inherits it; otherwise it compiles it once). The caller gets
the documents one by one in job order — it writes files in a deterministic order, and the bytes are the
same as a sequential render's (rendering depends on nothing but the template and the data). Only a few
chunks are in flight at a time, so memory does not grow with the number of documents.

A worker must never outlive the run: a run killed with -9 would otherwise leave workers holding its
stdout and its workspace lock (an inherited flock). On Linux each worker asks the kernel for SIGKILL
when its parent dies; elsewhere a watchdog thread exits when the parent is gone.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import sys
import threading
import time
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor

from gmo_sync.rendering.compiled import CompiledTemplate, Stamp
from gmo_sync.rendering.engine import compile_template
from gmo_sync.rendering.errors import TemplateError

__all__ = ["Job", "cpu_count", "render_many", "worker_count"]

Job = tuple[Mapping[str, object], Stamp | None]  # a document's context and its core-property stamp
MIN_JOBS_PER_WORKER = 16  # below this a worker's start-up costs more than it saves
CHUNK = 4  # documents per message to a worker: fewer round trips, still a fine-grained order
IN_FLIGHT_PER_WORKER = 2  # chunks queued per worker: keeps them busy, bounds memory

_worker_template: CompiledTemplate | None = None


def cpu_count() -> int:
    """CPUs this process may run on (its affinity mask, not the machine's total)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def worker_count(jobs: int, cpus: int | None = None) -> int:
    """Worker processes for ``jobs`` documents: one per CPU, fewer for small runs; 0 means render here."""
    cpus = cpu_count() if cpus is None else cpus
    workers = min(cpus, jobs // MIN_JOBS_PER_WORKER)
    return workers if workers >= 2 else 0


def render_many(
    template: CompiledTemplate, source: bytes, jobs: Sequence[Job], *, workers: int | None = None
) -> Iterator[bytes]:
    """Each job's .docx, in job order. ``source`` is the template's file, for workers that must compile it.

    A ``TemplateError`` of a job is raised when its turn comes, after every earlier document was
    handed out — as in a sequential loop.
    """
    workers = worker_count(len(jobs)) if workers is None else workers
    if workers <= 1:
        for context, stamp in jobs:
            yield template.render(context, stamp)
        return
    chunks = [jobs[start : start + CHUNK] for start in range(0, len(jobs), CHUNK)]
    # A forked worker shares the parent's memory until it writes to it, and a garbage collection
    # writes to every object it visits: frozen, the parent's objects are left out of the workers' GCs.
    # Garbage first (the workbook's cells, reference cycles, dropped after reading): frozen, it would stay.
    gc.collect()
    gc.freeze()
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=_context(),
        initializer=_start_worker,
        initargs=(os.getpid(), template.name, source),
    )
    pending: deque[Future[list[bytes | TemplateError]]] = deque()
    try:
        queued = iter(chunks)
        for chunk in queued:
            pending.append(pool.submit(_render_chunk, chunk))
            if len(pending) >= workers * IN_FLIGHT_PER_WORKER:
                break
        while pending:
            documents = pending.popleft().result()
            chunk = next(queued, None)
            if chunk is not None:
                pending.append(pool.submit(_render_chunk, chunk))
            for document in documents:
                if isinstance(document, TemplateError):
                    raise document
                yield document
    finally:
        for future in pending:
            future.cancel()
        pool.shutdown(wait=True, cancel_futures=True)
        gc.unfreeze()


def _context() -> multiprocessing.context.BaseContext:
    # fork: a worker starts in milliseconds with the template already compiled. It is unsafe only
    # with other threads running (a lock held by one of them stays held in the child).
    if "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _start_worker(parent: int, name: str, source: bytes) -> None:
    global _worker_template
    _die_with(parent)
    _worker_template = compile_template(source, template_name=name)  # a forked worker finds it cached


def _render_chunk(chunk: Sequence[Job]) -> list[bytes | TemplateError]:
    """The chunk's documents; a template error ends it, after the documents before it."""
    assert _worker_template is not None
    done: list[bytes | TemplateError] = []
    for context, stamp in chunk:
        try:
            done.append(_worker_template.render(context, stamp))
        except TemplateError as error:
            done.append(error)
            break
    return done


def _die_with(parent: int) -> None:
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        pr_set_pdeathsig = 1
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0) == 0:
            if os.getppid() != parent:  # the parent died before the request took effect
                os._exit(1)
            return

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="parent-watch").start()
