"""Outages of the store: nothing acknowledged is lost, no scheduled callback is dropped."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from sidecar.infra.telephony.standin import TwilioStandIn
from tests import zoom_payloads as zp
from tests.callbacks.test_callback_ladder import CASEY, CASEY_PHONE, T0, calls_to, join_group
from tests.conftest import Harness, eventually, running_sidecar
from tests.redis_servers import RedisServer


async def test_events_during_a_redis_outage_are_spooled_then_applied(
        harness: Harness, redis_server: RedisServer) -> None:
    h = harness
    await join_group(h)
    await h.settle()
    redis_server.stop()
    try:
        r = await h.zoom(zp.disconnected(T0, *CASEY))
        assert r.status_code == 200 and r.json() == {"spooled": 1}  # answered, not lost
        assert (await h.http.get(f"{h.base}/readyz")).status_code == 503
    finally:
        redis_server.start()
    await eventually(lambda: _has_alert(h), timeout=10)
    await h.advance(10)
    await eventually(lambda: calls_to(h, CASEY_PHONE), timeout=10)


async def _has_alert(h: Harness) -> bool:
    try:
        return "alert.disconnected" in await h.kinds()
    except Exception:
        return False


@pytest.fixture
async def embedded(tmp_path: Path, standin: tuple[TwilioStandIn, str]):  # type: ignore[no-untyped-def]
    async with running_sidecar("", tmp_path, standin, {}) as h:
        yield h


async def test_embedded_redis_killed_mid_countdown_keeps_the_callback(embedded: Harness) -> None:
    h = embedded
    h.standin.behaviour[CASEY_PHONE] = "silent"  # one call, ringing: nothing else follows
    await join_group(h)
    await h.zoom(zp.disconnected(T0, *CASEY))
    await h.settle()
    assert h.standin.calls == []  # inside the grace: the callback is only scheduled
    pid = int((await h.tether.redis.info("server"))["process_id"])
    os.kill(pid, signal.SIGKILL)  # the store dies mid-countdown
    await eventually(lambda: _restarted(h, pid), timeout=10)
    await h.advance(10)
    await eventually(lambda: calls_to(h, CASEY_PHONE), timeout=10)
    assert await calls_to(h, CASEY_PHONE) == 1


async def _restarted(h: Harness, old_pid: int) -> bool:
    try:
        return int((await h.tether.redis.info("server"))["process_id"]) != old_pid
    except Exception:
        return False


async def test_embedded_store_starts_from_a_relative_data_dir(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sidecar.infra.store import EmbeddedRedis

    monkeypatch.chdir(tmp_path)
    store = EmbeddedRedis(Path("var") / "redis")  # as `tether serve` does from ./var
    store.start()
    try:
        await store.wait_ready()
        assert await store.answering()
        assert (tmp_path / "var" / "redis" / "redis.sock").exists()
    finally:
        store.stop()
