"""Standalone mode: ``python -m tests.fakegoogle`` as a subprocess, controlled over HTTP."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from googleapiclient.errors import HttpError

from . import clients

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def server():
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.fakegoogle", "--seed", "3"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    try:
        info = json.loads(proc.stdout.readline())
        yield proc, info
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_subprocess_server_end_to_end(server):
    proc, info = server
    base, ca = info["base_url"], info["ca_path"]
    assert base.startswith("https://127.0.0.1:") and Path(ca).read_text().startswith("-----BEGIN CERTIFICATE")

    def control(method: str, name: str, body: dict | None = None) -> dict:
        response = requests.request(method, f"{base}/_fake/{name}", json=body, verify=ca, timeout=10)
        assert response.status_code == 200, response.text
        return response.json()

    assert control("GET", "health")["ok"] is True
    book = control(
        "POST",
        "actions",
        {"action": "create_spreadsheet", "title": "Мастер", "sheets": {"Лист1": [["id"], ["m1"]]}},
    )["result"]
    creds = clients.credentials(base, "user")
    gc = clients.gspread_client(base, ca, creds)
    assert gc.open_by_key(book).sheet1.get_all_values() == [["id"], ["m1"]]

    control("POST", "faults", {"rules": [{"kind": "503", "method": "drive.files.list", "at": 1}]})
    drive = clients.service("drive", "v3", base, ca, creds)
    with pytest.raises(HttpError) as err:
        drive.files().list().execute()
    assert err.value.status_code == 503
    assert drive.files().list(fields="files(name)").execute() == {"files": [{"name": "Мастер"}]}

    control(
        "POST",
        "actions",
        {"action": "insert_row", "spreadsheetId": book, "index": 1, "values": ["m0"], "before_request": 100},
    )
    log = control("GET", "log")["entries"]
    assert [e["api_method"] for e in log][-2:] == ["drive.files.list", "drive.files.list"]
    assert [e["status"] for e in log][-2:] == [503, 200]
    state = control("GET", "state")
    assert state["spreadsheets"][book]["sheets"][0]["values"] == [["id"], ["m1"]]
    control("POST", "reset")
    assert control("GET", "state")["spreadsheets"] == {}
    assert control("GET", "log")["entries"] == []

    proc.kill()  # killed mid-run: clients see a connection error, not a hang
    proc.wait(timeout=10)
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(f"{base}/_fake/health", verify=ca, timeout=5)


def test_control_rejects_bad_input(server):
    _, info = server
    base, ca = info["base_url"], info["ca_path"]
    bad = requests.post(
        f"{base}/_fake/faults", json={"rules": [{"kind": "418", "at": 1}]}, verify=ca, timeout=10
    )
    assert bad.status_code == 400 and "unknown fault kind" in bad.text
    unknown = requests.get(f"{base}/_fake/nothing", verify=ca, timeout=10)
    assert unknown.status_code == 400


def test_workdir_that_does_not_exist_yet_is_created(tmp_path):
    workdir = tmp_path / "new" / "fake"
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.fakegoogle", "--workdir", str(workdir)],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )  # fmt: skip
    try:
        line = proc.stdout.readline()
        assert line, proc.stderr.read() if proc.poll() is not None else "no output"
        info = json.loads(line)
        assert Path(info["ca_path"]).parent == workdir
        assert Path(info["ca_path"]).read_text().startswith("-----BEGIN CERTIFICATE")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
