"""Letters over SMTP (smtplib): one connection a run, errors per letter, in Russian.

The transfer is done in its steps (MAIL, RCPT, DATA) so that a failure can be told
apart: anything before DATA, or a refusal the server answers, means the letter was
certainly not taken and may be sent again; a connection that breaks during DATA may
have delivered it, and the caller then does not send it again without ``--resend``.
A connection or sign-in that fails once fails the remaining letters of the run at
once (no repeated timeouts). The password comes from the environment only and is
never put into a message or a log.
"""

from __future__ import annotations

import io
import logging
import smtplib
import socket
import ssl
from email.generator import BytesGenerator
from email.message import EmailMessage
from email.utils import getaddresses

from gmo_sync.core.config import MailSettings
from gmo_sync.core.ports import MailError

log = logging.getLogger(__name__)


class SmtpMailer:
    def __init__(self, settings: MailSettings) -> None:
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None
        self._broken: MailError | None = None

    def describe(self) -> str:
        return f"{self.settings.smtp_host}:{self.settings.port}"

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                self._smtp.close()
            self._smtp = None

    def check(self) -> None:
        """Connect, secure and sign in as a run would, then say goodbye: nothing is sent (``doctor``)."""
        try:
            self._connect().noop()
        except (smtplib.SMTPException, OSError) as error:
            where = self.describe()
            raise MailError(f"связь с почтовым сервером {where} прервалась ({_kind(error)})") from None
        finally:
            self.close()

    def send(self, message: EmailMessage) -> None:
        recipients = [
            address
            for _, address in getaddresses(message.get_all("To", []) + message.get_all("Cc", []))
            if "@" in address
        ]
        if not recipients:  # an empty RCPT would be refused by the server, or worse, taken by a lax one
            raise MailError(f"у письма нет адреса получателя («{message.get('To', '')}»)")
        sender = self.settings.from_address or self.settings.username
        for attempt in (1, 2):
            smtp = self._connect()
            try:
                self._envelope(smtp, sender, recipients)
                break
            except (smtplib.SMTPServerDisconnected, OSError) as error:
                # an idle connection the server closed between letters: nothing was transferred yet
                self._drop()
                if attempt == 2:
                    raise MailError(
                        f"связь с почтовым сервером {self.describe()} прервалась ({_kind(error)})"
                    ) from None
            except smtplib.SMTPException as error:
                self._drop()
                raise MailError(
                    f"почтовый сервер {self.describe()} ответил ошибкой ({_kind(error)})"
                ) from None
        try:
            code, reply = smtp.data(_flatten(message))
        except smtplib.SMTPDataError as error:
            smtp.rset()
            raise MailError(
                f"сервер отказался принять письмо: {_reply(error.smtp_code, error.smtp_error)}"
            ) from None
        except (smtplib.SMTPException, OSError) as error:
            self._drop()
            raise MailError(
                f"связь с почтовым сервером прервалась во время передачи письма ({_kind(error)}): "
                f"неизвестно, получено ли оно",
                delivered_maybe=True,
            ) from None
        if code != 250:
            smtp.rset()
            raise MailError(f"сервер отказался принять письмо: {_reply(code, reply)}")
        log.debug("SMTP: письмо принято (%s)", code)

    def _envelope(self, smtp: smtplib.SMTP, sender: str, recipients: list[str]) -> None:
        smtp.ehlo_or_helo_if_needed()
        code, reply = smtp.mail(sender)
        if code != 250:
            smtp.rset()
            raise MailError(
                f"сервер не принял адрес отправителя «{sender}» ([mail] from): {_reply(code, reply)}"
            )
        refused = []
        for address in recipients:
            code, reply = smtp.rcpt(address)
            if code not in (250, 251):
                refused.append(f"«{address}»: {_reply(code, reply)}")
        if refused and len(refused) == len(recipients):
            smtp.rset()
            raise MailError("сервер отказался принять адрес " + "; ".join(refused))

    def _drop(self) -> None:
        if self._smtp is not None:
            self._smtp.close()
            self._smtp = None

    def _connect(self) -> smtplib.SMTP:
        if self._broken is not None:
            raise self._broken
        if self._smtp is not None:
            return self._smtp
        s = self.settings
        try:
            if s.security == "ssl":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                    s.smtp_host, s.port, timeout=s.timeout_seconds, context=ssl.create_default_context()
                )
            else:
                smtp = smtplib.SMTP(s.smtp_host, s.port, timeout=s.timeout_seconds)
            if s.security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if s.username:
                if not s.password:
                    smtp.close()
                    raise MailError(
                        f"не задан пароль почты для «{s.username}»: задайте переменную окружения "
                        f"GMO_SYNC_MAIL_PASSWORD"
                    )
                smtp.login(s.username, s.password)
        except MailError as error:
            self._broken = error
            raise
        except Exception as error:  # every way a connection fails becomes one Russian sentence
            self._broken = MailError(self._connect_failure(error))
            raise self._broken from None
        self._smtp = smtp
        return smtp

    def _connect_failure(self, error: Exception) -> str:
        s, where = self.settings, self.describe()
        if isinstance(error, socket.gaierror):
            return f"почтовый сервер «{s.smtp_host}» не найден (проверьте [mail] smtp_host)"
        if isinstance(error, ConnectionRefusedError):
            hint = "проверьте [mail] smtp_host, smtp_port и security"
            return f"почтовый сервер {where} отказал в соединении ({hint})"
        timed_out = isinstance(error, smtplib.SMTPServerDisconnected) and "timed out" in str(error)
        if timed_out or isinstance(error, TimeoutError | socket.timeout):
            return f"почтовый сервер {where} не ответил за {s.timeout_seconds:g} с"
        if isinstance(error, ssl.SSLError):
            return (
                f"не удалось установить защищённое соединение с {where} ({error.reason or error}); проверьте "
                f"security: «ssl» обычно с портом 465, «starttls» — с 587"
            )
        if isinstance(error, smtplib.SMTPNotSupportedError):
            return f'сервер {where} не поддерживает STARTTLS: укажите security = "ssl" (порт 465) или "none"'
        if isinstance(error, smtplib.SMTPAuthenticationError):
            return (
                f"сервер {where} не принял имя «{s.username}» и пароль (GMO_SYNC_MAIL_PASSWORD): "
                f"{_reply(error.smtp_code, error.smtp_error)}. Яндекс и Mail.ru принимают только пароль "
                f"приложения, Gmail — пароль приложения при включённой двухэтапной проверке"
            )
        if isinstance(error, smtplib.SMTPResponseException):
            return f"почтовый сервер {where} ответил ошибкой: {_reply(error.smtp_code, error.smtp_error)}"
        return f"нет связи с почтовым сервером {where} ({_kind(error)})"


def _flatten(message: EmailMessage) -> bytes:
    buffer = io.BytesIO()
    BytesGenerator(buffer, policy=message.policy.clone(linesep="\r\n")).flatten(message)
    return buffer.getvalue()


def _reply(code: int, reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return f"{code} {' '.join(text.split())}".strip()


def _kind(error: BaseException) -> str:
    text = str(error)
    return f"{type(error).__name__}: {text}" if text else type(error).__name__
