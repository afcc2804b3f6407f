"""A strict fake Google Workspace server for gmo-sync's tests (see README.md)."""

from __future__ import annotations

from .server import FakeGoogle

__all__ = ["FakeGoogle"]
