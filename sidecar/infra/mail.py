"""Sending one e-mail through the program's SMTP server (``TETHER_SMTP_URL``).

The standard library's client runs in a thread with a timeout; every failure (refused,
unreachable, a bad login) is one ``MailError`` saying which, never the server's own words
about an address. Without the setting there is no mailer."""

from __future__ import annotations

import asyncio
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

TIMEOUT_S = 10.0
SCHEMES = ("smtp", "smtp+starttls", "smtps")


class MailError(Exception):
    """The e-mail could not be handed to the SMTP server."""


@dataclass(frozen=True)
class SmtpMailer:
    scheme: str
    host: str
    port: int
    user: str
    password: str
    sender: str

    @classmethod
    def from_settings(cls, url: str, sender: str) -> SmtpMailer | None:
        """None when unset; ValueError naming the problem when the URL cannot be used."""
        if not url.strip():
            return None
        parts = urlsplit(url.strip())
        if parts.scheme not in SCHEMES or not parts.hostname:
            raise ValueError("TETHER_SMTP_URL: use smtp://host:25, smtp+starttls://user:"
                             "password@host:587 or smtps://user:password@host:465")
        if "@" not in sender:
            raise ValueError("TETHER_SMTP_FROM: the sender's address, like "
                             "care-team@example.org")
        default = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}[parts.scheme]
        return cls(parts.scheme, parts.hostname, parts.port or default,
                   unquote(parts.username or ""), unquote(parts.password or ""), sender)

    async def send(self, to: str, subject: str, body: str) -> None:
        msg = EmailMessage()
        msg["From"], msg["To"], msg["Subject"] = self.sender, to, subject
        msg.set_content(body)
        try:
            await asyncio.to_thread(self._send, msg)
        except (smtplib.SMTPException, OSError) as exc:
            raise MailError(f"the SMTP server did not take the e-mail ({type(exc).__name__})"
                            ) from exc

    def _send(self, msg: EmailMessage) -> None:
        context = ssl.create_default_context()
        smtp: smtplib.SMTP = (smtplib.SMTP_SSL(self.host, self.port, timeout=TIMEOUT_S,
                                               context=context)
                              if self.scheme == "smtps"
                              else smtplib.SMTP(self.host, self.port, timeout=TIMEOUT_S))
        with smtp:
            if self.scheme == "smtp+starttls":
                smtp.starttls(context=context)
            if self.user:
                smtp.login(self.user, self.password)
            smtp.send_message(msg)
