"""The frozen moment every test runs at: 25.11.2026 12:00 in Krasnoyarsk (UTC+7)."""

from __future__ import annotations

import datetime as dt

NOW = dt.datetime(2026, 11, 25, 5, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 11, 25)
