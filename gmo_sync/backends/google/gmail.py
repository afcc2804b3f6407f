"""Letters through the Gmail API (``users.messages.send``) with the google backend's sign-in.

Asked only when ``[mail] via = "gmail"``: the scope ``gmail.send`` is then added to the
sign-in. A send is never retried automatically: Gmail has no idempotency key, and a
request whose answer was lost may have sent the letter, so it is reported as possibly
delivered instead (``--resend`` sends it again).
"""

from __future__ import annotations

import base64
from email.message import EmailMessage

from googleapiclient.errors import HttpError

from gmo_sync.backends.google.connection import GoogleConnection
from gmo_sync.backends.google.retry import TRANSPORT_ERRORS, error_status
from gmo_sync.core.ports import MailError


class GmailMailer:
    def __init__(self, connection: GoogleConnection) -> None:
        self.connection = connection

    def describe(self) -> str:
        return "Gmail"

    def close(self) -> None:
        """Nothing to close: the connection belongs to the backend."""

    def send(self, message: EmailMessage) -> None:
        raw = base64.urlsafe_b64encode(message.as_bytes()).decode("ascii")
        service = self.connection.service("gmail", "v1")
        request = service.users().messages().send(userId="me", body={"raw": raw})
        try:
            request.execute(num_retries=0)
        except HttpError as error:
            status, reason, text = error_status(error)
            detail = f"{status} {reason}".strip() + (f": {text}" if text else "")
            if status is not None and status >= 500:
                raise MailError(
                    f"Gmail ответил ошибкой {detail}: неизвестно, отправлено ли письмо", delivered_maybe=True
                ) from None
            if status == 403 and "scope" in text.lower() + reason.lower():
                raise MailError(
                    "у входа в Google нет права отправлять почту: выполните gmo-sync auth login "
                    'заново (с [mail] via = "gmail" запрашивается право gmail.send)'
                ) from None
            raise MailError(f"Gmail не отправил письмо ({detail})") from None
        except ConnectionRefusedError:
            raise MailError("нет связи с Gmail (соединение отклонено)") from None
        except TRANSPORT_ERRORS as error:
            raise MailError(
                f"связь с Gmail прервалась ({type(error).__name__}): неизвестно, отправлено ли письмо",
                delivered_maybe=True,
            ) from None
