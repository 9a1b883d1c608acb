"""Job hashes as stored: compact for new jobs, and the earlier layout, still in a store that
was upgraded in place (its keys moved at start, ``key_layout``), fires, retries, takes
signals and cancels as before."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from sidecar.infra import key_layout, keys
from sidecar.infra.clock import FakeClock
from sidecar.infra.jobs import ClaimedJob, Defer, Done, JobEngine, Outcome, Retry
from sidecar.infra.store import connect

T = 1_800_000_000.0
NOW_MS = int(T * 1000)
MEETING = "4444AAAiAAAAAiAiAiiAii=="  # a Zoom meeting uuid's shape
CHECKIN = {"meeting": MEETING, "client": "client-0042", "subject": "client:client-0042"}


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[aioredis.Redis]:
    client = connect(redis_url)
    yield client
    await client.aclose()


async def legacy_job(redis: aioredis.Redis, key: str, due_ms: int, *, attempts: int = 0,
                     data: str = "{}") -> None:
    """A pending job exactly as the earlier schedule wrote it (epoch and wake 1), under the
    names of then, and the store then upgraded as a replica does when it starts."""
    await redis.hset(f"{{jobs}}:job:{key}", mapping={
        "kind": "checkin_reminder", "state": "pending", "due": due_ms, "owner": "",
        "attempts": attempts, "outcome": "", "created": due_ms, "epoch": 1, "wake": 1,
        "payload": json.dumps(CHECKIN), "data": data})  # json.dumps' default spacing
    await redis.zadd("{jobs}:due", {key: due_ms})
    await redis.delete(keys.LAYOUT)
    assert await key_layout.upgrade(redis) >= 2  # the hash, and the due index


def engine(redis: aioredis.Redis, clock: FakeClock, **handlers: object) -> JobEngine:
    return JobEngine(redis, clock, handlers, owner="a", lease_ms=5000)  # type: ignore[arg-type]


async def test_a_new_jobs_hash_stays_compact(redis: aioredis.Redis) -> None:
    """Redis keeps a small hash in one listpack (ziplist before 7.0); one value over
    64 bytes (a whole JSON payload) makes it a hashtable, three times the memory."""
    e = engine(redis, FakeClock(T))
    await e.schedule("checkin:a", NOW_MS + 60_000, "checkin_reminder", CHECKIN)
    async with redis.pipeline(transaction=True) as pipe:
        e.schedule_cmds(pipe, "checkin:b", NOW_MS + 60_000, "checkin_reminder", CHECKIN)
        await pipe.execute()
    for key in (keys.job("checkin:a"), keys.job("checkin:b")):
        assert await redis.object("encoding", key) in ("listpack", "ziplist")
        assert await redis.hlen(key) <= 8


async def test_an_old_format_job_fires_with_its_payload_and_data(
        redis: aioredis.Redis) -> None:
    clock = FakeClock(T)
    seen: list[ClaimedJob] = []

    async def remind(job: ClaimedJob) -> Outcome:
        seen.append(job)
        return Done("reminded")

    await legacy_job(redis, "checkin:old", NOW_MS, attempts=2, data='{"texted": true}')
    e = engine(redis, clock, checkin_reminder=remind)
    assert await e.run_due() == 1
    await e.drain()
    (job,) = seen
    assert (job.kind, job.payload, job.data) == ("checkin_reminder", CHECKIN, {"texted": True})
    assert job.attempts == 2 and job.due_ms == NOW_MS and int(job.epoch) == 2
    assert await redis.hget(keys.job("checkin:old"), "state") == "done"
    assert await redis.zscore(keys.due("checkin:old"), "checkin:old") is None


async def test_an_old_format_job_retries_counting_on_from_its_attempts(
        redis: aioredis.Redis) -> None:
    clock = FakeClock(T)
    attempts: list[int] = []

    async def flaky(job: ClaimedJob) -> Outcome:
        attempts.append(job.attempts)
        return Retry("provider busy") if len(attempts) == 1 else Done("ok")

    await legacy_job(redis, "checkin:old", NOW_MS, attempts=1)
    e = engine(redis, clock, checkin_reminder=flaky)
    for _ in range(2):
        await e.run_due()
        await e.drain()
        clock.advance(2.0)
    assert attempts == [1, 2]
    assert await redis.hget(keys.job("checkin:old"), "state") == "done"


async def test_an_old_format_job_takes_a_signal_and_a_cancel(redis: aioredis.Redis) -> None:
    clock = FakeClock(T)
    e = engine(redis, clock)
    await legacy_job(redis, "ladder:old", NOW_MS + 60_000)
    assert await e.signal("ladder:old", "CA1", "no-answer")
    (job,) = await e.claim()  # the signal made it due now
    assert job.signals == {"CA1": "no-answer"} and job.payload == CHECKIN
    await e._finish(job, Defer(NOW_MS + 60_000, {"step": 1}))
    assert await e.cancel("ladder:old", "acknowledged")
    assert await redis.hmget(keys.job("ladder:old"), ["state", "outcome"]) == [
        "cancelled", "acknowledged"]
    assert await e.claim() == []


async def test_a_job_scheduled_again_over_an_old_one_keeps_only_the_new_run(
        redis: aioredis.Redis) -> None:
    """A client rejoined (the job was cancelled) and drops again: the new run carries its
    own payload only, and a handler of the earlier run stays fenced out."""
    clock = FakeClock(T)
    e = engine(redis, clock)
    await legacy_job(redis, "ladder:old", NOW_MS)
    (earlier,) = await e.claim()
    assert await e.cancel("ladder:old", "rejoined")
    async with redis.pipeline(transaction=True) as pipe:
        e.schedule_cmds(pipe, "ladder:old", NOW_MS, "callback_ladder", {"episode": 2})
        await pipe.execute()
    (job,) = await e.claim()
    assert (job.kind, job.payload, job.data, job.attempts) == (
        "callback_ladder", {"episode": 2}, {}, 0)
    assert int(job.epoch) > int(earlier.epoch)
    assert await e.touch(earlier) is False  # the earlier run's handler, still going
    await e._finish(earlier, Done("late"))
    assert await redis.hget(keys.job("ladder:old"), "state") == "leased"
