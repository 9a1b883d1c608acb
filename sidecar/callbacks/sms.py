"""Texts the callback work sends, each with a status callback naming what it was for, so
that its delivery (or its failure) lands on the meeting's timeline; failures are counted
by purpose."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import urlencode

import redis.asyncio as aioredis

from sidecar.infra.config import Staff
from sidecar.infra.metrics import Metrics
from sidecar.infra.telephony.port import Dialer, TelephonyError

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Texter:
    redis: aioredis.Redis
    dialer: Dialer
    metrics: Metrics
    public_url: str

    def status_url(self, **about: str) -> str:
        """Where the provider reports delivery; what the text was for rides in the query
        (ids only), so a report that comes before we could store anything still lands."""
        return f"{self.public_url}/webhooks/telephony/sms-status?{urlencode(about)}"

    async def send(self, number: str, body: str, *, meeting: str, subject: str,
                   purpose: str, to: str) -> str:
        """Send one text; TelephonyError (counted) when the provider refuses it."""
        url = self.status_url(meeting=meeting, subject=subject, purpose=purpose, to=to)
        try:
            return await self.dialer.send_sms(number, body, status_url=url)
        except TelephonyError:
            self.metrics.sms_failures.labels(purpose).inc()
            raise

    async def text_staff(self, meeting: str, subject: str, staff: list[Staff], body: str,
                         purpose: str) -> tuple[list[str], list[str]]:
        """Text each staff member: the ids it was sent to, and those it could not be."""
        sent: list[str] = []
        failed: list[str] = []
        for person in staff:
            try:
                await self.send(person.phone, body, meeting=meeting, subject=subject,
                                purpose=purpose, to=person.id)
            except TelephonyError as exc:
                logger.warning("SMS to staff %s failed: %s", person.id, exc)
                failed.append(person.id)
            else:
                sent.append(person.id)
        return sent, failed
