"""Reached means a person: only a keypress stops the client step; voicemails, faxes and
silence move the ladder on, hear no PHI, and a person who presses 1 is put through to a
clinician (or hears that one will call right back, and the on-call is texted)."""

from __future__ import annotations

from urllib.parse import quote

from sidecar.infra.telephony.signature import twilio_signature
from tests import zoom_payloads as zp
from tests.callbacks.test_callback_ladder import (
    CASEY,
    CASEY_PHONE,
    DANA_PHONE,
    MORGAN_PHONE,
    T0,
    calls_to,
    join_group,
)
from tests.conftest import TWILIO_TOKEN, Harness, eventually

RILEY_PHONE = "+13125550103"  # on call
PHI = ("Casey", "Brightwater", "Larkspur", "Springfield", "0111", "Dana")


async def _drop(h: Harness) -> None:
    await join_group(h)
    await h.zoom(zp.disconnected(T0, *CASEY))
    await h.settle()
    await h.advance(10)


async def _outcomes(h: Harness) -> list[str]:
    return [e["data"]["outcome"] for e in await h.timeline()
            if e["kind"] == "ladder.call_outcome"]


async def _step(h: Harness) -> None:
    """Move the clock on only while no call is still playing out in real time (the prompt,
    the detection verdict): a clock running ahead would end a call before its verdict."""
    if all(c.status not in ("ringing", "in-progress") for c in h.standin.calls):
        await h.advance(5)


async def _calls(h: Harness, number: str, n: int) -> bool:
    await _step(h)
    return await calls_to(h, number) >= n


async def test_a_voicemail_is_not_reached_and_hears_only_the_program(harness: Harness) -> None:
    h = harness
    h.standin.behaviour[CASEY_PHONE] = "machine"
    await _drop(h)
    await eventually(lambda: _calls(h, CASEY_PHONE, 2), timeout=10)  # the ladder moved on
    assert (await _outcomes(h))[0] == "voicemail"
    assert "ladder.answered" not in await h.kinds()
    heard = " ".join(h.standin.calls[0].spoken)
    assert "Harbor Light Evening IOP" in heard and "Press 1" in heard
    assert "call us back at 3 1 2, 5 5 5, 0 1 0 0" in heard
    assert not any(word in heard for word in PHI), heard
    assert h.standin.calls[0].dialled == []  # nobody was put through to a machine


async def test_pickup_without_a_key_and_a_fax_move_the_ladder_on(harness: Harness) -> None:
    h = harness
    h.standin.behaviour[CASEY_PHONE] = "pickup"  # answers, presses nothing, hangs up
    h.standin.behaviour[DANA_PHONE] = "fax"
    await _drop(h)
    await eventually(lambda: _calls(h, DANA_PHONE, 1), timeout=10)

    async def three() -> bool:
        await _step(h)
        return len(await _outcomes(h)) >= 3

    await eventually(three, timeout=10)
    assert (await _outcomes(h))[:3] == ["no_key", "no_key", "fax"]
    assert "ladder.answered" not in await h.kinds()


async def test_a_person_pressing_1_is_put_through_to_the_co_facilitator(
        harness: Harness) -> None:
    h = harness
    h.standin.behaviour[CASEY_PHONE] = "answer"
    h.standin.behaviour[MORGAN_PHONE] = "answer"
    await _drop(h)

    async def bridged() -> bool:  # the call plays out in real time: the clock stands still
        return "ladder.bridge" in await h.kinds()

    await eventually(bridged, timeout=10)
    answered = next(e for e in await h.timeline() if e["kind"] == "ladder.answered")
    assert answered["data"]["reached"] is True and answered["data"]["target"] == "client"
    bridge = next(e for e in await h.timeline() if e["kind"] == "ladder.bridge")
    assert bridge["data"]["staff"] == "cofac-morgan" and bridge["data"]["connected"] is True
    assert h.standin.calls[0].dialled == [MORGAN_PHONE]  # not the lead running the group
    assert (await _outcomes(h)) == ["reached"]


async def test_nobody_takes_the_bridge_so_the_client_is_told_and_on_call_texted(
        harness: Harness) -> None:
    h = harness
    h.standin.behaviour[CASEY_PHONE] = "answer"  # Morgan does not pick up (default)
    await _drop(h)

    async def missed() -> bool:  # the call plays out in real time: the clock stands still
        return "ladder.bridge_missed" in await h.kinds()

    await eventually(missed, timeout=10)
    entry = next(e for e in await h.timeline() if e["kind"] == "ladder.bridge_missed")
    assert entry["data"]["notified"] == ["oncall-riley"]
    texts = [m for m in h.standin.messages if m["to"] == RILEY_PHONE]
    assert texts and "pressed 1" in texts[0]["body"]
    assert not any(word in texts[0]["body"] for word in PHI)
    await eventually(lambda: _said(h, "A clinician will call you right back"), timeout=5)
    assert "call or text 988" in " ".join(h.standin.calls[0].spoken)


async def _said(h: Harness, text: str) -> bool:
    return any(text in s for s in h.standin.calls[0].spoken)


async def test_after_im_calling_them_a_late_keypress_reaches_that_clinician(
        harness: Harness) -> None:
    h = harness
    h.standin.behaviour[CASEY_PHONE] = "silent"  # still ringing when Riley takes the alert
    await _drop(h)
    await eventually(lambda: calls_to(h, CASEY_PHONE), timeout=5)
    meeting = quote(zp.MEETING_UUID, safe="")
    r = await h.http.post(f"{h.base}/api/meetings/{meeting}/ladders/client:client-001/ack",
                          json={}, headers=h.token("oncall-riley"))
    assert r.status_code == 200
    call = h.standin.calls[0]
    gather_url = call.url.replace("/twiml?", "/gather?")
    form = {"CallSid": call.sid, "Digits": "1", "CallStatus": "in-progress"}
    sig = twilio_signature(TWILIO_TOKEN, gather_url, form)
    r = await h.http.post(gather_url, data=form, headers={"X-Twilio-Signature": sig})
    assert r.status_code == 200 and f"<Number>{RILEY_PHONE}</Number>" in r.text
    assert "Casey" not in r.text
