"""What every ``Mailer`` promises (SMTP, Gmail, memory), as one suite each implementation runs.

``mail_env`` gives a fresh mailer over the same «server» on every ``make()`` and reads back what
the server accepted (``received()``: recipients and the letter as parsed). The remind step relies
on exactly these: a letter arrives whole (Russian subject, names and body, both alternatives); a
letter the server refuses raises ``MailError`` that says certainly not sent (so the next run may
send it again); ``close`` may be called twice and a mailer still sends after it.
"""

from __future__ import annotations

from email.message import EmailMessage
from typing import Protocol

import pytest

from gmo_sync.core.ports import Mailer, MailError

TO = "zamyatina@example.org"


class MailEnv(Protocol):
    where: str  # what ``describe()`` names

    def make(self) -> Mailer: ...

    def received(self) -> list[tuple[list[str], EmailMessage]]: ...


def letter(
    to: str = f"Замятина Елена Дмитриевна <{TO}>", subject: str = "Решения ГМО: срок завтра"
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "gmo@example.org"
    message["To"] = to
    message["Subject"] = subject
    message.set_content("Елена Дмитриевна, здравствуйте!\n\nСрок решения № 1 — завтра.\n")
    message.add_alternative("<p>Елена Дмитриевна, здравствуйте!</p>", subtype="html")
    return message


class MailerContract:
    @pytest.fixture
    def mail_env(self) -> MailEnv:
        raise NotImplementedError("a subclass provides the environment")

    def test_describe_names_where_letters_go(self, mail_env: MailEnv) -> None:
        assert mail_env.where in mail_env.make().describe()

    def test_a_letter_arrives_whole(self, mail_env: MailEnv) -> None:
        mailer = mail_env.make()
        mailer.send(letter())
        mailer.close()
        ((recipients, message),) = mail_env.received()
        assert recipients == [TO]
        assert message["Subject"] == "Решения ГМО: срок завтра"
        # spaces aside: the stdlib's parser puts one between the encoded words of a folded name
        (address,) = message["To"].addresses
        assert address.display_name.replace(" ", "") == "ЗамятинаЕленаДмитриевна" and address.addr_spec == TO
        plain = message.get_body(("plain",))
        html = message.get_body(("html",))
        assert plain is not None and "Срок решения № 1 — завтра." in plain.get_content()
        assert html is not None and "<p>Елена Дмитриевна, здравствуйте!</p>" in html.get_content()

    def test_letters_one_after_another_and_after_close(self, mail_env: MailEnv) -> None:
        mailer = mail_env.make()
        mailer.send(letter(subject="первое"))
        mailer.send(letter(subject="второе"))
        mailer.close()
        mailer.close()  # twice: the pipeline closes in a finally, a backend may close again
        mailer.send(letter(subject="третье"))  # a closed mailer opens again when asked to send
        mailer.close()
        assert [m["Subject"] for _, m in mail_env.received()] == ["первое", "второе", "третье"]

    def test_a_refused_letter_is_certainly_not_sent(self, mail_env: MailEnv) -> None:
        mailer = mail_env.make()
        with pytest.raises(MailError) as refused:
            mailer.send(letter(to="undisclosed-recipients:;"))
        assert not refused.value.delivered_maybe and str(refused.value).strip()
        mailer.send(letter())  # one refused letter does not spoil the next
        mailer.close()
        assert [r for r, _ in mail_env.received()] == [[TO]]
