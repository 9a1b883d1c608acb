"""Our Prosody module in a real Prosody (Debian's 0.12), posting to the real sidecar.

XMPP clients join the group's room the way Jitsi Meet's client does (a MUC nickname and a
<nick/> display name), then leave, switch rooms, get kicked, or lose their connection with
and without stream management; the sidecar's roster, timeline and callbacks show each.
The sidecar's fake clock starts at the real time, since Prosody signs with the real time.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from sidecar.infra import keys
from tests.conftest import Harness, eventually, free_port
from tests.jitsi import events as je
from tests.jitsi.prosody_server import DOMAIN, HIBERNATION_S, LOBBY, MEMBERS, ProsodyServer
from tests.jitsi.sidecar_view import (
    BREAKOUT_ROOM,
    CASEY_NAME,
    CASEY_PHONE,
    ROOM,
    calls_to,
    kinds,
    meeting,
    require_prosody,
    until,
)
from tests.jitsi.xmpp_client import Participant

NewParticipant = Callable[..., Awaitable[Participant]]


@pytest.fixture
def clock_start() -> float:
    return time.time()  # Prosody's timestamps are real: the replay window must accept them


@pytest.fixture
def prosody_bin() -> str:
    return require_prosody()


@pytest.fixture
async def prosody(prosody_bin: str, harness: Harness, tmp_path: Path
                  ) -> AsyncIterator[ProsodyServer]:
    server = ProsodyServer(prosody_bin, tmp_path / "prosody", free_port())
    await asyncio.to_thread(server.start, f"{harness.base}/webhooks/jitsi", je.SECRET)
    yield server
    await asyncio.to_thread(server.stop)  # its sessions end: a few last events
    await harness.settle()  # applied before the sidecar stops
    assert "tether_events\terror" not in server.log(), "the module lost an event"


@pytest.fixture
async def participant(prosody: ProsodyServer) -> AsyncIterator[NewParticipant]:
    made: list[Participant] = []

    async def new(jid: str = DOMAIN, *, smacks: bool = False) -> Participant:
        p = Participant(jid, prosody.port, smacks=smacks)
        made.append(p)
        await p.online()
        return p

    yield new
    for p in made:
        if p.transport is not None:
            p.drop()


async def test_leave_switch_room_and_kick_carry_their_reasons(
        harness: Harness, participant: NewParticipant) -> None:
    h = harness
    lead = await participant()
    await lead.join(ROOM, "lead0001", "Avery (lead)")  # first in: owner, moderator
    rowan = await participant()
    await rowan.join(ROOM, "rowan001", "Rowan T")
    await until(h, "rowan001", status="present", client="client-002")

    await rowan.leave(ROOM, "rowan001")
    await until(h, "rowan001", status="gone", reason="left")

    # a new connection, a new nickname (as Jitsi Meet's nicknames come from the session)
    await rowan.join(ROOM, "rowan002", "Rowan T")
    await rowan.leave(ROOM, "rowan002", status="switch_room")  # jitsi-meet's room move
    await rowan.join(BREAKOUT_ROOM, "rowan002", "Rowan T")
    await until(h, "rowan002", status="present", room=BREAKOUT_ROOM.split("@")[0])
    await next_second()  # within one second, entering a room outranks leaving it
    await rowan.leave(BREAKOUT_ROOM, "rowan002", status="switch_room")
    await rowan.join(ROOM, "rowan002", "Rowan T")
    await until(h, "rowan002", status="present", room="")

    await lead.kick(ROOM, "rowan002")
    await until(h, "rowan002", status="gone", reason="removed_by_host")

    await lead.goodbye()  # the last one out: the room is destroyed
    await until(h, "lead0001", status="gone", reason="left")
    await eventually(lambda: _has(h, "meeting.ended"))
    assert "meeting.started" in await kinds(h)
    assert h.standin.calls == []  # no drop among them


async def test_drop_without_stream_management_calls_the_client(
        harness: Harness, participant: NewParticipant) -> None:
    h = harness
    casey = await participant()
    await casey.join(ROOM, "casey001", CASEY_NAME)
    await until(h, "casey001", status="present", client="client-001")
    casey.drop()  # the connection closes without </stream> or unavailable presence
    await until(h, "casey001", status="gone", reason="disconnected")
    assert h.standin.calls == []  # the reconnect grace first
    await h.advance(10)
    await eventually(lambda: calls_to(h, CASEY_PHONE), timeout=5)


async def test_drop_with_stream_management_is_known_at_hibernation_start(
        harness: Harness, participant: NewParticipant) -> None:
    h = harness
    casey = await participant(smacks=True)
    await casey.join(ROOM, "casey002", CASEY_NAME)
    await until(h, "casey002", status="present", client="client-001")
    dropped_at = time.monotonic()
    casey.drop()  # Prosody hibernates the session, waiting for a resume
    await until(h, "casey002", status="gone", reason="disconnected")
    assert time.monotonic() - dropped_at < HIBERNATION_S  # not after the hibernation
    await h.advance(10)
    await eventually(lambda: calls_to(h, CASEY_PHONE), timeout=5)
    entries = await h.timeline(meeting())
    dial = next(e for e in entries if e["kind"] == "ladder.dialing")
    alert = next(e for e in entries if e["kind"] == "alert.disconnected")
    assert dial["data"]["late"] is False and dial["at"] <= alert["data"]["deadline"]

    # the hibernation runs out: the session ends, the final leave changes nothing
    await eventually(lambda: _final_leave(h, "casey002"), timeout=HIBERNATION_S + 5)
    assert (await kinds(h)).count("alert.disconnected") == 1


async def test_resume_within_the_grace_places_no_call(
        harness: Harness, participant: NewParticipant) -> None:
    h = harness
    # a token module named this member; the sidecar's join link mapped the id to a client
    await h.tether.redis.hset(keys.PLATFORM_USERS, "uid-rowan", "client:client-002")
    rowan = await participant(f"rowan@{MEMBERS}", smacks=True)
    await rowan.join(ROOM, "rowan002", "R.")  # a name not on file: the token says who
    await until(h, "rowan002", status="present", client="client-002")
    rowan.drop()
    await until(h, "rowan002", status="gone", reason="disconnected")
    await rowan.online()  # resumes the hibernating session: same nick, still in the room
    await until(h, "rowan002", status="present")
    await h.advance(30)
    await h.advance(30)
    assert h.standin.calls == []
    assert "ladder.stopped" in await kinds(h)


async def test_a_knock_at_the_lobby_is_the_waiting_room(
        harness: Harness, participant: NewParticipant) -> None:
    h = harness
    casey = await participant()
    await casey.join(f"{je.ROOM}@{LOBBY}", "casey003", CASEY_NAME)
    await until(h, "casey003", status="waiting", client="client-001")
    await next_second()  # gives up waiting (within one second, waiting outranks leaving)
    await casey.leave(f"{je.ROOM}@{LOBBY}", "casey003")
    await until(h, "casey003", status="gone", reason="left_waiting_room")


async def next_second() -> None:
    await asyncio.sleep(1.02 - time.time() % 1)


async def _has(h: Harness, kind: str) -> bool:
    return kind in await kinds(h)


async def _final_leave(h: Harness, nick: str) -> bool:
    rows = [e for e in await h.timeline(meeting()) if e["kind"] == "roster"
            and e["data"].get("participant") == nick and e["data"].get("status") == "gone"]
    return len(rows) >= 2  # interrupted, then "Hibernating too long"
