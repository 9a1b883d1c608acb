"""A store an earlier version wrote (keys named ``tether:...``) keeps working after an
upgrade: its keys move under ``{tether}`` at start, with their values and expiries."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio as aioredis

from sidecar.infra import key_layout, keys
from sidecar.infra.telephony.standin import TwilioStandIn
from tests import zoom_payloads as zp
from tests.conftest import running_sidecar


async def as_an_earlier_version_left_it(redis_url: str) -> None:
    """Every key of the program back under its old name, and no layout mark."""
    r = aioredis.Redis.from_url(redis_url, decode_responses=True)
    try:
        await r.delete(keys.LAYOUT)
        async for key in r.scan_iter(match=keys.PROGRAM_TAG + ":*"):
            await r.rename(key, keys.LEGACY_PREFIX + key.removeprefix(keys.PROGRAM_TAG + ":"))
    finally:
        await r.aclose()


async def test_an_upgraded_store_keeps_its_audit_record_and_its_deliveries_seen(
        redis_url: str, tmp_path: Path, standin: tuple[TwilioStandIn, str],
        policy: dict[str, Any]) -> None:
    joined = zp.joined(1_800_000_000_000 - 5000, "pu-casey-1", "Casey B")
    async with running_sidecar(redis_url, tmp_path, standin, policy) as h:
        assert (await h.zoom(joined)).json() == {"accepted": 1}
        await h.settle()
        audited = await h.tether.redis.xlen(keys.AUDIT)
        assert audited > 0
    await as_an_earlier_version_left_it(redis_url)

    async with running_sidecar(redis_url, tmp_path, standin, policy) as h:
        r = h.tether.redis
        assert [k async for k in r.scan_iter(match=keys.LEGACY_PREFIX + "*")] == []
        assert await r.get(keys.LAYOUT) == keys.LAYOUT_VERSION
        assert await r.xlen(keys.AUDIT) >= audited  # the record goes on where it was
        # Zoom retrying the same delivery after the upgrade is still a repeat
        assert (await h.zoom(joined)).json() == {"accepted": 0}
        [seen] = [k async for k in r.scan_iter(match=keys.SEEN_PREFIX + "*")]
        assert 0 < await r.ttl(seen) <= keys.SEEN_TTL_S
        await h.settle()  # the inbox and its consumer group moved together
        roster = await h.roster()
        assert [p["status"] for p in roster["people"]] == ["present"]


async def test_a_name_already_taken_is_never_overwritten(
        redis_url: str, caplog: pytest.LogCaptureFixture) -> None:
    r = aioredis.Redis.from_url(redis_url, decode_responses=True)
    try:
        await r.set("tether:directory", "old")
        await r.set(keys.DIRECTORY, "new")
        await r.hset("tether:client:c9", mapping={"v": "1"})
        with caplog.at_level(logging.WARNING):
            assert await key_layout.upgrade(r) == 1
        assert await r.get(keys.DIRECTORY) == "new"
        assert await r.get("tether:directory") == "old"  # left for an operator to look at
        assert await r.hgetall(keys.client("c9")) == {"v": "1"}
        assert "tether:directory left as it is" in caplog.text
        assert await key_layout.upgrade(r) == 0  # once only
    finally:
        await r.aclose()
