"""Telephony: signed status callbacks, failures retried, consent respected, TwiML."""

from __future__ import annotations

from sidecar.infra.telephony.signature import twilio_signature
from tests import zoom_payloads as zp
from tests.callbacks.test_callback_ladder import CASEY, CASEY_PHONE, T0, calls_to, join_group
from tests.conftest import TWILIO_TOKEN, Harness, eventually

ROWAN = ("pu-rowan-1", "Rowan T")  # client-002: support contact has NOT consented
ROWAN_PHONE = "+13125550112"


def test_signature_is_base64_hmac_sha1_of_url_and_sorted_params() -> None:
    import base64
    import hashlib
    import hmac

    url = "https://example.org/webhooks/telephony?job=a"
    params = {"CallStatus": "completed", "CallSid": "CA1"}
    data = url + "CallSidCA1" + "CallStatuscompleted"
    expected = base64.b64encode(hmac.new(b"tok", data.encode(), hashlib.sha1).digest()).decode()
    assert twilio_signature("tok", url, params) == expected


async def test_forged_status_callback_is_401_and_changes_nothing(harness: Harness) -> None:
    h = harness
    form = {"CallSid": "CAforged", "CallStatus": "completed"}
    r = await h.http.post(f"{h.base}/webhooks/telephony?job=x", data=form,
                          headers={"X-Twilio-Signature": "AAAA"})
    assert r.status_code == 401
    assert await h.tether.redis.exists("{tether}:call:CAforged") == 0


async def test_provider_error_on_dial_is_retried(harness: Harness) -> None:
    h = harness
    h.standin.behaviour[CASEY_PHONE] = "silent"
    h.standin.fail_requests = 1  # the first POST /Calls.json answers 500
    await join_group(h)
    await h.zoom(zp.disconnected(T0, *CASEY))
    await h.settle()
    await h.advance(10)
    await eventually(lambda: _has(h, "ladder.dial_failed"), timeout=5)

    async def retried() -> bool:
        await h.advance(1)
        return await calls_to(h, CASEY_PHONE) == 1

    await eventually(retried, timeout=10)
    assert h.standin.fail_requests == 0


async def test_failed_call_is_redialled(harness: Harness) -> None:
    h = harness
    h.standin.behaviour[CASEY_PHONE] = "failed"
    await join_group(h)
    await h.zoom(zp.disconnected(T0, *CASEY))
    await h.settle()
    await h.advance(10)

    async def redialled() -> bool:
        await h.advance(3)
        return await calls_to(h, CASEY_PHONE) >= 2

    await eventually(redialled, timeout=10)
    outcomes = [e["data"]["status"] for e in await h.timeline()
                if e["kind"] == "ladder.call_outcome"]
    assert outcomes[0] == "failed"


async def test_support_without_consent_is_skipped_straight_to_responders(
        harness: Harness) -> None:
    h = harness
    await join_group(h)
    await h.zoom(zp.disconnected(T0, *ROWAN))
    await h.settle()
    await h.advance(10)

    async def prompted() -> bool:
        await h.advance(30)
        return "ladder.responders_prompt" in await h.kinds()

    await eventually(prompted, timeout=10)
    assert await calls_to(h, "+13125550122") == 0  # Sam Tidewell did not consent
    skipped = [e for e in await h.timeline() if e["kind"] == "ladder.skipped"]
    assert skipped and skipped[0]["data"]["action"] == "call_support"


async def test_the_prompt_asks_for_a_key_and_carries_no_phi(harness: Harness) -> None:
    h = harness
    h.standin.behaviour[CASEY_PHONE] = "silent"
    await join_group(h)
    await h.zoom(zp.disconnected(T0, *CASEY))
    await h.settle()
    await h.advance(10)
    await eventually(lambda: calls_to(h, CASEY_PHONE), timeout=5)
    twiml_url = h.standin.calls[0].url
    form = {"CallSid": h.standin.calls[0].sid, "CallStatus": "in-progress"}
    public = h.tether.settings.tether_public_url
    assert twiml_url.startswith(public)
    sig = twilio_signature(TWILIO_TOKEN, twiml_url, form)
    r = await h.http.post(twiml_url, data=form, headers={"X-Twilio-Signature": sig})
    assert r.status_code == 200 and "<Gather" in r.text and "Press 1" in r.text
    assert "Harbor Light Evening IOP" in r.text and "3 1 2, 5 5 5, 0 1 0 0" in r.text
    assert "<Dial" not in r.text  # nobody is put through before a person pressed 1
    assert "Casey" not in r.text and "Larkspur" not in r.text and "0111" not in r.text
    bad = await h.http.post(twiml_url, data=form, headers={"X-Twilio-Signature": "x"})
    assert bad.status_code == 401


async def _has(h: Harness, kind: str) -> bool:
    return kind in await h.kinds()




async def test_provider_down_still_reaches_the_responders_prompt(harness: Harness) -> None:
    h = harness
    h.standin.fail_requests = 10_000  # every dial answers 500
    await join_group(h)
    await h.zoom(zp.disconnected(T0, *CASEY))
    await h.settle()
    await h.advance(10)

    async def prompted() -> bool:
        await h.advance(31)
        return "ladder.responders_prompt" in await h.kinds()

    await eventually(prompted, timeout=15)
    failures = [e for e in await h.timeline() if e["kind"] == "ladder.dial_failed"]
    assert len(failures) >= 4
