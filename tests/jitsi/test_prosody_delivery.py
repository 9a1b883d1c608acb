"""How our Prosody module delivers: signed, retried with backoff under one idempotency key,
in each room's order, given up on after its retry window with a log line, and never holding
Prosody up while Tether is slow. A real Prosody posts to a small scripted receiver here (the
sidecar is not needed; tests/jitsi/test_prosody_queue.py has outages, restarts and a full
queue against the sidecar)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from plugins.jitsi import JitsiWebhookAdapter
from tests.conftest import eventually, free_port
from tests.jitsi import events as je
from tests.jitsi.prosody_server import DOMAIN, ProsodyServer
from tests.jitsi.sidecar_view import ROOM, require_prosody
from tests.jitsi.xmpp_client import Participant

Answer = Callable[[int], Awaitable[int]]  # attempt number (1, 2, ...) -> HTTP status


@dataclass
class Attempt:
    at: float
    key_header: str
    body: bytes
    headers: dict[str, str]


@dataclass
class Receiver:
    answer: Answer
    attempts: dict[str, list[Attempt]] = field(default_factory=dict)
    url: str = ""

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        key = json.loads(body)["idempotency_key"]
        tries = self.attempts.setdefault(key, [])
        tries.append(Attempt(time.monotonic(), request.headers["X-Tether-Idempotency-Key"],
                             body, dict(request.headers)))
        return web.json_response({}, status=await self.answer(len(tries)))

    def events(self) -> dict[str, str]:
        return {k: json.loads(v[0].body)["event"] for k, v in self.attempts.items()}


@pytest.fixture
def prosody_bin() -> str:
    return require_prosody()


Started = Callable[..., Awaitable[tuple[Receiver, ProsodyServer]]]


@pytest.fixture
async def started(prosody_bin: str, tmp_path: Path) -> AsyncIterator[Started]:
    running: list[tuple[TestServer, ProsodyServer]] = []

    async def start(answer: Answer, **options: float) -> tuple[Receiver, ProsodyServer]:
        """options: the module's (tether_<name>), on top of prosody_server.MODULE_OPTIONS"""
        receiver = Receiver(answer)
        app = web.Application()
        app.router.add_post("/webhooks/jitsi", receiver.handle)
        server = TestServer(app, host="127.0.0.1", port=free_port())
        await server.start_server()
        receiver.url = str(server.make_url("/webhooks/jitsi"))
        prosody = ProsodyServer(prosody_bin, tmp_path / "prosody", free_port())
        running.append((server, prosody))
        await asyncio.to_thread(prosody.start, receiver.url, je.SECRET, **options)
        return receiver, prosody

    yield start
    for server, prosody in running:
        await asyncio.to_thread(prosody.stop)
        await server.close()


async def join(prosody: ProsodyServer, nick: str) -> Participant:
    p = Participant(DOMAIN, prosody.port, smacks=False)
    await p.online()
    await p.join(ROOM, nick, "Casey B")
    return p


async def test_retries_carry_one_key_fresh_signatures_and_back_off(started: Started) -> None:
    async def flaky(attempt: int) -> int:
        return 503 if attempt <= 2 else 200

    receiver, prosody = await started(flaky, retry_delay=0.5)
    casey = await join(prosody, "casey001")

    async def delivered() -> bool:
        return len(receiver.attempts) >= 2 and all(len(a) == 3 for a in
                                                   receiver.attempts.values())

    await eventually(delivered, timeout=8)
    assert sorted(receiver.events().values()) == ["occupant.joined", "room.created"]
    adapter = JitsiWebhookAdapter(je.SECRET, "UTC")
    for key, tries in receiver.attempts.items():
        assert {t.key_header for t in tries} == {key}
        assert len({t.body for t in tries}) == 1  # the same event, byte for byte
        for t in tries:
            adapter.verify(t.headers, t.body, time.time())  # each one signed
        assert tries[1].at - tries[0].at >= 0.45 and tries[2].at - tries[1].at >= 0.95
    # one room's events go one at a time, in the order they were queued: the second is
    # first tried once the first is through
    log = prosody.log()
    order = sorted(receiver.attempts.values(), key=lambda t: log.index(
        "queued " + json.loads(t[0].body)["event"]))
    assert order[1][0].at >= order[0][-1].at

    async def nothing_left_on_disk() -> bool:  # removed once Prosody has read the 200
        return prosody.queued_files() == []

    await eventually(nothing_left_on_disk, timeout=5)
    casey.drop()


async def test_it_gives_up_after_the_retry_window_with_a_log_line(started: Started) -> None:
    async def failing(attempt: int) -> int:
        return 500

    receiver, prosody = await started(failing, retry_for=1, retry_delay=0.2)
    casey = await join(prosody, "casey001")

    async def gave_up() -> bool:
        return all(f"dropped {e}" in prosody.log() for e in ("room.created", "occupant.joined"))

    await eventually(gave_up, timeout=6)
    log = prosody.log()
    assert "gave up after" in log and "HTTP 500" in log
    for tries in receiver.attempts.values():
        assert len(tries) >= 3  # retried with backoff until the window closed
        assert 1.0 <= tries[-1].at - tries[0].at < 3.0
    assert prosody.queued_files() == []
    casey.drop()


async def test_a_refusal_is_not_retried(started: Started) -> None:
    async def refusing(attempt: int) -> int:
        return 401

    receiver, prosody = await started(refusing)
    casey = await join(prosody, "casey001")

    async def dropped() -> bool:
        return "dropped occupant.joined" in prosody.log()

    await eventually(dropped, timeout=5)
    joined = next(k for k, e in receiver.events().items() if e == "occupant.joined")
    assert len(receiver.attempts[joined]) == 1
    assert "refused by Tether (HTTP 401), not retried" in prosody.log()
    casey.drop()


async def test_a_slow_tether_times_out_and_never_holds_prosody_up(started: Started) -> None:
    async def slow_first(attempt: int) -> int:
        if attempt == 1:
            await asyncio.sleep(4)
        return 200

    receiver, prosody = await started(slow_first, timeout=1, retry_delay=1)
    casey = await join(prosody, "casey001")
    rowan = Participant(DOMAIN, prosody.port, smacks=False)
    await rowan.online()
    t0 = time.monotonic()
    await rowan.join(ROOM, "rowan001", "Rowan T")  # while the first request hangs (4 s)
    assert time.monotonic() - t0 < 1.0

    async def all_retried() -> bool:
        return len(receiver.attempts) == 3 and all(len(a) == 2 for a in
                                                   receiver.attempts.values())

    await eventually(all_retried, timeout=12)
    for tries in receiver.attempts.values():
        assert tries[1].at - tries[0].at >= 1.9  # 1 s timeout, then 1 s backoff
    assert "timed out after 1s" in prosody.log()
    casey.drop()
    rowan.drop()
