"""``POST /webhooks/jitsi`` over real HTTP: what our Prosody module (or an impostor) gets
back, and what the sidecar makes of the module's events (real Redis, fake clock)."""

from __future__ import annotations

from typing import Any

import httpx

from tests.conftest import Harness, eventually
from tests.jitsi import events as je

T0 = je.T0_MS
CASEY = ("a1b2c3d4", "Casey B")  # display name on file for client-001
CASEY_PHONE = "+13125550111"


async def post(h: Harness, body: dict[str, Any] | bytes, *, now: float | None = None,
               secret: str = je.SECRET) -> httpx.Response:
    raw, headers = je.signed(body, h.clock.now() if now is None else now, secret)
    return await h.http.post(f"{h.base}/webhooks/jitsi", content=raw, headers=headers)


async def person(h: Harness, participant: str) -> dict[str, Any]:
    roster = await h.roster(je.meeting())
    return dict(next(p for p in roster["people"] if p["participant"] == participant))


async def calls_to(h: Harness, number: str) -> int:
    return sum(1 for c in h.standin.calls if c.to == number)


async def test_bad_signature_is_401_and_counted(harness: Harness) -> None:
    h = harness
    r = await post(h, je.joined(T0, *CASEY), secret="not-the-secret")
    assert r.status_code == 401 and "signature" in r.text.lower()
    metrics = (await h.http.get(f"{h.base}/metrics")).text
    assert 'tether_webhook_rejected_total{platform="jitsi",reason="BadSignature"} 1.0' in metrics


async def test_stale_timestamp_is_401(harness: Harness) -> None:
    h = harness
    r = await post(h, je.joined(T0, *CASEY), now=h.clock.now() - 301)
    assert r.status_code == 401 and "replay window" in r.text
    r = await post(h, je.joined(T0, *CASEY), now=h.clock.now() + 301)  # from the future
    assert r.status_code == 401


async def test_malformed_signed_body_is_400(harness: Harness) -> None:
    assert (await post(harness, b'{"event": "occupant.joined"}')).status_code == 400


async def test_event_without_contract_event_is_200_ignored(harness: Harness) -> None:
    h = harness
    body = je.room_event("breakout.created", T0, is_breakout=True, breakout_room_id="b1")
    r = await post(h, body)
    assert r.status_code == 200 and r.json() == {"ignored": "breakout.created"}


async def test_duplicate_idempotency_key_is_acknowledged_but_applied_once(
        harness: Harness) -> None:
    h = harness
    body = je.joined(T0, *CASEY)
    assert (await post(h, body)).json() == {"accepted": 1}
    assert (await post(h, body)).json() == {"accepted": 0}  # the module's retry
    await h.settle()
    rows = [e for e in await h.timeline(je.meeting()) if e["kind"] == "roster"]
    assert len(rows) == 1


async def test_out_of_order_events_are_decided_by_their_own_time(harness: Harness) -> None:
    h = harness
    await post(h, je.left(T0 + 5000, *CASEY, reason="disconnected"))
    await post(h, je.joined(T0, *CASEY))  # arrives later, happened earlier
    await h.settle()
    casey = await person(h, CASEY[0])
    assert casey["status"] == "gone" and casey["reason"] == "disconnected"
    assert casey["client"] == "client-001"
    await post(h, je.occupant_event("occupant.restored", T0 + 5400, *CASEY,
                                    interrupted_at_ms=T0 + 5000))
    await h.settle()
    assert (await person(h, CASEY[0]))["status"] == "present"  # same second: still wins


async def test_drop_requests_a_callback_within_the_deadline(harness: Harness) -> None:
    h = harness
    await post(h, je.joined(T0 - 60_000, *CASEY))
    await post(h, je.occupant_event("occupant.interrupted", T0, *CASEY))
    await h.settle()
    assert "alert.disconnected" in [e["kind"] for e in await h.timeline(je.meeting())]
    assert h.standin.calls == []  # within the reconnect grace
    await h.advance(10)
    await eventually(lambda: calls_to(h, CASEY_PHONE), timeout=5)
    dial = next(e for e in await h.timeline(je.meeting()) if e["kind"] == "ladder.dialing")
    assert dial["at"] - T0 <= 60_000 and dial["data"]["late"] is False


async def test_resume_within_grace_places_no_call(harness: Harness) -> None:
    h = harness
    await post(h, je.joined(T0 - 60_000, *CASEY))
    await post(h, je.occupant_event("occupant.interrupted", T0, *CASEY))
    await post(h, je.occupant_event("occupant.restored", T0 + 2000, *CASEY,
                                    interrupted_at_ms=T0))
    await h.settle()
    await h.advance(30)
    await h.advance(30)
    assert h.standin.calls == []
    assert "ladder.stopped" in [e["kind"] for e in await h.timeline(je.meeting())]


async def test_breakout_round_trip_is_not_a_disconnect(harness: Harness) -> None:
    h = harness
    room = "6a1f0c2e-5d7b-4c3e-9f1a-2b3c4d5e6f70"
    await post(h, je.joined(T0 - 60_000, *CASEY))
    await post(h, je.left(T0, *CASEY, reason="switch_room"))
    await post(h, je.joined(T0 + 300, *CASEY, breakout=room))
    await h.settle()
    casey = await person(h, CASEY[0])
    assert casey["status"] == "present" and casey["room"] == room
    await post(h, je.left(T0 + 9000, *CASEY, reason="switch_room", breakout=room))
    await post(h, je.joined(T0 + 9400, *CASEY))
    await h.settle()
    await h.advance(60)
    casey = await person(h, CASEY[0])
    assert casey["status"] == "present" and casey["room"] == ""
    assert h.standin.calls == []


async def test_unmapped_room_is_acknowledged_and_not_stored(harness: Harness) -> None:
    h = harness
    r = await post(h, je.joined(T0, *CASEY) | {"room": "some-other-room"})
    assert r.status_code == 200
    await h.settle()
    r2 = await h.http.get(f"{h.base}/api/meetings", headers=h.token())
    assert r2.json()["meetings"] == []  # nothing stored for a room no group meets in
