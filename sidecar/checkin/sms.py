"""Check-in texts: links, made and sent the same way by a clinician's request and by the
reminder's re-prompt (the text holds the link only), and one-time codes for the in-meeting
form (the code and the program's name only). No name, no PHI."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from sidecar.checkin.code_rules import sms_text
from sidecar.checkin.store import CheckInLinks
from sidecar.infra.telephony import Dialer
from sidecar.records.clients import ClientStore

LINK_TTL_MS = 3 * 3600 * 1000
SMS_BODY = "Your care team asks you to check in for today's group: {url}"


@dataclass(frozen=True)
class CheckInTexter:
    links: CheckInLinks
    clients: ClientStore
    dialer: Dialer
    public_url: str  # Tether's own base URL, no trailing slash

    async def url(self, meeting: str, client: str, now_ms: int, by: str
                  ) -> tuple[str, int]:
        """A signed link to this session's form (minted on the audit record for ``by``),
        and when it expires (ms)."""
        expires = now_ms + LINK_TTL_MS
        token = await self.links.mint(meeting, client, expires, by=by,
                                      purpose=f"checkin:{meeting}")
        return f"{self.public_url}/checkin?t={token}", expires

    async def send(self, client: str, url: str, actor: str, meeting: str) -> bool:
        """Text ``url`` to the client's number on file; False if there is no record.
        Raises TelephonyError when the provider refuses. Its delivery, or its failure,
        comes back on the meeting's timeline (the status callback names ids only)."""
        record = await self.clients.get(client, actor=actor, purpose="checkin-sms")
        if record is None:
            return False
        about = urlencode({"meeting": meeting, "subject": f"client:{client}",
                           "purpose": "checkin_link", "to": "client"})
        await self.dialer.send_sms(record.callback_phone, SMS_BODY.format(url=url),
                                   status_url=f"{self.public_url}/webhooks/telephony/"
                                   f"sms-status?{about}")
        return True


@dataclass(frozen=True)
class CodeTexter:
    dialer: Dialer
    public_url: str  # Tether's own base URL, no trailing slash
    program: Callable[[], str]  # the program's name now, the only words besides the code

    async def send(self, phone: str, code: str, *, meeting: str, client: str) -> None:
        """Text a one-time code; TelephonyError when the provider refuses. A text accepted
        but not delivered comes back as ``alert.sms_undelivered`` (purpose checkin_code)."""
        about = urlencode({"meeting": meeting, "subject": f"client:{client}",
                           "purpose": "checkin_code", "to": "client"})
        await self.dialer.send_sms(phone, sms_text(self.program(), code),
                                   status_url=f"{self.public_url}/webhooks/telephony/"
                                   f"sms-status?{about}")
