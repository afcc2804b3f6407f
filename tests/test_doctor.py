"""`gmo-sync doctor`: passes on a fresh workspace and names the fix for each way Google set-up goes wrong."""

from __future__ import annotations

import datetime as dt
import json
import stat
from pathlib import Path

import gspread
import pytest

from gmo_sync.backends.google.diagnosis import invisible_template_message
from gmo_sync.core.config_file import set_value
from tests.fakegoogle import clients
from tests.fakegoogle.server import FakeGoogle
from tests.frozen import NOW
from tests.google_env import GoogleInvoke
from tests.test_google_tokens import token_file


def lines_of(output: str) -> dict[str, str]:
    """«✗ Таблица: …» → {"Таблица": "✗ Таблица: …"}."""
    found = {}
    for line in output.splitlines():
        _, _, rest = line.partition(" ")
        found[rest.split(":", 1)[0]] = line
    return found


@pytest.fixture
def fresh(gmo_google: GoogleInvoke) -> GoogleInvoke:
    result = gmo_google("init", "--google", "--title", "ГМО доктор")
    assert result.exit_code == 0, result.output
    return gmo_google


def test_a_fresh_google_workspace_passes(fresh: GoogleInvoke, fake: FakeGoogle, google_home: Path) -> None:
    start = fake.request_count
    result = fresh("doctor")
    assert result.exit_code == 0, result.output
    lines = lines_of(result.output)
    assert all(line.startswith("✓") for line in lines.values()), result.output
    for name in ("Настройки", "Папка блокировки", "Папка состояния", "Вход в Google", "Обновление токена",
                 "Права", "Срок входа", "Google Диск", "Таблица", "Папка протоколов", "Шаблон протокола",
                 "Календарь", "Ссылки Meet", "Часовой пояс"):  # fmt: skip
        assert name in lines, (name, result.output)
    assert lines["Таблица"] == "✓ Таблица: «ГМО доктор» открывается, запись разрешена"
    assert lines["Права"] == "✓ Права: spreadsheets, drive.file, calendar.events"
    assert "user@example.com" in lines["Google Диск"]
    log = [e for e in fake.request_log() if e["n"] > start]
    assert [e["api_method"] for e in log].count("oauth2.token") == 1  # the refresh is proved, once
    assert not [
        e for e in log if e["method"] not in ("GET",) and e["api_method"] != "oauth2.token"
    ]  # no writes
    as_json = json.loads(fresh("doctor", "--json").output)
    assert as_json["exit_code"] == 0 and {c["status"] for c in as_json["checks"]} == {"ok"}


def test_a_disabled_api_is_named_with_its_link(fresh: GoogleInvoke, fake: FakeGoogle) -> None:
    fake.configure(disabled_apis=["calendar"])
    result = fresh("doctor")
    assert result.exit_code == 2, result.output
    line = lines_of(result.output)["Календарь"]
    assert line.startswith("✗ Календарь: Google Calendar API выключен в проекте Google Cloud")
    assert (
        "https://console.developers.google.com/apis/api/calendar-json.googleapis.com/overview?project="
        in line
    )
    assert lines_of(result.output)["Таблица"].startswith("✓")  # the other parts still checked


def test_narrowed_scopes_are_named(fresh: GoogleInvoke, fake: FakeGoogle) -> None:
    fake.narrow_scopes(
        ["https://www.googleapis.com/auth/spreadsheets", "https://www.googleapis.com/auth/drive.file"]
    )
    result = fresh("doctor")
    assert result.exit_code == 2, result.output
    lines = lines_of(result.output)
    assert lines["Права"].startswith("✗ Права: Вход в Google выполнен без разрешения на Google Календарь")
    assert "gmo-sync auth login заново" in lines["Права"]
    assert "без разрешения на Google Календарь" in lines["Календарь"]


def test_a_revoked_refresh_token_a_week_after_sign_in_names_the_testing_app(
    fresh: GoogleInvoke, fake: FakeGoogle, google_home: Path
) -> None:
    path = token_file(google_home)
    saved = json.loads(path.read_text(encoding="utf-8"))
    saved["signed_in"] = (NOW - dt.timedelta(days=7, hours=2)).isoformat()
    path.write_text(json.dumps(saved), encoding="utf-8")
    fake.expire_tokens(revoke_refresh_tokens=["fake-refresh-token"])
    result = fresh("doctor")
    assert result.exit_code == 2, result.output
    lines = lines_of(result.output)
    assert lines["Обновление токена"] == (
        "✗ Обновление токена: Google больше не принимает вход (invalid_grant), а выполнен он 7 дн. назад — "
        "ровно срок жизни токенов OAuth-приложения в статусе «Testing»: опубликуйте приложение (Google Auth "
        "Platform → Audience → Publish app) и выполните gmo-sync auth login"
    )
    assert lines["Таблица"] == "– Таблица: не проверено: Google не принял вход"


def test_a_deleted_spreadsheet_is_named(
    fresh: GoogleInvoke, fake: FakeGoogle, coordinator: gspread.Client
) -> None:
    spreadsheet_id = tomllib_google()["spreadsheet_id"]
    coordinator.del_spreadsheet(spreadsheet_id)
    result = fresh("doctor")
    assert result.exit_code == 2, result.output
    assert lines_of(result.output)["Таблица"] == (
        f"✗ Таблица: google.spreadsheet_id = {spreadsheet_id} не найдена → таблица удалена (восстановите её "
        "из корзины Google Диска) или ID неверен — исправьте google.spreadsheet_id или очистите его и "
        "выполните gmo-sync init --google"
    )


def test_a_hand_made_template_is_named_with_the_way_out(fresh: GoogleInvoke, fake: FakeGoogle) -> None:
    doc = fake.act({"action": "create_doc", "title": "Мой шаблон", "paragraphs": ["{{ тема }}"]})
    set_value(Path("gmo-sync.toml"), "google", "template_doc_id", doc)
    result = fresh("doctor")
    assert result.exit_code == 2, result.output
    assert lines_of(result.output)["Шаблон протокола"] == "✗ Шаблон протокола: " + invisible_template_message(
        doc
    ).rstrip(".")


def test_a_service_account_without_meet_is_a_warning_with_the_fix(
    fresh: GoogleInvoke, fake: FakeGoogle, google_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    info = clients.service_account_info(fake.base_url)
    key = google_home / "sa.json"
    key.write_text(json.dumps(info), encoding="utf-8")
    monkeypatch.setenv("GMO_SYNC_GOOGLE_CREDENTIALS", str(key))
    for file_id in (tomllib_google()["protocols_folder_id"], tomllib_google()["template_doc_id"]):
        fake.open_with(file_id, info["client_email"])  # shared with the account and opened by it
    result = fresh("doctor")
    lines = lines_of(result.output)
    assert lines["Вход в Google"] == f"✓ Вход в Google: сервисный аккаунт {info['client_email']} (ключ {key})"
    assert lines["Ссылки Meet"].startswith("⚠ Ссылки Meet: сервисный аккаунт без делегирования не может")
    assert "уберите google.credentials и выполните gmo-sync auth login" in lines["Ссылки Meet"]
    assert (
        lines["Папка протоколов"].startswith("⚠ Папка протоколов:")
        and "общий диск" in lines["Папка протоколов"]
    )
    assert "Срок входа" not in lines
    assert result.exit_code == 1, result.output  # warnings only: runs work, without Meet links
    assert "PRIVATE KEY" not in result.output


def test_a_token_readable_by_others_fails(fresh: GoogleInvoke, google_home: Path) -> None:
    token_file(google_home).chmod(0o644)
    result = fresh("doctor")
    assert result.exit_code == 2
    assert lines_of(result.output)["Вход в Google"].endswith(f"→ chmod 600 {token_file(google_home)}")


def test_no_configuration_and_a_broken_one(gmo_google: GoogleInvoke) -> None:
    result = gmo_google("doctor")
    assert result.exit_code == 2 and result.output.startswith("✗ Настройки: нет gmo-sync.toml в ")
    Path("gmo-sync.toml").write_text('backend = "google"\ntimezone = "Марс/Олимп"\n', encoding="utf-8")
    result = gmo_google("doctor")
    assert result.exit_code == 2 and "неизвестный часовой пояс" in result.output


def test_a_local_workspace_passes_and_without_libreoffice_warns(
    gmo, workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    office = tmp_path / "bin" / "soffice"
    office.parent.mkdir()
    office.write_text("#!/bin/sh\n", encoding="utf-8")
    office.chmod(office.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", str(office.parent))
    result = gmo("doctor")
    assert result.exit_code == 0, result.output
    lines = lines_of(result.output)
    assert lines["LibreOffice для --pdf"] == f"✓ LibreOffice для --pdf: {office}"
    assert lines["Шаблон протокола"].endswith("пробный протокол заседания ГМО-2021-10-13 собран")
    monkeypatch.setenv("PATH", str(tmp_path))  # no soffice anywhere
    result = gmo("doctor", "-q")
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "⚠ LibreOffice для --pdf: не найден (soffice): --pdf не сделает PDF → установите LibreOffice "
        "(например, sudo apt install libreoffice-writer) или не используйте --pdf"
    ]


def test_a_broken_local_template_and_a_missing_tab(gmo, workspace: Path) -> None:
    from tests.fakegoogle.docs import minimal_docx

    (workspace / "templates" / "default.docx").write_bytes(minimal_docx(["{% for п in повестка %}"]))
    result = gmo("doctor")
    assert result.exit_code == 2
    assert lines_of(result.output)["Шаблон протокола"].startswith("✗ Шаблон протокола: ")
    assert "default.docx" in lines_of(result.output)["Шаблон протокола"]
    import openpyxl

    book = openpyxl.load_workbook(workspace / "ГМО.xlsx")
    del book["Заседания"]
    book.save(workspace / "ГМО.xlsx")
    table = lines_of(gmo("doctor").output)["Таблица"]
    assert table.startswith("✗ Таблица: ") and "Заседания" in table, table


def tomllib_google() -> dict[str, str]:
    import tomllib

    return tomllib.loads(Path("gmo-sync.toml").read_text(encoding="utf-8"))["google"]
