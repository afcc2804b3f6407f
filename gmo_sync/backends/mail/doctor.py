"""``gmo-sync doctor`` for ``[mail]``: the settings, the password variable, and the server — nothing sent.

The SMTP check connects, secures the connection and signs in exactly as ``remind`` would, then says
goodbye (NOOP, QUIT): a wrong host, port, security or password shows here, before a letter is due.
"""

from __future__ import annotations

from gmo_sync.core.config import Config
from gmo_sync.core.doctor import Check, fail, ok, skipped
from gmo_sync.core.plan.reminders import valid_email
from gmo_sync.core.ports import MailError

NAME = "Почта ([mail])"


def mail_checks(config: Config) -> list[Check]:
    mail = config.mail
    if not mail.configured:
        return []  # no [mail]: reminders are simply off, nothing to prove
    if mail.via == "gmail":
        if config.backend != "google":
            return [fail(NAME, 'via = "gmail" работает только с backend = "google"',
                         "укажите SMTP-сервер (smtp_host) или перейдите на Google")]  # fmt: skip
        return [_gmail_scope(config)]
    problems = []
    sender = mail.from_address or mail.username
    if not valid_email(sender):
        problems.append(f"адрес отправителя «{sender}» не похож на e-mail" if sender else "не указан from")
    bad = [a.strip() for a in mail.digest_to.replace(";", ",").split(",") if a.strip() and not valid_email(a)]
    if bad:
        problems.append(f"digest_to: «{bad[0]}» не похож на e-mail")
    if mail.username and not mail.password:
        problems.append(f"не задан пароль для «{mail.username}»")
    if problems:
        fix = "исправьте раздел [mail] (см. README, «Letters about decisions»)"
        if mail.username and not mail.password:
            fix = "задайте переменную окружения GMO_SYNC_MAIL_PASSWORD (пароль приложения) и " + fix
        return [fail(NAME, "; ".join(problems), fix), skipped("Почтовый сервер", "настройки почты неполны")]
    checks = [ok(NAME, f"письма от {sender} через {mail.smtp_host}:{mail.port} ({mail.security})")]
    from gmo_sync.backends.mail.smtp import SmtpMailer

    try:
        SmtpMailer(mail).check()
    except MailError as error:
        checks.append(fail("Почтовый сервер", str(error), "проверьте smtp_host, smtp_port, security, "
                           "username и GMO_SYNC_MAIL_PASSWORD"))  # fmt: skip
    else:
        signed = f", вход как {mail.username}" if mail.username else ""
        checks.append(
            ok("Почтовый сервер", f"{mail.smtp_host}:{mail.port} отвечает{signed}; письмо не отправлялось")
        )
    return checks


def _gmail_scope(config: Config) -> Check:
    from gmo_sync.backends.google.auth import GMAIL_SEND, load_credentials
    from gmo_sync.core.problems import GmoSyncError

    try:
        scopes = load_credentials(config).credentials.scopes or []
    except GmoSyncError as error:  # the Google checks name what is wrong with the sign-in itself
        return skipped(NAME, f"вход в Google не проверен ({error})")
    if GMAIL_SEND not in scopes:
        return fail(NAME, "у входа в Google нет права gmail.send", "выполните gmo-sync auth login заново")
    return ok(NAME, "письма через Gmail от аккаунта, под которым выполнен вход")
