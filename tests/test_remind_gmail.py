"""`[mail] via = "gmail"`: reminders through the Gmail API with the google sign-in (fake Workspace)."""

from __future__ import annotations

import json
import os
from email import message_from_bytes, policy
from pathlib import Path

import gspread

from gmo_sync.backends.google.auth import GMAIL_SEND, load_credentials
from gmo_sync.core.config import load_config
from tests.fakegoogle import clients
from tests.fakegoogle.server import FakeGoogle
from tests.google_env import GoogleInvoke
from tests.test_google_sheet import init_workspace, type_rows

SEED = "ГМО-2021-10-13"


def gmail_workspace(gmo_google: GoogleInvoke, coordinator: gspread.Client) -> gspread.Spreadsheet:
    book = init_workspace(gmo_google, coordinator)
    type_rows(
        book,
        "Заседания",
        [
            [
                SEED,
                "2",
                "13.10.2021",
                "14:00",
                "",
                "онлайн",
                "",
                "Заседание рабочей группы",
                "",
                "",
                "",
                "",
                "",
                "проведено",
            ]
        ],
    )
    type_rows(book, "Решения", [[SEED, "1", "Подготовить памятку", "Замятина Е.Д.", "26.11.2026"]])
    type_rows(
        book, "Участники", [["Замятина Елена Дмитриевна", "методист", "КИМЦ", "zam@example.org", "нет"]]
    )
    config = Path("gmo-sync.toml")
    config.write_text(config.read_text(encoding="utf-8") + '\n[mail]\nvia = "gmail"\n', encoding="utf-8")
    return book


def sign_in_again(fake: FakeGoogle) -> None:
    """`gmo-sync auth login` after adding via = "gmail": a new token, asked with the gmail.send scope."""
    token = Path(os.environ["XDG_CONFIG_HOME"]) / "gmo-sync" / "token.json"
    token.write_text(json.dumps(clients.authorized_user_info(fake.base_url)), encoding="utf-8")


def test_reminder_goes_through_gmail_once_with_the_gmail_send_scope(
    gmo_google: GoogleInvoke, fake: FakeGoogle, coordinator: gspread.Client
) -> None:
    book = gmail_workspace(gmo_google, coordinator)
    # the sign-in `init` made has no gmail.send: Google refuses, the letter is not sent, and says what to do
    refused = gmo_google("remind")
    assert refused.exit_code == 1 and fake.ws.mail == []
    assert "нет права отправлять почту: выполните gmo-sync auth login заново" in refused.output
    sign_in_again(fake)
    result = gmo_google("remind")
    assert result.exit_code == 0, result.output
    (sent,) = fake.ws.mail
    assert sent["recipients"] == ["zam@example.org"]
    letter = message_from_bytes(sent["raw"], policy=policy.default)
    body = letter.get_body(("plain",)).get_content()
    assert body.startswith("Елена Дмитриевна, здравствуйте!") and "Подготовить памятку" in body
    assert f"https://docs.google.com/spreadsheets/d/{book.id}/edit" in body
    # the sign-in asks for gmail.send only with via = "gmail"
    scopes = load_credentials(load_config(Path("gmo-sync.toml"))).credentials.scopes
    assert GMAIL_SEND in scopes
    assert GMAIL_SEND not in load_credentials(load_config(None, cwd=Path("/nonexistent"))).credentials.scopes
    rows = book.worksheet("Рассылки").get_all_values()
    assert rows[1][1:] == [
        "Замятина Елена Дмитриевна <zam@example.org>",
        SEED,
        "№ 1: Подготовить памятку",
        "за 1 день до срока 26.11.2026",
        "отправлено",
    ]

    again = gmo_google("remind")
    assert again.exit_code == 0, again.output
    assert len(fake.ws.mail) == 1
    sends = [e["status"] for e in fake.request_log() if e["api_method"] == "gmail.users.messages.send"]
    assert sends == [403, 200]  # refused without the scope, sent once after signing in again


def test_a_lost_gmail_answer_is_not_sent_again_without_resend(
    gmo_google: GoogleInvoke, fake: FakeGoogle, coordinator: gspread.Client
) -> None:
    book = gmail_workspace(gmo_google, coordinator)
    sign_in_again(fake)
    fake.add_fault("500", at=1, method="gmail.users.messages.send")
    first = gmo_google("remind")
    assert first.exit_code == 1 and "неизвестно, отправлено ли письмо" in first.output
    assert book.worksheet("Рассылки").get_all_values()[1][5].startswith("неизвестно: ")
    second = gmo_google("remind")
    assert second.exit_code == 1 and "могло не дойти" in second.output
    assert [e for e in fake.request_log() if e["api_method"] == "gmail.users.messages.send"][1:] == []
    resent = gmo_google("remind", "--resend")
    assert resent.exit_code == 0, resent.output
    assert len(fake.ws.mail) == 1 and book.worksheet("Рассылки").get_all_values()[1][5] == "отправлено"


def test_gmail_needs_the_google_backend(gmo, workspace: Path) -> None:  # type: ignore[no-untyped-def]
    config = workspace / "gmo-sync.toml"
    config.write_text(config.read_text(encoding="utf-8") + '\n[mail]\nvia = "gmail"\n', encoding="utf-8")
    result = gmo("remind")
    assert result.exit_code == 2 and 'via = "gmail" работает только с backend = "google"' in result.output


def test_a_google_sheet_without_mailings_gets_the_tab_with_the_first_letter(
    gmo_google: GoogleInvoke, fake: FakeGoogle, coordinator: gspread.Client
) -> None:
    book = gmail_workspace(gmo_google, coordinator)
    sign_in_again(fake)
    book.del_worksheet(book.worksheet("Рассылки"))  # a sheet made before reminders existed
    assert gmo_google("check").exit_code == 0  # reads as empty: no problem
    planned = gmo_google("remind", "--dry-run")
    assert "создать лист «Рассылки»" in planned.output and fake.ws.mail == []
    assert "Рассылки" not in [w.title for w in book.worksheets()]
    result = gmo_google("remind")
    assert result.exit_code == 0, result.output
    assert "создан лист «Рассылки»" in result.output and len(fake.ws.mail) == 1
    rows = book.worksheet("Рассылки").get_all_values()
    assert rows[0] == ["Время", "Кому", "Заседание", "Решение", "Повод", "Статус"]
    assert rows[1][5] == "отправлено"
    assert gmo_google("remind").exit_code == 0 and len(fake.ws.mail) == 1
