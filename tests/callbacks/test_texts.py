"""Texts around a callback: the client's connection-lost text and their replies, and no
failed text that looks like a sent one."""

from __future__ import annotations

import asyncio

from sidecar.infra.telephony.signature import twilio_signature
from tests import zoom_payloads as zp
from tests.callbacks.test_callback_ladder import CASEY, CASEY_PHONE, DANA_PHONE, T0, join_group
from tests.callbacks.test_telephony import ROWAN, ROWAN_PHONE
from tests.conftest import TWILIO_TOKEN, Harness, eventually

PHI = ("Casey", "Brightwater", "Larkspur", "Springfield", "Dana", "overdose")
STAFF = ("+13125550101", "+13125550102", "+13125550103")


async def _drop(h: Harness, who: tuple[str, str] = CASEY) -> None:
    await join_group(h)
    await h.zoom(zp.disconnected(T0, *who))
    await h.settle()
    await h.advance(10)


async def _reply(h: Harness, sender: str, body: str) -> str:
    url = f"{h.tether.settings.tether_public_url}/webhooks/telephony/sms"
    form = {"MessageSid": "SM" + "0" * 32, "From": sender, "To": "+13125550199", "Body": body}
    r = await h.http.post(url, data=form, headers={
        "X-Twilio-Signature": twilio_signature(TWILIO_TOKEN, url, form)})
    assert r.status_code == 200
    return r.text


async def _tick(h: Harness, seconds: float) -> None:
    """Move the clock on only while no answered call plays out in real time (the prompt,
    the detection verdict): a clock that ran ahead would end it before its verdict. A call
    still ringing ends by the ladder's ring deadline, on this clock."""
    if all(c.status != "in-progress" for c in h.standin.calls):
        await h.advance(seconds)
    else:
        await asyncio.sleep(0.05)


async def _kind(h: Harness, kind: str) -> bool:
    await _tick(h, 2)
    return kind in await h.kinds()


async def test_the_client_is_texted_with_the_first_call(harness: Harness) -> None:
    h = harness
    await _drop(h)
    await eventually(lambda: _kind(h, "ladder.texted"), timeout=30)
    (text,) = [m["body"] for m in h.standin.messages if m["to"] == CASEY_PHONE]
    assert "Rejoin: https://zoom.example.org/j/81234567890" in text
    assert "Reply 1 if you are OK, 2 if you want a call" in text
    assert "+13125550150" in text and "+13125550109" in text  # dial-in, after hours
    assert "If you are not safe, call or text 988" in text
    assert not any(word in text for word in PHI), text


async def test_no_text_without_the_clients_consent(harness: Harness) -> None:
    h = harness
    await _drop(h, ROWAN)  # client-002's record does not say they agreed to texts
    await eventually(lambda: _kind(h, "ladder.text_skipped"), timeout=30)
    assert all(m["to"] != ROWAN_PHONE for m in h.standin.messages)


async def test_reply_2_calls_the_client_again_at_once(harness: Harness) -> None:
    h = harness
    await _drop(h)

    async def support_called() -> bool:
        await _tick(h, 30)
        return any(c.to == DANA_PHONE for c in h.standin.calls)

    await eventually(support_called, timeout=30)  # both client attempts went unanswered
    before = sum(1 for c in h.standin.calls if c.to == CASEY_PHONE)
    answer = await _reply(h, CASEY_PHONE, " 2 ")
    assert "We are calling you now" in answer

    async def called_again() -> bool:
        await _tick(h, 30)
        return sum(1 for c in h.standin.calls if c.to == CASEY_PHONE) > before

    await eventually(called_again, timeout=30)
    kinds = await h.kinds()
    assert "ladder.call_now" in kinds
    reply = next(e for e in await h.timeline() if e["kind"] == "sms.reply")
    assert reply["data"]["reply"] == "call" and reply["data"]["client"] == "client-001"


async def test_reply_1_is_shown_and_the_ladder_goes_on(harness: Harness) -> None:
    h = harness
    await _drop(h)
    await eventually(lambda: _kind(h, "ladder.texted"), timeout=30)
    assert "Your care team has your message" in await _reply(h, CASEY_PHONE, "1")
    reply = next(e for e in await h.timeline() if e["kind"] == "sms.reply")
    assert reply["data"] == {"subject": "client:client-001", "client": "client-001",
                             "reply": "ok"}

    async def support_called() -> bool:
        await _tick(h, 30)
        return any(c.to == DANA_PHONE for c in h.standin.calls)

    await eventually(support_called, timeout=30)  # "OK" by text is not a person reached


async def test_a_text_from_an_unknown_number_changes_nothing(harness: Harness) -> None:
    h = harness
    await _drop(h)
    await eventually(lambda: _kind(h, "ladder.texted"), timeout=30)
    assert "<Message>" not in await _reply(h, "+13125550177", "2")
    assert "sms.reply" not in await h.kinds()
    url = f"{h.tether.settings.tether_public_url}/webhooks/telephony/sms"
    bad = await h.http.post(url, data={"From": CASEY_PHONE, "Body": "2"},
                            headers={"X-Twilio-Signature": "forged"})
    assert bad.status_code == 401 and "sms.reply" not in await h.kinds()


async def _metric(h: Harness, name: str) -> str:
    text = (await h.http.get(f"{h.base}/metrics")).text
    return next((line for line in text.splitlines() if line.startswith(name)), "")


async def test_refused_staff_texts_are_failures_and_an_alert(harness: Harness) -> None:
    h = harness
    for number in STAFF:
        h.standin.sms_behaviour[number] = "refused"  # HTTP 400 from the provider
    await _drop(h)

    async def prompted() -> bool:
        await _tick(h, 30)
        return "ladder.responders_prompt" in await h.kinds()

    await eventually(prompted, timeout=30)
    prompt = next(e for e in await h.timeline() if e["kind"] == "ladder.responders_prompt")
    assert prompt["data"]["notified"] == []
    assert set(prompt["data"]["failed"]) == {"lead-avery", "cofac-morgan", "oncall-riley"}
    alert = next(e for e in await h.timeline() if e["kind"] == "alert.responders_unreached")
    assert alert["data"]["client"] == "client-001"
    counted = float((await _metric(h, 'tether_sms_failures_total{purpose="responders"}'))
                    .split()[-1])
    assert counted >= 3 and counted % 3 == 0  # three staff refused at every prompt


async def test_an_undelivered_text_comes_back_as_an_alert(harness: Harness) -> None:
    h = harness
    h.standin.sms_behaviour["+13125550101"] = "undelivered"  # the lead's phone is off
    await _drop(h)

    async def undelivered() -> bool:
        await _tick(h, 30)
        return "alert.sms_undelivered" in await h.kinds()

    await eventually(undelivered, timeout=30)
    alerts = [e for e in await h.timeline() if e["kind"] == "alert.sms_undelivered"]
    assert all(a["data"]["to"] == "lead-avery" and a["data"]["purpose"] == "responders"
               and a["data"]["to_name"] == "Avery Lindqvist" for a in alerts)
    assert "sms.delivered" in await h.kinds()  # the others' texts arrived

    counted = await _metric(h, 'tether_sms_failures_total{purpose="responders"}')
    assert float(counted.split()[-1]) >= 1  # each undelivered text is counted


async def test_a_check_in_link_that_never_arrives_is_an_alert(harness: Harness) -> None:
    h = harness
    h.standin.sms_behaviour[CASEY_PHONE] = "failed"
    await join_group(h)
    await h.settle()
    from tests.checkin.test_checkin import M

    r = await h.http.post(f"{h.base}/api/meetings/{M}/clients/client-001/checkin-link",
                          json={"send_sms": True}, headers=h.token())
    assert r.status_code == 200 and r.json()["sms_sent"] is True  # accepted by the provider

    async def alerted() -> bool:
        return "alert.sms_undelivered" in await h.kinds()

    await eventually(alerted, timeout=30)
    alert = next(e for e in await h.timeline() if e["kind"] == "alert.sms_undelivered")
    assert alert["data"]["purpose"] == "checkin_link"
    assert alert["data"]["subject"] == "client:client-001"
