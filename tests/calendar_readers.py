"""Independent .ics parsers: what each calendar client would show for a file.

Every reader takes the file's bytes and returns {UID: (start, end)} as aware UTC datetimes. Those in
``READS_VTIMEZONE`` build each zone from the file's own VTIMEZONE, as Thunderbird and Nextcloud
(ical.js), Evolution (libical) and Radicale (vobject) do; icalendar as gmo-sync uses it and ics-py
look a TZID that names an IANA zone up in the system's zone database instead, and so check the
events' wall times and TZIDs, not the VTIMEZONE. ical.js runs through Node and libical through a
system Python with GObject introspection; both are skipped cleanly where absent.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ics as ics_py
import pytest
import vobject
from icalendar import Calendar

Times = dict[str, tuple[dt.datetime, dt.datetime]]
HERE = Path(__file__).parent / "readers"
REPO = Path(__file__).parent.parent
# `.ci/run` installs ical.js here (npm, outside the tracked files); Node's own paths are tried next.
ICALJS_FOLDER = REPO / ".ci" / "node_modules" / "ical.js"
SYSTEM_PYTHON = Path("/usr/bin/python3")


def read_icalendar(data: bytes) -> Times:
    """icalendar as gmo-sync uses it: a TZID that names an IANA zone is read from zoneinfo."""
    return {str(e["UID"]): (_utc(e.start), _utc(e.end)) for e in Calendar.from_ical(data).events}


def read_icalendar_vtimezone(data: bytes) -> Times:
    """icalendar made to build each zone from the file's VTIMEZONE instead of looking the TZID up."""
    calendar = Calendar.from_ical(data)
    zones = {str(zone["TZID"]): zone.to_tz(lookup_tzid=False) for zone in calendar.timezones}

    def moment(event: Any, name: str) -> dt.datetime:
        value = event[name]
        tzid = value.params.get("TZID")  # none for UTC times («…Z»)
        return _utc(value.dt.replace(tzinfo=zones[tzid]) if tzid else value.dt)

    return {str(e["UID"]): (moment(e, "DTSTART"), moment(e, "DTEND")) for e in calendar.events}


def read_vobject(data: bytes) -> Times:
    # vobject keeps the first definition it met of each TZID for the rest of the process; a client
    # opening this file fresh starts with none.
    zones: dict[str, Any] = getattr(vobject.icalendar, "__tzidMap")
    zones.clear()
    vobject.icalendar.registerTzid("UTC", vobject.icalendar.utc)
    calendar = vobject.readOne(data.decode("utf-8"))
    return {
        e.uid.value: (_utc(e.dtstart.value), _utc(e.dtend.value)) for e in calendar.contents.get("vevent", [])
    }


def read_ics_py(data: bytes) -> Times:
    """ics-py uses the file's VTIMEZONE only for a TZID that dateutil's gettz does not know."""
    calendar = ics_py.Calendar(data.decode("utf-8"))
    return {e.uid: (_utc(e.begin.datetime), _utc(e.end.datetime)) for e in calendar.events}


def read_icaljs(data: bytes) -> Times:
    module = icaljs_module()
    if module is None:
        pytest.skip("ical.js is not installed here (node and `npm install --prefix .ci ical.js@1`)")
    found = _run(["node", str(HERE / "icaljs_read.js"), module], data)
    return {uid: (_iso(start), _iso(end)) for uid, (start, end) in found.items()}


def read_libical(data: bytes, tmp_path: Path) -> Times:
    if not has_libical():
        pytest.skip("libical's GObject bindings are not installed here (python3-gi, gir1.2-ical-3.0)")
    path = tmp_path / "for-libical.ics"
    path.write_bytes(data)
    found = _run([str(SYSTEM_PYTHON), str(HERE / "libical_read.py"), str(path)], b"")
    return {uid: (_basic(start), _basic(end)) for uid, (start, end) in found.items()}


READS_VTIMEZONE = ("icalendar-vtimezone", "vobject", "ical.js", "libical")
# The readers that need no more than the test extra: every test run checks these.
PYTHON_READERS: dict[str, Callable[[bytes], Times]] = {
    "icalendar": read_icalendar,
    "icalendar-vtimezone": read_icalendar_vtimezone,
    "vobject": read_vobject,
    "ics-py": read_ics_py,
}


@functools.cache
def icaljs_module() -> str | None:
    if shutil.which("node") is None:
        return None
    if (ICALJS_FOLDER / "package.json").is_file():
        return str(ICALJS_FOLDER)
    found = subprocess.run(
        ["node", "-e", "process.stdout.write(require.resolve('ical.js'))"],
        capture_output=True,
        text=True,
        check=False,
    )
    return found.stdout if found.returncode == 0 and found.stdout else None


@functools.cache
def has_libical() -> bool:
    if not SYSTEM_PYTHON.is_file():
        return False
    probe = "import gi; gi.require_version('ICalGLib', '3.0'); from gi.repository import ICalGLib"
    return subprocess.run([str(SYSTEM_PYTHON), "-c", probe], capture_output=True, check=False).returncode == 0


def _run(command: list[str], stdin: bytes) -> dict[str, list[str]]:
    done = subprocess.run(command, input=stdin, capture_output=True, check=False, timeout=120)
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    result: dict[str, list[str]] = json.loads(done.stdout)
    return result


def _utc(moment: dt.datetime) -> dt.datetime:
    assert moment.tzinfo is not None, f"{moment} was read as a floating time"
    return moment.astimezone(dt.UTC)


def _iso(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(dt.UTC)


def _basic(text: str) -> dt.datetime:
    assert text.endswith("Z"), text
    return dt.datetime.strptime(text, "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
