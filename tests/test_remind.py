"""`gmo-sync remind`: letters to the responsible, through a real SMTP server on loopback (aiosmtpd).

The frozen day is 25.11.2026. The demo workspace gets a decision due tomorrow for «Замятина Е.Д.»;
every letter is recorded on «Рассылки» and never sent twice; SMTP failures are per letter, in Russian.
"""

from __future__ import annotations

import datetime as dt
import json
import ssl
from pathlib import Path

import pytest
import trustme

from tests import xlsx
from tests.conftest import Invoke
from tests.frozen import NOW
from tests.smtp_server import SmtpServer

SEED = "ГМО-2021-10-13"
ZAMYATINA = "zamyatina@example.org"
TOMORROW = dt.date(2026, 11, 26)


def mail_config(workspace: Path, port: int, **extra: str) -> None:
    lines = [
        'smtp_host = "127.0.0.1"',
        f"smtp_port = {port}",
        'security = "none"',
        'from = "gmo@example.org"',
    ]
    lines += [f'{key} = "{value}"' for key, value in extra.items()]
    config = workspace / "gmo-sync.toml"
    text = config.read_text(encoding="utf-8") + "\n[mail]\n" + "\n".join(lines) + "\n"
    config.write_text(text, encoding="utf-8")


def add_decision(workspace: Path, number: int, text: str, responsible: str, deadline: object) -> int:
    return xlsx.append(
        workspace / "ГМО.xlsx",
        "Решения",
        {"ID заседания": SEED, "№": number, "Решение": text, "Ответственный": responsible, "Срок": deadline},
    )


@pytest.fixture
def smtp():
    with SmtpServer() as server:
        yield server


@pytest.fixture
def demo(workspace: Path, smtp: SmtpServer) -> Path:
    """The demo workspace with a decision due tomorrow for «Замятина Е.Д.» and SMTP on loopback."""
    mail_config(workspace, smtp.port)
    add_decision(workspace, 4, "Подготовить памятку «Как войти в Библиошколу»", "Замятина Е.Д.", TOMORROW)
    return workspace


def replace(config: Path, old: str, new: str) -> None:
    config.write_text(config.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


def mailings(workspace: Path) -> list[tuple[object, ...]]:
    return xlsx.rows(workspace / "ГМО.xlsx", "Рассылки")


def test_one_letter_to_her_address_naming_the_decision_and_a_second_run_sends_nothing(
    gmo: Invoke, demo: Path, smtp: SmtpServer
) -> None:
    result = gmo("remind")
    assert result.exit_code == 0, result.output
    (letter,) = smtp.inbox.messages
    assert letter.recipients == [ZAMYATINA] and letter.sender == "gmo@example.org"
    text = letter.text
    assert text.startswith("Елена Дмитриевна, здравствуйте!")
    assert "Подготовить памятку «Как войти в Библиошколу»" in text
    assert "Срок: 26 ноября 2026 г. — завтра" in text
    assert "Заседание 13.10.2021, протокол № 2: «Заседание рабочей группы" in text
    assert "«Статус» выберите «выполнено»" in text and "ГМО.xlsx" in text
    assert "Подготовить памятку" in letter.html and letter.html.startswith("<!DOCTYPE html>")
    assert letter.header("To") == f"Замятина Елена Дмитриевна <{ZAMYATINA}>"
    assert "завтра" in letter.header("Subject")
    assert letter.message["Auto-Submitted"] == "auto-generated"
    rows = mailings(demo)
    assert rows[0] == ("Время", "Кому", "Заседание", "Решение", "Повод", "Статус")
    assert rows[1] == (
        "25.11.2026 12:00",
        f"Замятина Елена Дмитриевна <{ZAMYATINA}>",
        SEED,
        "№ 4: Подготовить памятку «Как войти в Библиошколу»",
        "за 1 день до срока 26.11.2026",
        "отправлено",
    )
    assert "отправлено письмо для Замятина Елена Дмитриевна" in result.output
    journal = xlsx.rows(demo / "ГМО.xlsx", "Журнал")
    assert journal[-1][1] == "remind" and "писем отправлено: 1" in journal[-1][2]

    again = gmo("remind")
    assert again.exit_code == 0, again.output
    assert len(smtp.inbox.messages) == 1 and len(mailings(demo)) == 2
    # the next day is still «за 1 день» of the same deadline: nothing new either
    assert gmo("remind", now=NOW + dt.timedelta(days=1)).exit_code == 0
    assert len(smtp.inbox.messages) == 1


def test_a_week_before_then_the_day_before_then_overdue_once(
    gmo: Invoke, workspace: Path, smtp: SmtpServer
) -> None:
    mail_config(workspace, smtp.port)
    add_decision(workspace, 4, "Сдать отчёт", "Попыхова Т.Ю.", dt.date(2026, 11, 30))
    days = {}
    for offset in range(0, 12):
        before = len(smtp.inbox.messages)
        result = gmo("remind", now=NOW + dt.timedelta(days=offset))
        assert result.exit_code == 0, result.output
        days[offset] = len(smtp.inbox.messages) - before
    assert [k for k, v in days.items() if v] == [0, 4, 6]  # 25.11: 5 days (≤ 7), 29.11: 1 day, 01.12: overdue
    first, second, third = (m.text for m in smtp.inbox.messages)
    assert "Татьяна Юрьевна, здравствуйте!" in first and "через 5 дней" in first
    assert "завтра" in second
    assert "Срок истёк:" in third and "просрочено на 1 день" in third
    reasons = [r[4] for r in mailings(workspace)[1:]]
    assert reasons == [
        "за 7 дней до срока 30.11.2026",
        "за 1 день до срока 30.11.2026",
        "срок истёк 30.11.2026",
    ]


def test_a_moved_deadline_is_reminded_afresh_and_a_done_decision_is_not(
    gmo: Invoke, demo: Path, smtp: SmtpServer
) -> None:
    gmo("remind")
    row = len(xlsx.rows(demo / "ГМО.xlsx", "Решения"))
    xlsx.edit(demo / "ГМО.xlsx", "Решения", row, "Срок", dt.date(2026, 11, 27))
    gmo("remind")
    assert len(smtp.inbox.messages) == 2 and "за 7 дней до срока 27.11.2026" in mailings(demo)[2]
    xlsx.edit(demo / "ГМО.xlsx", "Решения", row, "Статус", "выполнено")
    gmo("remind", now=NOW + dt.timedelta(days=3))
    assert len(smtp.inbox.messages) == 2


def test_one_letter_per_person_with_all_their_decisions_and_groups_reach_members(
    gmo: Invoke, demo: Path, smtp: SmtpServer
) -> None:
    add_decision(demo, 5, "Обновить страницу на сайте", "Е. Д. Замятина", dt.date(2026, 11, 24))
    add_decision(demo, 6, "Собрать заявки районов", "Попыхова Т.Ю., руководители РМО", TOMORROW)
    heads = [r[3] for r in xlsx.rows(demo / "ГМО.xlsx", "Участники")[1:] if r[5] == "руководители РМО"]
    assert "rmo-oktyabrsky@example.org" in heads and len(heads) > 1
    result = gmo("remind")
    assert result.exit_code == 0, result.output
    assert sorted(r for m in smtp.inbox.messages for r in m.recipients) == sorted(
        ["popykhova@example.org", ZAMYATINA, *heads]
    )
    (hers,) = smtp.inbox.to(ZAMYATINA)
    assert "Приближается срок:" in hers.text and "Срок истёк:" in hers.text
    assert "Обновить страницу на сайте" in hers.text and "просрочено на 1 день" in hers.text
    (group,) = smtp.inbox.to("rmo-oktyabrsky@example.org")
    assert group.text.startswith("Здравствуйте!")  # «Руководитель РМО …» is not a personal name
    assert len(mailings(demo)) == 1 + 3 + len(heads)  # one row per (person, decision)


def test_weekly_digest_of_overdue_decisions(gmo: Invoke, workspace: Path, smtp: SmtpServer) -> None:
    mail_config(workspace, smtp.port, digest_to="coordinator@example.org, head@example.org")
    result = gmo("remind")
    assert result.exit_code == 0, result.output
    (digest,) = smtp.inbox.messages
    assert digest.recipients == ["coordinator@example.org", "head@example.org"]
    assert "Создать чек-лист по авторизации" in digest.text and "Ответственный: Замятина Е.Д." in digest.text
    assert "просрочено на" in digest.text
    assert mailings(workspace)[1][4] == "сводка за неделю с 23.11.2026"
    gmo("remind", now=NOW + dt.timedelta(days=2))  # same week
    assert len(smtp.inbox.messages) == 1
    gmo("remind", now=NOW + dt.timedelta(days=5))  # Monday 30.11
    assert len(smtp.inbox.messages) == 2


def test_dry_run_lists_the_letters_and_sends_nothing(gmo: Invoke, demo: Path, smtp: SmtpServer) -> None:
    result = gmo("remind", "--dry-run")
    assert result.exit_code == 0, result.output
    assert f"отправить письмо для Замятина Елена Дмитриевна <{ZAMYATINA}>: 1 решение" in result.output
    assert smtp.inbox.messages == [] and len(mailings(demo)) == 1


def test_a_workbook_made_before_mail_existed_gets_its_tab(gmo: Invoke, demo: Path, smtp: SmtpServer) -> None:
    import openpyxl

    book = openpyxl.load_workbook(demo / "ГМО.xlsx")
    del book["Рассылки"]
    book.save(demo / "ГМО.xlsx")
    assert gmo("check").exit_code == 0  # an optional tab: its absence is no problem
    result = gmo("remind")
    assert result.exit_code == 0, result.output
    assert len(smtp.inbox.messages) == 1
    assert [r[5] for r in mailings(demo)] == ["Статус", "отправлено"]
    assert gmo("remind").exit_code == 0 and len(smtp.inbox.messages) == 1


def test_a_refused_address_fails_its_letter_only_and_is_retried_next_run(
    gmo: Invoke, demo: Path, smtp: SmtpServer
) -> None:
    add_decision(demo, 5, "Собрать заявки", "Попыхова Т.Ю.", TOMORROW)
    smtp.inbox.refuse_recipients = {ZAMYATINA}
    result = gmo("remind")
    assert result.exit_code == 1, result.output
    assert [m.recipients for m in smtp.inbox.messages] == [["popykhova@example.org"]]
    assert f"не отправлено: сервер отказался принять адрес «{ZAMYATINA}»: 550 5.1.1" in result.output
    statuses = {r[1]: r[5] for r in mailings(demo)[1:]}
    assert statuses[f"Замятина Елена Дмитриевна <{ZAMYATINA}>"].startswith("не отправлено: ")
    smtp.inbox.refuse_recipients = set()
    retry = gmo("remind")
    assert retry.exit_code == 0, retry.output
    assert len(smtp.inbox.to(ZAMYATINA)) == 1 and len(smtp.inbox.messages) == 2
    assert len(mailings(demo)) == 3  # the failed row was reused, not duplicated


def test_server_refusing_data_is_reported_in_russian(gmo: Invoke, demo: Path, smtp: SmtpServer) -> None:
    smtp.inbox.refuse_data = "554 5.7.1 Message rejected as spam"
    result = gmo("remind")
    assert result.exit_code == 1
    assert "сервер отказался принять письмо: 554 5.7.1 Message rejected as spam" in result.output


def test_no_server_fails_the_letters_but_not_the_run(gmo: Invoke, workspace: Path) -> None:
    from tests.smtp_server import free_port

    mail_config(workspace, free_port())  # nobody listens there
    add_decision(workspace, 4, "Подготовить памятку", "Замятина Е.Д.", TOMORROW)
    add_decision(workspace, 5, "Собрать заявки", "Попыхова Т.Ю.", TOMORROW)
    result = gmo("run")
    assert result.exit_code == 1, result.output
    assert result.output.count("отказал в соединении (проверьте [mail] smtp_host, smtp_port и security)") == 2
    assert "создан протокол «2021-10-13 Протокол № 2»" in result.output  # the other steps went on
    assert "Traceback" not in result.output


def test_unknown_host_and_timeout(gmo: Invoke, workspace: Path) -> None:
    import socket

    mail_config(workspace, 25)
    config = workspace / "gmo-sync.toml"
    replace(config, '"127.0.0.1"', '"smtp.invalid"')
    add_decision(workspace, 4, "Подготовить памятку", "Замятина Е.Д.", TOMORROW)
    result = gmo("remind")
    assert "почтовый сервер «smtp.invalid» не найден (проверьте [mail] smtp_host)" in result.output

    silent = socket.socket()  # accepts connections, never says a word
    silent.bind(("127.0.0.1", 0))
    silent.listen()
    try:
        text = config.read_text(encoding="utf-8").replace('"smtp.invalid"', '"127.0.0.1"')
        text = text.replace("smtp_port = 25", f"smtp_port = {silent.getsockname()[1]}\ntimeout_seconds = 0.5")
        config.write_text(text, encoding="utf-8")
        result = gmo("remind")
    finally:
        silent.close()
    assert result.exit_code == 1 and "не ответил за 0.5 с" in result.output


def test_authentication_over_starttls_and_a_wrong_password(
    gmo: Invoke, workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ca = trustme.CA()
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_tls)
    ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "ca.pem"))  # the system's trust store, as it were
    with SmtpServer(users={"gmo@example.org": "app-password"}, tls=server_tls) as server:
        mail_config(workspace, server.port, username="gmo@example.org")
        config = workspace / "gmo-sync.toml"
        replace(config, '"none"', '"starttls"')
        add_decision(workspace, 4, "Подготовить памятку", "Замятина Е.Д.", TOMORROW)
        monkeypatch.setenv("GMO_SYNC_MAIL_PASSWORD", "wrong-password")
        refused = gmo("remind")
        assert refused.exit_code == 1
        assert "не принял имя «gmo@example.org» и пароль (GMO_SYNC_MAIL_PASSWORD)" in refused.output
        assert "wrong-password" not in refused.output
        monkeypatch.setenv("GMO_SYNC_MAIL_PASSWORD", "app-password")
        sent = gmo("remind")
        assert sent.exit_code == 0, sent.output
        assert [m.recipients for m in server.inbox.messages] == [[ZAMYATINA]]


def test_implicit_tls(gmo: Invoke, workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ca = trustme.CA()
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_tls)
    ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "ca.pem"))
    with SmtpServer(tls=server_tls, implicit_tls=True) as server:
        mail_config(workspace, server.port)
        config = workspace / "gmo-sync.toml"
        replace(config, '"none"', '"ssl"')
        add_decision(workspace, 4, "Подготовить памятку", "Замятина Е.Д.", TOMORROW)
        assert gmo("remind").exit_code == 0
        assert len(server.inbox.messages) == 1


def test_people_without_an_address_and_decisions_without_anyone_are_reported(
    gmo: Invoke, demo: Path, smtp: SmtpServer
) -> None:
    xlsx.edit(demo / "ГМО.xlsx", "Участники", 3, "E-mail", "zamyatina-at-example")
    xlsx.edit(demo / "ГМО.xlsx", "Участники", 3, "Приглашать", "нет")
    row = add_decision(demo, 5, "Провести конкурс", "все библиотекари", TOMORROW)
    result = gmo("remind")
    assert result.exit_code == 1
    assert (
        "Участники!D3: «zamyatina-at-example» не похож на адрес e-mail: напоминания о решениях для "
        "Замятина Елена Дмитриевна не отправлены"
    ) in result.output
    assert f"Решения!D{row}: напоминание (за 1 день до срока 26.11.2026) некому отправить" in result.output
    assert smtp.inbox.messages == []


def test_remind_without_mail_settings_says_what_to_add(gmo: Invoke) -> None:
    result = gmo("remind")
    assert result.exit_code == 2
    assert "Почта не настроена: добавьте в gmo-sync.toml раздел [mail]" in result.output


def test_run_sends_reminders_as_a_step_and_json_counts_them(
    gmo: Invoke, demo: Path, smtp: SmtpServer
) -> None:
    result = gmo("run", "--json")
    data = json.loads(result.output)
    assert data["exit_code"] == 0 and data["counts"]["letters_sent"] == 1
    assert "Протокол: protocols/2021-10-13 Протокол № 2.docx" in smtp.inbox.messages[0].text


def test_the_password_is_refused_in_the_file(gmo: Invoke, demo: Path) -> None:
    config = demo / "gmo-sync.toml"
    config.write_text(config.read_text(encoding="utf-8") + 'password = "secret123"\n', encoding="utf-8")
    result = gmo("check")
    assert result.exit_code == 2 and "GMO_SYNC_MAIL_PASSWORD" in result.output
    assert "secret123" not in result.output


def action_keys(data: dict) -> list[tuple[str, str, str]]:  # type: ignore[type-arg]
    return [(a["kind"], a["meeting"], a["cell"]) for a in data["actions"]]


def test_dry_run_is_the_run_the_tab_the_rows_and_the_letters(
    gmo: Invoke, demo: Path, smtp: SmtpServer
) -> None:
    """`remind --dry-run --json` lists exactly what `remind --json` then reports done (docs/json.md)."""
    import openpyxl

    book = openpyxl.load_workbook(demo / "ГМО.xlsx")
    del book["Рассылки"]  # a workbook made before letters: the run creates the tab
    book.save(demo / "ГМО.xlsx")
    add_decision(demo, 5, "Собрать заявки", "Попыхова Т.Ю.", TOMORROW)
    add_decision(demo, 6, "Обновить стенд", "Замятина Е.Д.", TOMORROW)
    planned = json.loads(gmo("remind", "--dry-run", "--json").output)
    assert (
        planned["dry_run"]
        and smtp.inbox.messages == []
        and "Рассылки" not in openpyxl.load_workbook(demo / "ГМО.xlsx").sheetnames
    )
    done = json.loads(gmo("remind", "--json").output)
    assert done["exit_code"] == 0 and len(smtp.inbox.messages) == 2
    assert action_keys(planned) == action_keys(done)
    assert {a["status"] for a in planned["actions"]} == {"planned"}
    assert {a["status"] for a in done["actions"]} == {"done"}
    kinds = [a["kind"] for a in done["actions"] if a["kind"] != "decision.status"]  # the new rows' Статус
    assert kinds == ["mailing.tab", "mailing.row", "mailing.row", "letter.send", "mailing.row", "letter.send"]
    sends = [a for a in done["actions"] if a["kind"] == "letter.send"]
    assert (
        sends[0]["target"] == f"Замятина Елена Дмитриевна <{ZAMYATINA}>" and sends[0]["cell"] == "Рассылки!F2"
    )
    assert sends[1]["cell"] == "Рассылки!F4" and done["counts"]["letters_sent"] == 2
    assert planned["counts"]["letters_sent"] == 2
    rows = mailings(demo)
    assert [r[5] for r in rows[1:]] == ["отправлено"] * 3
    # nothing left to do: the next dry run plans no letter
    again = json.loads(gmo("remind", "--dry-run", "--json").output)
    assert [a for a in again["actions"] if a["kind"].startswith(("mailing.", "letter."))] == []


def test_doctor_proves_the_mail_set_up_without_sending(
    gmo: Invoke, workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ca = trustme.CA()
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_tls)
    ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "ca.pem"))
    assert "Почта" not in gmo("doctor").output  # no [mail]: reminders are off, nothing to check
    with SmtpServer(users={"gmo@example.org": "app-password"}, tls=server_tls) as server:
        mail_config(workspace, server.port, username="gmo@example.org")
        replace(workspace / "gmo-sync.toml", '"none"', '"starttls"')
        unset = gmo("doctor")
        assert unset.exit_code == 2
        assert "✗ Почта ([mail]): не задан пароль для «gmo@example.org»" in unset.output
        assert "GMO_SYNC_MAIL_PASSWORD" in unset.output and "– Почтовый сервер: не проверено" in unset.output
        monkeypatch.setenv("GMO_SYNC_MAIL_PASSWORD", "wrong-password")
        wrong = gmo("doctor")
        assert wrong.exit_code == 2 and "wrong-password" not in wrong.output
        assert "✗ Почтовый сервер: сервер 127.0.0.1:" in wrong.output and "не принял имя" in wrong.output
        monkeypatch.setenv("GMO_SYNC_MAIL_PASSWORD", "app-password")
        right = gmo("doctor")
        proven = f"✓ Почтовый сервер: 127.0.0.1:{server.port} отвечает, вход как gmo@example.org"
        assert proven in right.output
        assert "✗" not in right.output, right.output
        assert server.inbox.messages == []  # proven, not sent
