"""A store an earlier version wrote keeps working after an upgrade: its keys move to
today's names at start, with their values and expiries (the program's ``tether:...`` keys
under ``{tether}``; a meeting's ``{m:<meeting>}`` keys and the jobs' ``{jobs}`` keys into
the shards)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio as aioredis

from sidecar.infra import key_layout, keys
from sidecar.infra.telephony.standin import TwilioStandIn
from tests import zoom_payloads as zp
from tests.callbacks.test_callback_ladder import CASEY, CASEY_PHONE, T0, calls_to, join_group
from tests.conftest import eventually, running_sidecar


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


async def as_layout_2_left_it(redis_url: str) -> None:
    """The names of before the meeting shards: a meeting's keys ``{m:<meeting>}:...``,
    every job's hash ``{jobs}:job:<key>`` (keys naming no shard, and the meeting's state
    pointing at them so) in the one ``{jobs}:due``, and one set of live meetings."""
    r = aioredis.Redis.from_url(redis_url, decode_responses=True)
    try:
        await r.set(keys.LAYOUT, "2")
        old_of: dict[str, str] = {}
        for index in keys.DUE_INDEXES:
            for job_key, due in await r.zrange(index, 0, -1, withscores=True):
                old = job_key.removeprefix(keys.job_shard(job_key))
                old_of[job_key] = old
                await r.rename(keys.job(job_key), keys.LEGACY_JOB_PREFIX + old)
                await r.zadd(keys.LEGACY_JOBS_DUE, {old: due})
            await r.delete(index)
        for shard in keys.MEETING_SHARDS:
            async for key in r.scan_iter(match=shard + ":m:*"):
                meeting, what = key.removeprefix(shard + ":m:").rsplit(":", 1)
                old_name = keys.LEGACY_MEETING_PREFIX + meeting + "}:" + what
                await r.rename(key, old_name)
                if what == "state":
                    for field, value in (await r.hgetall(old_name)).items():
                        if field.startswith(keys.LADDER_FIELD):
                            await r.hset(old_name, field, old_of[value])
        for index in keys.ACTIVE_INDEXES:
            for meeting in await r.smembers(index):
                await r.sadd(keys.LEGACY_ACTIVE_MEETINGS, meeting)
            await r.delete(index)
    finally:
        await r.aclose()


async def test_a_client_who_dropped_before_the_upgrade_to_shards_is_still_called(
        redis_url: str, tmp_path: Path, standin: tuple[TwilioStandIn, str],
        policy: dict[str, Any]) -> None:
    """Dropped in the old layout, inside the reconnect grace; the replicas are upgraded
    meanwhile: the roster still names the client (the sealed name opens under its key's
    new name), the callback still goes out when the grace ends, and the old keys are gone."""
    async with running_sidecar(redis_url, tmp_path, standin, policy) as h:
        await join_group(h)
        assert (await h.zoom(zp.disconnected(T0, *CASEY))).json() == {"accepted": 1}
        await h.settle()
        assert h.standin.calls == []
    await as_layout_2_left_it(redis_url)

    async with running_sidecar(redis_url, tmp_path, standin, policy) as h:
        r = h.tether.redis
        assert await r.get(keys.LAYOUT) == keys.LAYOUT_VERSION
        for old in ("{m:*", "{jobs}*", keys.LEGACY_ACTIVE_MEETINGS):
            assert [k async for k in r.scan_iter(match=old)] == []
        casey = next(p for p in (await h.roster())["people"] if p["participant"] == CASEY[0])
        assert (casey["display_name"], casey["status"]) == ("Casey B", "gone")
        listed = (await h.http.get(h.base + "/api/meetings", headers=h.token())).json()
        assert [m["meeting"] for m in listed["meetings"]] == [zp.MEETING_UUID]
        await h.advance(10)  # the grace ends after the upgrade: the callback goes out
        await eventually(lambda: calls_to(h, CASEY_PHONE), timeout=5)
        assert "ladder.dialing" in await h.kinds()


async def test_a_key_tether_never_wrote_does_not_stop_the_start(
        redis_url: str, caplog: pytest.LogCaptureFixture) -> None:
    """A stray key that looks like an old meeting key but is not one is left alone, with a
    warning, and the rest moves: the sidecar still starts."""
    r = aioredis.Redis.from_url(redis_url, decode_responses=True)
    try:
        await r.delete(keys.LAYOUT)
        await r.set("{m:stray", "someone else's")
        await r.hset("{m:meeting-9}:state", mapping={"m:number": "8100000009"})
        with caplog.at_level(logging.WARNING):
            assert await key_layout.upgrade(r) == 1
        assert await r.get("{m:stray") == "someone else's"
        assert await r.hgetall(keys.state("meeting-9")) == {"m:number": "8100000009"}
        assert "{m:stray left as it is" in caplog.text
    finally:
        await r.delete("{m:stray", keys.state("meeting-9"))
        await r.aclose()
