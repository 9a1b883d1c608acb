"""Our Prosody module's disk queue, in a real Prosody (Debian's 0.12) posting to the real
sidecar through a gate that can close (an outage) or lose answers.

Retry timings are the production defaults divided by SCALE, and so are the outage (60 s)
and the hibernation (tests/jitsi/prosody_server.py, 3 s): a 3 s outage here stands for
60 s, against a retry window standing for 900 s. (The module this replaced gave up after
six tries over 31 s, about 1.6 s at this scale.)
"""

from __future__ import annotations

import asyncio
import re
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from tests.conftest import Harness, eventually, free_port
from tests.jitsi import events as je
from tests.jitsi.gate import Gate
from tests.jitsi.prosody_server import DOMAIN, HIBERNATION_S, ProsodyServer
from tests.jitsi.sidecar_view import (
    CASEY_NAME,
    CASEY_PHONE,
    ROOM,
    called,
    calls_to,
    entries_of,
    require_prosody,
    row,
    until,
)
from tests.jitsi.xmpp_client import Participant

SCALE = 20
SCALED: dict[str, float] = {"retry_for": 900 / SCALE, "retry_delay": 1 / SCALE,
                            "retry_max_delay": 60 / SCALE}
OUTAGE_S = 60 / SCALE

Start = Callable[..., Awaitable[ProsodyServer]]
Join = Callable[..., Awaitable[Participant]]


@pytest.fixture
def clock_start() -> float:
    return time.time()  # Prosody's timestamps are real: the replay window must accept them


@pytest.fixture
async def gate(harness: Harness) -> AsyncIterator[Gate]:
    g = Gate(f"{harness.base}/webhooks/jitsi", harness.http)
    await g.open()
    yield g
    await g.cleanup()


@pytest.fixture
async def prosody(gate: Gate, tmp_path: Path) -> AsyncIterator[ProsodyServer]:
    server = ProsodyServer(require_prosody(), tmp_path / "prosody", free_port())
    yield server
    await asyncio.to_thread(server.stop)


@pytest.fixture
def start(prosody: ProsodyServer, gate: Gate) -> Start:
    async def run(**options: float) -> ProsodyServer:
        await asyncio.to_thread(prosody.start, gate.url, je.SECRET, **{**SCALED, **options})
        return prosody

    return run


@pytest.fixture
async def join(prosody: ProsodyServer) -> AsyncIterator[Join]:
    made: list[Participant] = []

    async def new(nick: str, name: str, *, smacks: bool = False) -> Participant:
        p = Participant(DOMAIN, prosody.port, smacks=smacks)
        made.append(p)
        await p.online()
        await p.join(ROOM, nick, name)
        return p

    yield new
    for p in made:
        if p.transport is not None:
            p.drop()


def errors(server: ProsodyServer) -> list[str]:
    return [line for line in server.log().splitlines() if "tether_events\terror" in line]


async def test_a_drop_during_a_60s_outage_arrives_after_it_dated_at_the_cut(
        harness: Harness, gate: Gate, start: Start, join: Join) -> None:
    h = harness
    server = await start()
    casey = await join("casey002", CASEY_NAME, smacks=True)  # as jitsi-meet connects
    await until(h, "casey002", status="present", client="client-001")

    await gate.close()  # Tether goes away
    cut = int(time.time() * 1000)  # whole ms, as the module stamps
    casey.drop()  # and Casey's connection with it
    await asyncio.sleep(OUTAGE_S)
    await h.advance(60)  # the sidecar's clock lives through the same minute
    assert "Tether unreachable" in server.run_log()
    assert server.queued_files(), "the drop is held on disk"
    assert await calls_to(h, CASEY_PHONE) == 0

    await gate.open()
    back = time.time()
    await until(h, "casey002", status="gone", reason="disconnected",
                timeout=SCALED["retry_max_delay"] + 3)
    await eventually(lambda: called(h, CASEY_PHONE), timeout=5)  # at once: no clock move

    [drop] = gate.delivered("occupant.interrupted")
    assert drop.at >= back  # delivered after the outage...
    [alert] = await entries_of(h, "alert.disconnected")
    assert alert["at"] == drop.body["at_ms"]  # ...dated with its own time: the cut,
    assert cut <= alert["at"] < cut + 1000  # not the delivery nor the hibernation's end
    dial, *_ = await entries_of(h, "ladder.dialing")  # the first (no answer: it tries again)
    assert dial["data"]["target"] == "client"
    assert "Tether reachable again" in server.run_log()
    assert errors(server) == []  # nothing given up on
    await eventually(lambda: _empty(server), timeout=5)


async def test_a_window_shorter_than_the_outage_loses_the_drop_and_says_so(
        harness: Harness, gate: Gate, start: Start, join: Join) -> None:
    """The same outage against a 20 s window (scaled): what the retry window is for."""
    h = harness
    server = await start(retry_for=20 / SCALE)
    casey = await join("casey002", CASEY_NAME, smacks=True)
    await until(h, "casey002", status="present", client="client-001")

    await gate.close()
    cut = int(time.time() * 1000)  # whole ms, as the module stamps
    casey.drop()
    await asyncio.sleep(OUTAGE_S)
    await h.advance(60)
    await gate.open()
    # the drop itself is lost: Tether learns of it only from the leave that ends the
    # hibernation, and dates it then
    await until(h, "casey002", status="gone", reason="disconnected",
                timeout=SCALED["retry_max_delay"] + 3)
    [line] = [e for e in errors(server) if "dropped occupant.interrupted" in e]
    assert "gave up after 1s" in line and "connection refused" in line
    assert gate.delivered("occupant.interrupted") == []
    [alert] = await entries_of(h, "alert.disconnected")
    assert alert["at"] >= cut + (HIBERNATION_S - 0.5) * 1000


async def test_events_queued_at_a_restart_are_sent_after_it_with_their_own_time(
        harness: Harness, gate: Gate, start: Start, join: Join) -> None:
    h = harness
    server = await start()
    await join("lead0001", "Avery (lead)")  # keeps the room open
    casey = await join("casey001", CASEY_NAME)  # no stream management: a drop is a leave
    await until(h, "casey001", status="present", client="client-001")

    await gate.close()
    cut = int(time.time() * 1000)  # whole ms, as the module stamps
    casey.drop()
    await eventually(lambda: _logged(server, "queued occupant.left"), timeout=5)
    await asyncio.to_thread(server.stop)  # SIGTERM, as systemd stops it
    stopped = time.time() * 1000
    held = len(server.queued_files())
    assert held >= 2  # Casey's drop, and what the shutdown itself ended (the lead's session)
    assert f"stopping with {held} event(s) not delivered" in server.log()

    await asyncio.to_thread(server.restart)
    assert f"replaying {held} event(s) queued before this start" in server.run_log()
    await h.advance(60)
    await gate.open()
    await until(h, "casey001", status="gone", reason="disconnected", timeout=5)
    await eventually(lambda: called(h, CASEY_PHONE), timeout=5)

    casey_left = [a for a in gate.delivered("occupant.left")
                  if a.body["occupant"]["id"] == "casey001"]
    assert len(casey_left) == 1 and casey_left[0].at * 1000 > stopped  # after the restart
    [alert] = await entries_of(h, "alert.disconnected")
    assert alert["at"] == casey_left[0].body["at_ms"]  # its own time, before the restart
    assert cut <= alert["at"] < min(cut + 1000, stopped)
    await eventually(lambda: _empty(server), timeout=5)
    assert errors(server) == []


async def test_a_replay_after_a_restart_is_a_duplicate_tether_ignores(
        harness: Harness, gate: Gate, start: Start, join: Join) -> None:
    h = harness
    gate.lose_answers = True  # the sidecar takes each event; the module never hears so
    server = await start()
    await join("casey001", CASEY_NAME)
    await until(h, "casey001", status="present", client="client-001")
    joined = next(k for k, a in gate.answers.items() if a[0].event == "occupant.joined")
    assert len(server.queued_files()) >= 2  # the module still holds it (and room.created)

    await asyncio.to_thread(server.restart)
    restarted = time.time()
    gate.lose_answers = False
    await eventually(lambda: _empty(server), timeout=5)

    answers = gate.answers[joined]
    assert answers[0].reply == {"accepted": 1}  # applied once...
    assert [a.reply for a in answers[1:]] == [{"accepted": 0}] * (len(answers) - 1)
    assert answers[-1].at >= restarted  # ...and sent again after the restart, as a duplicate
    present = [e for e in await entries_of(h, "roster")
               if e["data"]["participant"] == "casey001" and e["data"]["status"] == "present"]
    assert len(present) == 1


async def test_a_full_queue_sheds_joins_and_room_events_and_keeps_leaves(
        harness: Harness, gate: Gate, start: Start, join: Join) -> None:
    h = harness
    await gate.close()  # Tether is down throughout
    server = await start(queue_size=2, retry_delay=0.2, retry_max_delay=0.5)

    async def step(action: Awaitable[object], sheds: int) -> None:
        await action
        await eventually(lambda: _sheds(server, sheds), timeout=5)
        assert len(server.queued_files()) <= 2  # the bound holds on disk

    await step(join("lead0001", "Avery (lead)"), 0)  # room.created, the lead's join
    casey = await join("casey001", CASEY_NAME)  # a third event: one goes
    await step(_nothing(), 1)
    casey.drop()  # Casey's drop: a join goes, not the drop
    await step(_nothing(), 2)
    rowan = await join("rowan001", "Rowan T")
    await step(_nothing(), 3)
    await step(rowan.leave(ROOM, "rowan001"), 4)  # Rowan's leave: his join goes
    await step(join("jordan01", "Jordan P"), 5)  # the queue holds two leaves: this join goes

    shed = Counter(re.findall(r"queue full \(2\): dropped (\S+)", server.log()))
    assert shed == {"room.created": 1, "occupant.joined": 4}
    await h.advance(60)
    await gate.open()
    await until(h, "casey001", status="gone", reason="disconnected", timeout=5)
    await until(h, "rowan001", status="gone", reason="left")
    await eventually(lambda: called(h, CASEY_PHONE), timeout=5)
    assert await row(h, "jordan01") is None  # what was shed never reached Tether
    assert len(errors(server)) == 5  # one line per event shed, none other


async def _nothing() -> None:
    return None


async def _sheds(server: ProsodyServer, n: int) -> bool:
    return server.log().count("queue full (2): dropped") == n


async def _logged(server: ProsodyServer, text: str) -> bool:
    return text in server.run_log()


async def _empty(server: ProsodyServer) -> bool:
    return server.queued_files() == []
