"""Standalone mode: ``python -m tests.fakegoogle [--port N] [--seed S]`` (run from the repo root).

Prints one JSON line ``{"base_url": ..., "ca_path": ..., "port": ...}`` on stdout, flushes, then serves
until killed (SIGTERM/SIGINT). Control it over HTTP at ``BASE_URL/_fake/...`` (see control.py).
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading

from .server import FakeGoogle


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fakegoogle", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--seed", type=int, default=0, help="seed for probabilistic faults")
    parser.add_argument("--workdir", help="where to write the CA bundle (default: a temp dir)")
    args = parser.parse_args(argv)
    fake = FakeGoogle(host=args.host, port=args.port, seed=args.seed, workdir=args.workdir).start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    print(json.dumps(fake.describe()), flush=True)
    stop.wait()
    fake.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
