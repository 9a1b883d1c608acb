"""A client's disconnect becomes a callback, then a support call, then a responders
prompt; acknowledging or rejoining stops it. Real Redis, real HTTP, Twilio stand-in."""

from __future__ import annotations

from sidecar.infra import keys
from tests import zoom_payloads as zp
from tests.conftest import Harness, eventually

T0 = 1_800_000_000_000  # ms; the fake clock starts here
CASEY = ("pu-casey-1", "Casey B")  # display name on file for client-001
CASEY_PHONE = "+13125550111"
DANA_PHONE = "+13125550121"  # client-001's support person, consented
MORGAN_PHONE = "+13125550102"  # the group's co-facilitator


async def join_group(h: Harness) -> None:
    for puuid, name in [CASEY, ("pu-rowan-1", "Rowan T"), ("pu-lead", "Avery (lead)")]:
        assert (await h.zoom(zp.joined(T0 - 60_000, puuid, name))).status_code == 200


async def calls_to(h: Harness, number: str) -> int:
    return sum(1 for c in h.standin.calls if c.to == number)


async def test_disconnect_dials_client_before_deadline_then_support_then_prompt(
        harness: Harness) -> None:
    h = harness
    await join_group(h)
    r = await h.zoom(zp.disconnected(T0, *CASEY))
    assert r.status_code == 200 and r.json() == {"accepted": 1}
    await h.settle()
    roster = await h.roster()
    casey = next(p for p in roster["people"] if p["participant"] == CASEY[0])
    assert casey["status"] == "gone" and casey["reason"] == "disconnected"
    assert casey["client"] == "client-001"
    assert "alert.disconnected" in await h.kinds()
    assert h.standin.calls == []  # still within the reconnect grace (10 s)

    await h.advance(10)  # grace over: the callback is requested now
    await eventually(lambda: calls_to(h, CASEY_PHONE), timeout=5)
    dial = next(e for e in await h.timeline() if e["kind"] == "ladder.dialing")
    assert dial["at"] - T0 <= 60_000 and dial["data"]["late"] is False

    # default: nobody answers; two attempts on the client, then the support person
    await eventually(lambda: _n(h, CASEY_PHONE, 2), timeout=5)
    await eventually(lambda: _n(h, DANA_PHONE, 1), timeout=5)
    await eventually(lambda: _has(h, "ladder.responders_prompt"), timeout=5)
    texts = [m["to"] for m in h.standin.messages]
    assert "+13125550101" in texts and "+13125550103" in texts  # lead and on-call
    assert all("Larkspur" not in m["body"] for m in h.standin.messages)  # no PHI in SMS


async def test_a_dial_reads_the_record_and_the_check_in_on_the_record(harness: Harness
                                                                       ) -> None:
    """The ladder reads the roster, the client's record and their check-in in one round
    trip before it dials; both PHI reads are on the audit stream, by the ladder."""
    h = harness
    await join_group(h)
    await h.zoom(zp.disconnected(T0, *CASEY))
    await h.settle()
    await h.advance(10)
    await eventually(lambda: calls_to(h, CASEY_PHONE), timeout=5)
    reads = [(e["actor"], e["action"].split(":", 1)[0], e["target"])
             for _, e in await h.tether.redis.xrange(keys.AUDIT)
             if e["action"].split(":", 2)[1:2] == ["call_client"]]
    assert reads[:2] == [("ladder", "client.read", "client-001"),
                         ("ladder", "checkin.read", "client-001")]


async def test_a_call_to_the_client_opens_only_the_number_and_the_texts_consent(
        harness: Harness) -> None:
    """For the client's own call the ladder reads two fields of the record (the number
    on file, and the care field that says whether they agreed to texts), audited like a
    whole record's read; a client with no record reads as None."""
    clients = harness.tether.clients
    async with harness.tether.redis.pipeline(transaction=False) as pipe:
        clients.call_cmds(pipe, "client-001", "ladder", "call_client:test")
        clients.call_cmds(pipe, "client-404", "ladder", "call_client:test")
        casey, _, nobody, _ = await pipe.execute()
    assert clients.call_opened("client-001", casey) == (CASEY_PHONE, True)
    assert clients.call_opened("client-404", nobody) is None
    reads = [(e["actor"], e["action"], e["target"])
             for _, e in await harness.tether.redis.xrange(keys.AUDIT)
             if e["action"] == "client.read:call_client:test"]
    assert reads == [("ladder", "client.read:call_client:test", "client-001"),
                     ("ladder", "client.read:call_client:test", "client-404")]


async def test_acknowledge_stops_the_ladder(harness: Harness) -> None:
    h = harness
    h.standin.behaviour[CASEY_PHONE] = "silent"  # rings on; the ack comes while it rings
    await join_group(h)
    await h.zoom(zp.disconnected(T0, *CASEY))
    await h.settle()
    await h.advance(10)
    await eventually(lambda: calls_to(h, CASEY_PHONE), timeout=5)
    r = await h.http.post(f"{h.base}/api/meetings/{_q()}/ladders/client:client-001/ack",
                          json={"note": "I'm calling them"}, headers=h.token())
    assert r.status_code == 200 and r.json()["stopped"] is True
    await h.advance(120)
    await h.advance(120)
    assert await calls_to(h, CASEY_PHONE) == 1 and await calls_to(h, DANA_PHONE) == 0
    assert "ladder.acknowledged" in await h.kinds()


async def test_rejoin_within_grace_places_no_call(harness: Harness) -> None:
    h = harness
    await join_group(h)
    await h.zoom(zp.disconnected(T0, *CASEY))
    await h.zoom(zp.joined(T0 + 4000, "pu-casey-2", "Casey B"))  # new uuid on a real rejoin
    await h.settle()
    await h.advance(30)
    await h.advance(30)
    assert h.standin.calls == []
    assert "ladder.stopped" in await h.kinds()


async def test_a_person_who_presses_1_ends_the_ladder(harness: Harness) -> None:
    h = harness
    h.standin.behaviour[CASEY_PHONE] = "answer"  # picks up and presses 1
    h.standin.behaviour[MORGAN_PHONE] = "answer"  # the co-facilitator takes the bridge
    await join_group(h)
    await h.zoom(zp.disconnected(T0, *CASEY))
    await h.settle()
    await h.advance(10)

    async def answered() -> bool:  # the call plays out in real time: the clock stands still
        return "ladder.answered" in await h.kinds()

    await eventually(answered, timeout=10)
    await h.advance(120)
    assert await calls_to(h, DANA_PHONE) == 0 and await calls_to(h, CASEY_PHONE) == 1
    assert [m["to"] for m in h.standin.messages] == [CASEY_PHONE]  # only the client's text


async def test_room_move_is_not_a_disconnect(harness: Harness) -> None:
    h = harness
    await join_group(h)
    await h.zoom(zp.left(T0, *CASEY, reason="left the meeting. Reason : left the meeting to "
                                              "join breakout room"))
    await h.zoom(zp.joined(T0, *CASEY))
    await h.settle()
    await h.advance(60)
    assert h.standin.calls == []
    casey = next(p for p in (await h.roster())["people"] if p["participant"] == CASEY[0])
    assert casey["status"] == "present"


def _q() -> str:
    from urllib.parse import quote

    return quote(zp.MEETING_UUID, safe="")


async def _n(h: Harness, number: str, n: int) -> bool:
    await h.advance(30)
    return await calls_to(h, number) >= n


async def _has(h: Harness, kind: str) -> bool:
    await h.advance(30)
    return kind in await h.kinds()
