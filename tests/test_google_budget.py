"""Issue 10's request budget on Google, counted on the fake: counts, not times (the same sheet asks the
same requests every time, so this is no timed test; `python -m bench` measures the rest).

A cold first run — a fresh machine: no access token yet and no cached template, so the run asks the
token endpoint once and exports the template Doc — stays within N + ⌈N/50⌉ + 8 HTTP requests in all (an
HTTP batch is one request, the token request and the export count); the rerun with nothing to change
within 3 API requests. The bench's own workload and its counting (``bench/stats.py``) are used, so the
figures here are the ones RESULTS.md reports.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import gspread

from bench.google_runs import check_first_run
from bench.stats import summarize
from bench.workload import fill_sheet, meetings
from tests.fakegoogle import clients
from tests.fakegoogle.server import FakeGoogle
from tests.google_env import GoogleInvoke
from tests.test_google_sheet import init_workspace

N = 6  # 3 online (one calendar batch), 3 in person


def make_cold(fake: FakeGoogle, google_home: Path) -> None:
    """What `init` leaves behind and a fresh machine has not got: the access token, the template's copy."""
    token = google_home.parent / "config" / "gmo-sync" / "token.json"
    assert json.loads(token.read_text(encoding="utf-8")).get("token"), "init saved an access token"
    token.write_text(json.dumps(clients.authorized_user_info(fake.base_url)), encoding="utf-8")
    cached = list((google_home.parent / "state").rglob("template-*.docx"))
    assert cached, "init cached the template it exported"
    for path in cached:
        path.unlink()


def test_a_cold_first_run_stays_within_n_plus_batches_plus_eight_requests(
    gmo_google: GoogleInvoke, fake: FakeGoogle, coordinator: gspread.Client, google_home: Path
) -> None:
    book = init_workspace(gmo_google, coordinator)
    items = meetings(N)
    fill_sheet(coordinator, book.id, items)
    make_cold(fake, google_home)

    start = fake.request_count
    first = gmo_google("run")
    assert first.exit_code == 0, first.output
    cold = summarize("cold first run", fake.request_log()[start:], 0.0)
    assert check_first_run(fake.state(), book.id, items) == []  # every protocol, event and link made
    made = {m: cold.by_method[m] for m in ("oauth2.token", "drive.files.export", "drive.files.create")}
    assert made == {"oauth2.token": 1, "drive.files.export": 1, "drive.files.create": N}
    assert cold.batch_inner["calendar.events.insert"] == N // 2
    bound = N + math.ceil(N / 50) + 8
    assert cold.http_requests <= bound, (cold.http_requests, bound, dict(cold.by_method))

    start = fake.request_count
    again = gmo_google("run")
    assert again.exit_code == 0, again.output
    rerun = summarize("no-change rerun", fake.request_log()[start:], 0.0)
    assert (rerun.api_requests, rerun.token_requests) == (3, 0), dict(rerun.by_method)
