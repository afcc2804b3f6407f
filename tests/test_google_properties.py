"""Meeting IDs in Google's property slots: as typed when they fit, a checked hash plus parts when not."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from gmo_sync.backends.google import properties as p

CYRILLIC_70 = "Заседание рабочей группы по сопровождению школьных библиотек г. Красноярска"[:70]


def test_an_id_that_fits_is_stored_as_typed_so_earlier_files_stay_readable() -> None:
    assert p.spell("gmoMeeting", "ГМО-2021-10-13", p.drive_fits) == {"gmoMeeting": "ГМО-2021-10-13"}
    assert p.read({"gmoMeeting": "ГМО-2021-10-13"}, "gmoMeeting") == "ГМО-2021-10-13"
    assert p.spell("gmoSyncMeeting", CYRILLIC_70, p.calendar_fits) == {"gmoSyncMeeting": CYRILLIC_70}


def test_a_long_cyrillic_id_becomes_a_marker_and_parts_that_each_fit_drive() -> None:
    spelled = p.spell("gmoMeeting", CYRILLIC_70, p.drive_fits)
    assert list(spelled) == ["gmoMeeting", "gmoMeeting1", "gmoMeeting2"]
    assert (
        spelled["gmoMeeting"].startswith("#2:")
        and p.lookup_value("gmoMeeting", CYRILLIC_70, p.drive_fits) == (spelled["gmoMeeting"])
    )
    assert all(p.drive_fits(k, v) for k, v in spelled.items())
    assert p.read(spelled, "gmoMeeting") == CYRILLIC_70


def test_a_tampered_or_incomplete_value_reads_as_nothing_and_a_marker_lookalike_is_split() -> None:
    spelled = p.spell("gmoMeeting", CYRILLIC_70, p.drive_fits)
    assert p.read({**spelled, "gmoMeeting2": "чужое"}, "gmoMeeting") == ""
    assert p.read({k: v for k, v in spelled.items() if k != "gmoMeeting2"}, "gmoMeeting") == ""
    lookalike = spelled["gmoMeeting"]  # a coordinator could type exactly this
    stored = p.spell("gmoMeeting", lookalike, p.drive_fits)
    assert stored["gmoMeeting"] != lookalike and p.read(stored, "gmoMeeting") == lookalike


def test_stale_parts_of_a_longer_id_are_deleted_on_update() -> None:
    before = p.spell("gmoMeeting", "я" * 200, p.drive_fits)  # 4 parts
    after = p.spell("gmoMeeting", CYRILLIC_70, p.drive_fits)  # 2 parts
    assert p.stale(before, "gmoMeeting", after) == {"gmoMeeting3": None, "gmoMeeting4": None}
    assert p.stale({"gmoMeetingX": "1", "gmoKind": "protocol"}, "gmoMeeting", after) == {}


@given(st.text(min_size=1, max_size=3000))
def test_every_id_round_trips_and_every_entry_fits(text: str) -> None:
    for key, fits in (("gmoMeeting", p.drive_fits), ("gmoSyncMeeting", p.calendar_fits)):
        spelled = p.spell(key, text, fits)
        assert p.read(spelled, key) == text
        assert all(fits(k, v) for k, v in spelled.items())
