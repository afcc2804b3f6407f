"""Absurd settings and mistyped variables are refused by name; every error is printed once (issue 15.4)."""

from __future__ import annotations

from pathlib import Path

import pytest

from gmo_sync.core.config import RANGES, load_config
from gmo_sync.core.problems import ConfigError
from tests.hostile_support import run


def problems_of(text: str, environ: dict[str, str] | None = None, tmp_path: Path | None = None) -> list[str]:
    assert tmp_path is not None
    path = tmp_path / "gmo-sync.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ=environ or {})
    return [str(caught.value), *caught.value.problems]


@pytest.mark.parametrize("value", ["-5", "0", "4", "1441", "100000000"])
def test_duration_outside_5_to_1440_minutes_is_refused(tmp_path: Path, value: str) -> None:
    found = problems_of(f"[calendar]\nduration_minutes = {value}\n", tmp_path=tmp_path)
    assert found == [f"Ошибки в {tmp_path / 'gmo-sync.toml'}:",
                     f"[calendar] duration_minutes = «{value}»: допустимо от 5 до 1 440"]  # fmt: skip


@pytest.mark.parametrize("value", ["5", "90", "1440"])
def test_duration_inside_the_range_is_accepted(tmp_path: Path, value: str) -> None:
    path = tmp_path / "gmo-sync.toml"
    path.write_text(f"[calendar]\nduration_minutes = {value}\n", encoding="utf-8")
    assert load_config(path, environ={}).calendar.duration_minutes == int(value)


def test_every_ranged_setting_refuses_a_value_far_outside(tmp_path: Path) -> None:
    lines: dict[str, list[str]] = {}
    for dotted, (_low, high) in RANGES.items():
        section, key = dotted.split(".")
        lines.setdefault(section, []).append(f"{key} = {high * 1000 + 1}")
    text = "".join(f"[{section}]\n" + "\n".join(keys) + "\n" for section, keys in lines.items())
    found = problems_of(text, tmp_path=tmp_path)[1:]
    assert len(found) == len(RANGES)
    assert all("допустимо от" in line for line in found)


def test_send_updates_is_one_of_googles_values(tmp_path: Path) -> None:
    found = problems_of('[calendar]\nsend_updates = "everyone"\n', tmp_path=tmp_path)
    assert found[1] == "[calendar] send_updates = «everyone»: допустимо all / externalOnly / none"


def test_a_bad_environment_value_is_named_as_the_variable(tmp_path: Path) -> None:
    found = problems_of("", {"GMO_SYNC_CALENDAR_DURATION_MINUTES": "abc"}, tmp_path)
    assert found == ["Ошибки в переменных окружения:",
                     "GMO_SYNC_CALENDAR_DURATION_MINUTES = «abc»: ожидается целое число"]  # fmt: skip
    assert "gmo-sync.toml" not in " ".join(found)


def test_an_unknown_variable_is_reported_like_an_unknown_key(tmp_path: Path) -> None:
    found = problems_of('numbring = "academic"\n', {"GMO_SYNC_CALENDER_SUMMARY": "x"}, tmp_path)
    assert found == [
        f"Ошибки в {tmp_path / 'gmo-sync.toml'} и переменных окружения:",
        "GMO_SYNC_CALENDER_SUMMARY: неизвестная переменная окружения; может быть, GMO_SYNC_CALENDAR_SUMMARY?",
        "numbring: неизвестный параметр",
    ]


def test_variables_that_are_not_settings_are_not_unknown(tmp_path: Path) -> None:
    path = tmp_path / "gmo-sync.toml"
    path.write_text("", encoding="utf-8")
    environ = {"GMO_SYNC_CONFIG": str(path), "GMO_SYNC_MAIL_PASSWORD": "secret", "GMO_SYNC_CITY": "Ачинск"}
    assert load_config(None, environ=environ).city == "Ачинск"


def test_an_error_is_printed_once_on_stderr(tmp_path: Path) -> None:
    """As cron sees it: a real process, the console log handler installed (CliRunner would hide it)."""
    (tmp_path / "gmo-sync.toml").write_text("[calendar]\nduration_minutes = -5\n", encoding="utf-8")
    result = run(["check"], tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == (f"Ошибка: Ошибки в {tmp_path / 'gmo-sync.toml'}:\n"
                             "  [calendar] duration_minutes = «-5»: допустимо от 5 до 1 440\n")  # fmt: skip


def test_an_error_in_a_run_is_printed_once_and_logged_to_the_file(tmp_path: Path) -> None:
    (tmp_path / "gmo-sync.toml").write_text('log_file = "run.log"\n', encoding="utf-8")
    result = run(["run"], tmp_path)  # no workbook here
    assert result.returncode == 2
    assert result.stderr.count("Ошибка:") == 1
    assert "ERROR" not in result.stderr
    assert "не найдена" in (tmp_path / "run.log").read_text(encoding="utf-8")
