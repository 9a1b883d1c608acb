"""The dialer against the Twilio stand-in: a burst of dials over a few kept connections."""

from __future__ import annotations

import asyncio

import pytest

from sidecar.infra.telephony.port import CallRef, TelephonyError
from sidecar.infra.telephony.standin import TwilioStandIn
from sidecar.infra.telephony.twilio import TwilioDialer
from tests.conftest import TWILIO_SID, TWILIO_TOKEN

HOOK = "https://tether.example.org/webhooks/telephony"


def dialer(url: str, concurrency: int) -> TwilioDialer:
    return TwilioDialer(base_url=url, account_sid=TWILIO_SID, auth_token=TWILIO_TOKEN,
                        from_number="+13125550199", concurrency=concurrency)


async def burst(d: TwilioDialer, n: int) -> list[CallRef | BaseException]:
    return await asyncio.gather(*(
        d.place_call(f"+131255501{i:02d}", status_url=HOOK, twiml_url=HOOK + "/twiml",
                     amd_url=HOOK + "/amd", ring_timeout_s=30) for i in range(n)),
        return_exceptions=True)


@pytest.fixture
def busy_provider(standin: tuple[TwilioStandIn, str]) -> tuple[TwilioStandIn, str]:
    s, url = standin
    s.default = "silent"  # nobody is called back: only the REST requests matter here
    s.latency_s = (0.02, 0.04)  # each request takes the provider 20-40 ms
    s.max_in_flight = 5  # past five requests at once the account answers 429
    return s, url


async def test_a_burst_of_dials_is_all_placed_within_the_providers_limit(
        busy_provider: tuple[TwilioStandIn, str]) -> None:
    s, url = busy_provider
    d = dialer(url, concurrency=5)
    try:
        placed = await burst(d, 40)
    finally:
        await d.aclose()
    assert [p for p in placed if not isinstance(p, CallRef)] == []
    assert len(s.calls) == 40 and len({c.to for c in s.calls}) == 40
    assert s.peak_in_flight == 5
    assert len(s.connections) <= 5  # connections are kept for the next dial, not reopened


async def test_a_dialer_allowed_more_than_the_provider_takes_sees_refusals(
        busy_provider: tuple[TwilioStandIn, str]) -> None:
    """The limit above is what keeps the burst whole: without it, dials are refused (the
    ladder would retry them seconds later)."""
    s, url = busy_provider
    d = dialer(url, concurrency=40)
    try:
        placed = await burst(d, 40)
    finally:
        await d.aclose()
    refused = [p for p in placed if isinstance(p, TelephonyError)]
    assert refused and "HTTP 429" in str(refused[0])
    assert len(s.calls) == 40 - len(refused)
