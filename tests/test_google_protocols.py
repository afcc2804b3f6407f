"""Protocols as Google Docs, crashes, faults and secrets: the google backend against the fake Workspace.

Real gspread and googleapiclient over HTTPS; faults and coordinator actions come from the fake.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import gspread
import pytest

from gmo_sync.backends.google.drive import DriveProtocolStore
from tests.fakegoogle import clients
from tests.fakegoogle.docs import docx_text
from tests.fakegoogle.server import FakeGoogle
from tests.google_env import GoogleInvoke
from tests.test_google_sheet import THREE, col, init_workspace, requests_since, type_rows, values

IDS = ["ГМО-2021-10-13", "ГМО-2021-11-17", "ГМО-2021-12-15"]


def doc_text(fake: FakeGoogle, doc_id: str) -> str:
    return "\n".join(docx_text(fake.ws.contents[doc_id]))


def protocol_docs(fake: FakeGoogle) -> dict[str, list[dict[str, Any]]]:
    """Live protocol documents by the meeting ID in their appProperties."""
    found: dict[str, list[dict[str, Any]]] = {}
    for file in fake.ws.files.values():
        props = file.get("appProperties") or {}
        if props.get("gmoKind") == "protocol" and not file.get("trashed"):
            found.setdefault(props["gmoMeeting"], []).append(file)
    return found


def assert_one_doc_each_and_linked(fake: FakeGoogle, book: gspread.Spreadsheet) -> None:
    docs = protocol_docs(fake)
    assert sorted(docs) == IDS and all(len(d) == 1 for d in docs.values()), docs
    for row in values(book)[1:]:
        (doc,) = docs[row[col("ID") - 1]]
        assert doc["id"] in row[col("Протокол") - 1], row


@pytest.fixture
def three(gmo_google: GoogleInvoke, coordinator: gspread.Client) -> gspread.Spreadsheet:
    """A fresh Google workspace whose Заседания holds three held meetings without IDs."""
    book = init_workspace(gmo_google, coordinator)
    type_rows(book, "Заседания", THREE)
    return book


# -- 4. crash between upload and write-back ---------------------------------------------------------------
@pytest.mark.parametrize("kind", ["503", "drop"])
def test_a_run_that_dies_before_the_write_back_leaves_one_doc_per_meeting_after_a_rerun(
    gmo_google: GoogleInvoke, fake: FakeGoogle, three: gspread.Spreadsheet, kind: str
) -> None:
    fake.add_fault(kind, at=1, method="sheets.spreadsheets.values.batchUpdate", times=6)  # every attempt
    crashed = gmo_google("protocols")
    # the documents were made, only the sheet's write failed: a failed step (exit 1), not «nothing done»
    assert crashed.exit_code == 1, crashed.output
    assert "Таблица: Google Таблица" in crashed.output and "(попыток: 6)" in crashed.output
    assert "Traceback" not in crashed.output
    assert sorted(protocol_docs(fake)) == IDS  # uploaded, not linked
    assert all(r[col("Протокол") - 1] == "" for r in values(three)[1:])

    fake.clear_faults()
    start = fake.request_count
    rerun = gmo_google("protocols")
    assert rerun.exit_code == 0, rerun.output
    assert "без изменений 3" in rerun.output
    assert not [e for e in requests_since(fake, start) if e["api_method"] == "drive.files.create"]
    assert_one_doc_each_and_linked(fake, three)


# -- 5. a cleared link cell ------------------------------------------------------------------------------
def test_a_cleared_link_is_written_again_without_a_second_doc(
    gmo_google: GoogleInvoke, fake: FakeGoogle, three: gspread.Spreadsheet
) -> None:
    assert gmo_google("protocols").exit_code == 0
    link = values(three)[2][col("Протокол") - 1]
    three.worksheet("Заседания").update([[""]], "O3", value_input_option="USER_ENTERED")
    start = fake.request_count
    rerun = gmo_google("protocols")
    assert rerun.exit_code == 0, rerun.output
    assert f"Заседания!O3: Протокол ← «{link}»" in rerun.output
    assert values(three)[2][col("Протокол") - 1] == link
    assert not [e for e in requests_since(fake, start) if e["api_method"].startswith("drive.files.create")]
    assert_one_doc_each_and_linked(fake, three)


# -- 6. updates in place, hand edits ---------------------------------------------------------------------
def test_a_changed_meeting_updates_its_doc_in_place_and_a_hand_edit_needs_force(
    gmo_google: GoogleInvoke, fake: FakeGoogle, three: gspread.Spreadsheet
) -> None:
    assert gmo_google("protocols").exit_code == 0
    (doc,) = protocol_docs(fake)[IDS[0]]
    doc_id, version = doc["id"], int(doc["version"])
    three.worksheet("Заседания").update([["Альфа и омега"]], "H2", value_input_option="USER_ENTERED")
    updated = gmo_google("protocols")
    assert updated.exit_code == 0, updated.output
    assert "обновлён протокол «2021-10-13 Протокол № 1»" in updated.output
    (doc,) = protocol_docs(fake)[IDS[0]]
    assert doc["id"] == doc_id and int(doc["version"]) > version
    assert "Альфа и омега" in doc_text(fake, doc_id)

    fake.act({"action": "edit_doc", "documentId": doc_id, "replace": {"Альфа и омега": "Альфа (правка)"}})
    skipped = gmo_google("protocols")
    assert skipped.exit_code == 1, skipped.output
    assert "Заседания!2: пропустить протокол «2021-10-13 Протокол № 1»" in skipped.output
    assert "изменён вручную" in skipped.output and "--force" in skipped.output
    assert "Альфа (правка)" in doc_text(fake, doc_id)

    forced = gmo_google("protocols", "--force")
    assert forced.exit_code == 0, forced.output
    assert "обновлён протокол «2021-10-13 Протокол № 1»" in forced.output
    assert "Альфа (правка)" not in doc_text(fake, doc_id)
    assert [d["id"] for d in protocol_docs(fake)[IDS[0]]] == [doc_id]
    quiet = gmo_google("protocols")
    assert quiet.exit_code == 0 and "без изменений 3" in quiet.output, quiet.output


# -- 8. faults ---------------------------------------------------------------------------------------------
def test_rate_limits_and_outages_on_every_call_are_retried_and_the_run_succeeds(
    gmo_google: GoogleInvoke, fake: FakeGoogle, three: gspread.Spreadsheet
) -> None:
    # the template Doc was edited: this run must export it again (otherwise its .docx comes from the cache)
    template_id = tomllib.loads(Path("gmo-sync.toml").read_text(encoding="utf-8"))["google"][
        "template_doc_id"
    ]
    fake.act({"action": "edit_doc", "documentId": template_id, "replace": {"Протокол": "Протокол"}})
    start = fake.request_count
    faults = {"sheets.spreadsheets.get": "429", "drive.files.export": "503", "drive.files.list": "403",
              "drive.files.create": "429", "sheets.spreadsheets.values.batchGet": "403",
              "sheets.spreadsheets.values.batchUpdate": "503"}  # fmt: skip
    for method, kind in faults.items():
        fake.add_fault(kind, at=start + 1, method=method, times=2)
    result = gmo_google("protocols")
    assert result.exit_code == 0, result.output
    log = requests_since(fake, start)
    assert sorted((e["api_method"], e["fault"]) for e in log if e["fault"]) == sorted(
        (m, k) for m, k in faults.items() for _ in range(2))  # fmt: skip
    assert_one_doc_each_and_linked(fake, three)  # a create that failed was not made twice


def test_a_permanent_403_stops_the_run_at_once_with_a_russian_message(
    gmo_google: GoogleInvoke, fake: FakeGoogle, three: gspread.Spreadsheet
) -> None:
    start = fake.request_count
    fake.add_fault("403_denied", probability=1.0, method="sheets.spreadsheets.get")
    result = gmo_google("protocols")
    assert result.exit_code == 2, result.output
    assert result.output.startswith("Ошибка: Google Таблица: Google отказал в доступе (403")
    assert "gmo-sync auth status" in result.output and "Traceback" not in result.output
    assert [e["api_method"] for e in requests_since(fake, start)] == ["sheets.spreadsheets.get"]  # no retry


@pytest.mark.parametrize("method", ["sheets.spreadsheets.get", "drive.files.list"])
def test_a_persistent_outage_ends_after_the_configured_attempts(
    gmo_google: GoogleInvoke, fake: FakeGoogle, three: gspread.Spreadsheet, monkeypatch: pytest.MonkeyPatch,
    method: str,
) -> None:  # fmt: skip
    monkeypatch.setenv("GMO_SYNC_GOOGLE_RETRY_ATTEMPTS", "3")
    start = fake.request_count
    fake.add_fault("503", probability=1.0, method=method)
    result = gmo_google("protocols")
    # no sheet: nothing can be done (2); no Drive: the protocols step fails alone, IDs are still written (1)
    assert result.exit_code == (2 if method.startswith("sheets") else 1), result.output
    assert "временно недоступен (попыток: 3)" in result.output and "Traceback" not in result.output
    assert [e["api_method"] for e in requests_since(fake, start)].count(method) == 3  # not gspread's forever


# -- 9. a service account without storage --------------------------------------------------------------
def test_a_service_account_that_cannot_own_files_stops_the_run_with_the_shared_drive_advice(
    gmo_google: GoogleInvoke, fake: FakeGoogle, three: gspread.Spreadsheet, google_home: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    key = google_home / "service-account.json"
    key_info = clients.service_account_info(fake.base_url)
    key.write_text(json.dumps(key_info), encoding="utf-8")
    monkeypatch.setenv("GMO_SYNC_GOOGLE_CREDENTIALS", str(key))
    fake.configure(service_account_storage_quota_exceeded=True)
    ids = tomllib.loads(Path("gmo-sync.toml").read_text(encoding="utf-8"))["google"]
    for file_id in (ids["protocols_folder_id"], ids["template_doc_id"]):  # made by the OAuth sign-in:
        fake.open_with(file_id, key_info["client_email"])  # drive.file lets the account see them only so
    start = fake.request_count
    result = gmo_google("protocols")
    # exit 2, not a per-meeting problem: every create would be refused the same way, no coordinator can
    # fix it in the sheet, and it is a configuration error (a shared-drive folder or OAuth is needed)
    assert result.exit_code == 2, result.output
    assert "storageQuotaExceeded" in result.output and "общем диске (shared drive)" in result.output
    assert "gmo-sync auth login" in result.output and "Traceback" not in result.output
    log = requests_since(fake, start)
    # stopped at the first refusal: only the uploads already in flight beside it were tried
    assert 1 <= [e["api_method"] for e in log].count("drive.files.create") <= DriveProtocolStore.concurrency
    assert not [e for e in log if e["method"] != "GET" and e["status"] == 200]  # nothing written anywhere
    assert protocol_docs(fake) == {}


# -- 10. secrets -------------------------------------------------------------------------------------------
def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The real CLI in a child process: logging goes to its own stderr, as in cron."""
    code = "from gmo_sync.cli.main import main; main()"
    return subprocess.run(
        [sys.executable, "-c", code, *args], cwd=cwd, env=dict(os.environ), capture_output=True, text=True,
        timeout=120, check=False,
    )  # fmt: skip


def test_verbose_output_never_shows_tokens_or_keys(
    gmo_google: GoogleInvoke, fake: FakeGoogle, three: gspread.Spreadsheet, google_home: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    fake.add_fault("503", at=fake.request_count + 1, method="drive.files.create")  # a retry gets logged too
    user = _cli("-v", "protocols", cwd=google_home)
    assert user.returncode == 0, user.stderr
    assert "DEBUG" in user.stderr  # -v really was verbose
    token_file = json.loads((google_home.parent / "config" / "gmo-sync" / "token.json").read_text())
    key = clients.service_account_info(fake.base_url)
    key_file = google_home / "service-account.json"
    key_file.write_text(json.dumps(key), encoding="utf-8")
    monkeypatch.setenv("GMO_SYNC_GOOGLE_CREDENTIALS", str(key_file))
    service = _cli("-v", "sync", cwd=google_home)
    assert service.returncode == 0, service.stderr
    secrets = [token_file["refresh_token"], token_file["client_secret"], *fake.dispatcher.auth.tokens]
    key_lines = [line for line in key["private_key"].splitlines() if "PRIVATE KEY" not in line]
    assert len(fake.dispatcher.auth.tokens) >= 2 and len(key_lines) > 10
    for run in (user, service):
        output = run.stdout + run.stderr
        leaked = [s for s in secrets + key_lines if s in output]
        assert leaked == [], leaked


def test_the_template_is_exported_only_when_its_doc_changes(
    gmo_google: GoogleInvoke, fake: FakeGoogle, three: gspread.Spreadsheet
) -> None:
    def exports() -> int:
        return sum(e["api_method"] == "drive.files.export" for e in fake.request_log())

    first = gmo_google("protocols")
    assert first.exit_code == 0, first.output
    assert exports() == 0  # init kept the .docx it uploaded, under the Doc's version
    template_id = tomllib.loads(Path("gmo-sync.toml").read_text(encoding="utf-8"))["google"][
        "template_doc_id"
    ]
    fake.act({"action": "edit_doc", "documentId": template_id, "replace": {"Протокол": "ПРОТОКОЛ"}})
    changed = gmo_google("protocols")
    assert changed.exit_code == 0, changed.output
    assert exports() == 1
    assert "обновлён протокол" in changed.output  # a new template re-renders the protocols
    third = gmo_google("protocols")
    assert third.exit_code == 0 and exports() == 1, third.output  # cached under the new version


def template_doc_id() -> str:
    """The template Doc's ID from the workspace's config (the tests run in the workspace folder)."""
    return tomllib.loads(Path("gmo-sync.toml").read_text(encoding="utf-8"))["google"]["template_doc_id"]
