"""Benchmark: gmo-sync against the standalone fake Google Workspace, beside a naive per-row merge.

Run from the repository root: ``python -m bench`` (see ``python -m bench --help`` and README «Benchmark»).
Not part of the installed package: it drives ``gmo-sync`` as a subprocess, exactly as cron would.
"""
