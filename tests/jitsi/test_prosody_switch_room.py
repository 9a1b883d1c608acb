"""A room move (jitsi-meet's switch_room leave, then a join in the other room) cut short by a
lost connection, in a real Prosody (Debian's 0.12) posting to the real sidecar: the module
watches the move and reports a drop, dated at the leave, when the person never arrives."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from tests.conftest import Harness, eventually, free_port
from tests.jitsi import events as je
from tests.jitsi.prosody_server import DOMAIN, ProsodyServer
from tests.jitsi.sidecar_view import (
    BREAKOUT_ROOM,
    CASEY_NAME,
    CASEY_PHONE,
    ROOM,
    called,
    calls_to,
    entries_of,
    kinds,
    require_prosody,
    until,
)
from tests.jitsi.xmpp_client import Participant

WATCH_S = 1.0  # tether_switch_room_watch (default 5)
GRACE_S = 10  # examples/program.yaml's callback_policy.grace_seconds

Join = Callable[..., Awaitable[Participant]]


@pytest.fixture
def clock_start() -> float:
    return time.time()  # Prosody's timestamps are real: the replay window must accept them


@pytest.fixture
async def prosody(harness: Harness, tmp_path: Path) -> AsyncIterator[ProsodyServer]:
    server = ProsodyServer(require_prosody(), tmp_path / "prosody", free_port())
    await asyncio.to_thread(server.start, f"{harness.base}/webhooks/jitsi", je.SECRET,
                            switch_room_watch=WATCH_S)
    yield server
    await asyncio.to_thread(server.stop)


@pytest.fixture
async def join(prosody: ProsodyServer) -> AsyncIterator[Join]:
    made: list[Participant] = []

    async def new(nick: str, name: str) -> Participant:
        p = Participant(DOMAIN, prosody.port, smacks=True)  # as jitsi-meet connects
        made.append(p)
        await p.online()
        await p.join(ROOM, nick, name)
        return p

    yield new
    for p in made:
        if p.transport is not None:
            p.drop()


@pytest.mark.parametrize("back_to_main", [False, True], ids=["to_breakout", "back_to_main"])
async def test_a_move_cut_short_by_a_lost_connection_is_a_drop_dated_at_the_leave(
        harness: Harness, prosody: ProsodyServer, join: Join, back_to_main: bool) -> None:
    h = harness
    await join("lead0001", "Avery (lead)")
    casey = await join("casey004", CASEY_NAME)
    await until(h, "casey004", status="present", client="client-001")
    leaving = ROOM
    if back_to_main:  # in a breakout room first (a completed move: no drop)
        await casey.leave(ROOM, "casey004", status="switch_room")
        await casey.join(BREAKOUT_ROOM, "casey004", CASEY_NAME)
        await until(h, "casey004", status="present", room=BREAKOUT_ROOM.split("@")[0])
        await asyncio.sleep(1.02 - time.time() % 1)  # within a second a join outranks a move
        leaving = BREAKOUT_ROOM

    before = int(time.time() * 1000)  # whole ms, as the module stamps
    await casey.leave(leaving, "casey004", status="switch_room")  # off to the other room...
    after = time.time() * 1000
    casey.drop()  # ...and the connection goes before the join there
    await until(h, "casey004", status="gone", reason="disconnected", timeout=WATCH_S + 3)
    assert time.time() * 1000 - before >= WATCH_S * 1000 * 0.9  # the watch ran first

    [alert] = await entries_of(h, "alert.disconnected")
    assert before <= alert["at"] <= after  # dated at the switch_room leave
    assert alert["data"]["callback_due"] <= alert["at"] + GRACE_S * 1000  # not pushed back
    await h.advance(GRACE_S)
    await eventually(lambda: called(h, CASEY_PHONE), timeout=5)
    dial, *_ = await entries_of(h, "ladder.dialing")  # the first (no answer: it tries again)
    assert dial["at"] - alert["at"] <= (GRACE_S + WATCH_S) * 1000
    assert prosody.log().count("did not arrive within") == 1


async def test_a_move_that_arrives_sends_nothing_more(
        harness: Harness, prosody: ProsodyServer, join: Join) -> None:
    h = harness
    await join("lead0001", "Avery (lead)")
    casey = await join("casey005", CASEY_NAME)
    await until(h, "casey005", status="present", client="client-001")

    await casey.leave(ROOM, "casey005", status="switch_room")
    await casey.join(BREAKOUT_ROOM, "casey005", CASEY_NAME)
    await until(h, "casey005", status="present", room=BREAKOUT_ROOM.split("@")[0])
    await asyncio.sleep(WATCH_S + 0.5)  # the watch is over
    await h.settle()
    await h.advance(GRACE_S)
    await asyncio.sleep(0.3)

    rows = [e["data"] for e in await entries_of(h, "roster")
            if e["data"]["participant"] == "casey005"]
    assert rows and not [r for r in rows if r["reason"] == "disconnected"]
    await until(h, "casey005", status="present", room=BREAKOUT_ROOM.split("@")[0])
    assert "alert.disconnected" not in await kinds(h)
    assert await calls_to(h, CASEY_PHONE) == 0
    assert "did not arrive within" not in prosody.log()
