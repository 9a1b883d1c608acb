"""Fast drop detection on Jitsi over real HTTP and Redis with the fake clock: a join page
that stops heartbeating is a disconnect dated at its last beat (callback ladder at once
after the grace); a deliberate leave starts nothing; a beat after the gap is a rejoin."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from contracts.events import (
    EventEnvelope,
    LeaveReason,
    ParticipantJoined,
    ParticipantLeft,
    Person,
)
from sidecar.infra import keys
from tests.callbacks.test_callback_ladder import calls_to
from tests.conftest import Harness, eventually
from tests.jitsi.test_jitsi_join import (  # noqa: F401  (the fixtures)
    ROOM,
    jh,
    jitsi_settings,
    joined,
    session,
)

TODAY_PHONE = "+13125550131"  # the check-in's callback number (GOOD)
P = "abcd1234"  # videoConferenceJoined's id


async def beat(h: Harness, token: str, seq: int, participant: str = P, page: str = "pg1"
               ) -> str:
    r = await h.http.post(f"{h.base}/api/jitsi/heartbeat?t={token}", json={
        "participant": participant, "display_name": "Casey", "page": page, "seq": seq})
    assert r.status_code == 200, r.text
    return str(r.json()["state"])


async def leave(h: Harness, token: str, seq: int, page: str = "pg1") -> bool:
    r = await h.http.post(f"{h.base}/api/jitsi/leave?t={token}", content=(
        f'{{"participant":"{P}","page":"{page}","seq":{seq},"reason":"pagehide"}}'),
        headers={"Content-Type": "text/plain;charset=UTF-8"})  # as sendBeacon sends it
    assert r.status_code == 200, r.text
    return bool(r.json()["left"])


async def row(h: Harness, participant: str = P) -> dict[str, Any]:
    await h.settle()
    people = (await h.roster(session(h)))["people"]
    return dict(next(p for p in people if p["participant"] == participant))


async def kinds(h: Harness) -> list[str]:
    await h.settle()
    return await h.kinds_of(session(h))


async def in_meeting(h: Harness) -> tuple[str, int]:
    """Checked in, joined, three beats 3 s apart; the token and the last beat's ms."""
    token, _ = await joined(h)
    assert await beat(h, token, 1) == "joined"
    await h.advance(3)
    assert await beat(h, token, 2) == "alive"
    await h.advance(3)
    assert await beat(h, token, 3) == "alive"
    casey = await row(h)
    assert casey["status"] == "present" and casey["client"] == "client-001"
    return token, int(h.clock.now() * 1000)


async def test_silence_past_the_gap_is_a_disconnect_and_a_callback(jh: Harness) -> None:  # noqa: F811
    h = jh
    _, last = await in_meeting(h)
    await h.advance(9.5)  # the watchdog looked at +10 s from the first beat and moved on
    assert "alert.disconnected" not in await kinds(h)
    await h.advance(0.5)  # the gap (10 s) since the last beat
    await eventually(lambda: _has(h, "alert.disconnected"), timeout=5)
    alert = next(e for e in await h.timeline(session(h)) if e["kind"] == "alert.disconnected")
    assert alert["at"] == last and alert["data"]["reason"] == "disconnected"
    assert alert["data"]["participant"] == P and alert["data"]["subject"] == "client:client-001"
    casey = await row(h)
    assert casey["status"] == "gone" and casey["reason"] == "disconnected"
    # the grace (10 s) counts from the drop, so the callback is due as the drop is noticed
    await eventually(lambda: calls_to(h, TODAY_PHONE), timeout=5)
    dial = next(e for e in await h.timeline(session(h)) if e["kind"] == "ladder.dialing")
    assert dial["at"] - last <= (10 + 10) * 1000 and dial["data"]["late"] is False


async def test_the_record_keeps_the_display_name_sealed(jh: Harness) -> None:  # noqa: F811
    h = jh
    await in_meeting(h)
    await h.advance(10)
    await eventually(lambda: _has(h, "alert.disconnected"), timeout=5)
    record = await h.tether.heartbeats.record(session(h), P)
    assert record["name"] and "Casey" not in record["name"]
    casey = await row(h)  # the drop's event carries the name opened from the record
    assert casey["status"] == "gone" and casey["display_name"] == "Casey"
    raw = await h.tether.redis.hgetall(keys.state(session(h)))
    assert "Casey" not in " ".join(raw.values())


async def test_deliberate_leave_starts_no_ladder(jh: Harness) -> None:  # noqa: F811
    h = jh
    token, _ = await in_meeting(h)
    await h.advance(1)
    assert await leave(h, token, 4) is True
    casey = await row(h)
    assert casey["status"] == "gone" and casey["reason"] == "left"
    assert await beat(h, token, 3) == "stale"  # a beat sent before the leave, arriving after
    for _ in range(4):
        await h.advance(30)
    assert h.standin.calls == []
    assert "alert.disconnected" not in await kinds(h)
    assert (await row(h))["status"] == "gone"
    assert await leave(h, token, 5) is True  # told twice (videoConferenceLeft, pagehide)
    assert (await kinds(h)).count("roster") == 2  # joined, left: the repeat is a no-op


@pytest.mark.parametrize("policy", [{"grace_seconds": 30}])
async def test_a_beat_after_the_gap_is_a_rejoin_and_stops_the_ladder(jh: Harness) -> None:  # noqa: F811
    h = jh
    token, _ = await in_meeting(h)
    await h.advance(10)
    await eventually(lambda: _has(h, "alert.disconnected"), timeout=5)
    await h.advance(5)  # the connection comes back within the grace
    assert await beat(h, token, 4) == "joined"
    await eventually(lambda: _has(h, "ladder.stopped"), timeout=5)
    assert (await row(h))["status"] == "present"
    for seq in range(5, 20):  # beating on, well past the first drop's grace
        await h.advance(3)
        assert await beat(h, token, seq) == "alive"
    assert h.standin.calls == []
    # and the new episode has its own watchdog: silence again is a new disconnect
    await h.advance(10)
    await eventually(lambda: _count(h, "alert.disconnected", 2), timeout=5)


async def test_reports_are_idempotent_and_agree_with_server_events(jh: Harness) -> None:  # noqa: F811
    h = jh
    _, last = await in_meeting(h)
    await h.advance(10)
    await eventually(lambda: _has(h, "alert.disconnected"), timeout=5)
    # the watchdog deciding again (a retry) reports the same delivery: nothing new
    assert await h.tether.heartbeats.check(session(h), P, 1, h.tether.engine.now_ms()) == (
        "dropped")
    # Prosody's module notices the same drop a minute later, under its own delivery id
    await h.tether.inbox.accept([EventEnvelope(
        id="prosody:left:1", platform="jitsi", meeting=session(h), meeting_number=ROOM,
        occurred_at=datetime.fromtimestamp(last / 1000 + 60, UTC),
        event=ParticipantLeft(person=Person(participant=P), reason=LeaveReason.DISCONNECTED))])
    await eventually(lambda: calls_to(h, "+13125550131"), timeout=5)
    assert (await kinds(h)).count("alert.disconnected") == 1  # one ladder, not two
    assert len(await h.tether.meetings.ladders(session(h))) == 1


async def test_an_unidentified_participant_is_linked_and_no_one_else_can_beat_for_it(
        jh: Harness) -> None:  # noqa: F811
    h = jh
    token, _ = await joined(h)
    # the console (or a server module) saw the participant first, with no join token behind it
    await h.tether.inbox.accept([EventEnvelope(
        id="console:joined:1", platform="jitsi", meeting=session(h), meeting_number=ROOM,
        occurred_at=datetime.fromtimestamp(h.clock.now() - 1, UTC),
        event=ParticipantJoined(person=Person(participant=P, display_name="C.")))])
    assert (await row(h))["identity"] == "unknown"
    assert await beat(h, token, 1) == "joined"
    linked = await row(h)
    assert linked["client"] == "client-001" and "participant.linked" in await kinds(h)
    rowan, _ = await joined(h, "client-002")
    r = await h.http.post(f"{h.base}/api/jitsi/heartbeat?t={rowan}", json={
        "participant": P, "page": "other", "seq": 1})
    assert r.status_code == 409  # Rowan's link cannot hold Casey's presence
    r = await h.http.post(f"{h.base}/api/jitsi/leave?t={rowan}", json={
        "participant": P, "page": "other", "seq": 9})
    assert r.json()["left"] is False
    await h.advance(10)
    await eventually(lambda: calls_to(h, TODAY_PHONE), timeout=5)


async def _has(h: Harness, kind: str) -> bool:
    return kind in await kinds(h)


async def _count(h: Harness, kind: str, n: int) -> bool:
    return (await kinds(h)).count(kind) >= n


async def test_the_consoles_reasonless_leave_never_overrides_the_page(jh: Harness) -> None:  # noqa: F811
    """On meet.jit.si the console also sees the client leave (no reason): the join page's
    deliberate leave stands, and nobody is called back for hanging up."""
    h = jh
    token, _ = await in_meeting(h)
    await h.advance(1)
    assert await leave(h, token, 4) is True
    await h.advance(2)  # the console's participantLeft arrives seconds later
    r = await h.http.post(f"{h.base}/api/jitsi/rooms/{ROOM}/console-events", headers=h.token(),
                          json={"events": [{"type": "participant.left", "id": P}]})
    assert r.status_code == 200 and r.json() == {"accepted": 0}
    for _ in range(3):
        await h.advance(30)
    assert h.standin.calls == [] and (await row(h))["reason"] == "left"


async def test_a_dropped_jitsi_client_is_texted_a_working_way_back_in(jh: Harness) -> None:  # noqa: F811
    h = jh
    await in_meeting(h)
    await h.advance(10)
    await eventually(lambda: calls_to(h, TODAY_PHONE), timeout=5)

    async def texted() -> bool:
        await h.settle()
        return any(m["to"] == TODAY_PHONE for m in h.standin.messages)

    await eventually(texted, timeout=5)
    body = next(m["body"] for m in h.standin.messages if m["to"] == TODAY_PHONE)
    link = next(w for w in body.split() if f"/join/{ROOM}?t=" in w)
    assert link.startswith(h.base)  # this session's own join page, not a bare room URL
    page = await h.http.get(link, follow_redirects=True)
    assert page.status_code == 200 and 'id="checkin"' in page.text
    assert "Casey" not in body and "Reply 1 if you are OK" in body
