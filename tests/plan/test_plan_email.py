"""Plan links by e-mail to a caregiver with an address on the record, through a local SMTP
stand-in, when the program sets ``TETHER_SMTP_URL``: the same link as the text, with the
crisis line; a refusing server is said plainly; without the setting nothing is e-mailed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from sidecar.infra.mail import SmtpMailer
from sidecar.infra.telephony.standin import TwilioStandIn
from sidecar.plan.sending import MAIL_FAILED, MAX_ATTEMPTS
from tests.conftest import Harness, eventually, running_sidecar
from tests.plan.flow import CASEY, DANA, listing, opened, prepared, send, texted
from tests.smtp_standin import SmtpStandIn

DANA_MAIL = "dana.brightwater@example.org"


@pytest.fixture
async def smtp() -> AsyncIterator[tuple[SmtpStandIn, int]]:
    server = SmtpStandIn()
    port = await server.start()
    yield server, port
    await server.close()


@pytest.fixture
async def mailing(redis_url: str, tmp_path: Path, standin: tuple[TwilioStandIn, str],
                  smtp: tuple[SmtpStandIn, int]) -> AsyncIterator[Harness]:
    settings = {"tether_smtp_url": f"smtp://127.0.0.1:{smtp[1]}",
                "tether_smtp_from": "care-team@example.org"}
    async with running_sidecar(redis_url, tmp_path, standin, {}, settings=settings) as h:
        yield h


async def with_email(h: Harness) -> str:
    dana = await prepared(h)
    record = await h.tether.clients.get(CASEY, actor="test", purpose="test")
    assert record is not None
    contact = record.emergency_contacts[0].model_copy(update={"email": DANA_MAIL})
    await h.tether.clients.put(record.model_copy(update={"emergency_contacts": [contact]}),
                               actor="test")
    return dana


async def test_a_caregiver_gets_the_link_by_text_and_by_e_mail(
        mailing: Harness, smtp: tuple[SmtpStandIn, int]) -> None:
    h, server = mailing, smtp[0]
    dana = await with_email(h)
    await send(h, [dana])
    [texted_url] = await texted(h, DANA)

    async def arrived() -> bool:
        return bool(server.messages)
    await eventually(arrived)
    mail: Any = server.messages[0]
    assert mail["To"] == DANA_MAIL and mail["From"] == "care-team@example.org"
    body = mail.get_content()
    assert texted_url in body and "call or text 988" in body and "Casey" not in body
    assert (await opened(h, texted_url)).status_code == 200
    await eventually(lambda: _mail_state(h, "sent"))


async def _mail_state(h: Harness, wanted: str) -> bool:
    return bool((await listing(h))["links"][0]["mail"] == wanted)


async def test_a_refusing_mail_server_is_said_plainly(
        mailing: Harness, smtp: tuple[SmtpStandIn, int]) -> None:
    h = mailing
    smtp[0].refuse.add(DANA_MAIL)
    dana = await with_email(h)
    await send(h, [dana])
    await eventually(lambda: _mail_state(h, "retrying"))
    for _ in range(MAX_ATTEMPTS * 4):  # the backoff, on the injected clock
        if await _mail_state(h, "failed"):
            break
        h.clock.advance(10)
        await asyncio.sleep(0.1)
    line = (await listing(h))["links"][0]
    assert line["mail"] == "failed" and line["mail_note"] == MAIL_FAILED.format(n=MAX_ATTEMPTS)
    assert line["send"] == "sent"  # the text went anyway


async def test_without_the_setting_nothing_is_e_mailed(harness: Harness) -> None:
    h = harness
    dana = await with_email(h)
    await send(h, [dana])
    await texted(h, DANA)
    assert (await listing(h))["links"][0]["mail"] == ""


def test_the_mail_setting_is_checked_in_a_sentence() -> None:
    assert SmtpMailer.from_settings("", "") is None
    with pytest.raises(ValueError, match="TETHER_SMTP_URL: use smtp://host:25"):
        SmtpMailer.from_settings("http://mail.example.org", "a@example.org")
    with pytest.raises(ValueError, match="TETHER_SMTP_FROM"):
        SmtpMailer.from_settings("smtp://mail.example.org", "")
    m = SmtpMailer.from_settings("smtp+starttls://u%40x:p@mail.example.org", "a@example.org")
    assert m is not None and (m.port, m.user, m.password) == (587, "u@x", "p")
