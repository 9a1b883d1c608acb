"""The durable job engine against a real Redis: idempotent schedule, fenced leases,
recovery after a dead owner, signals, retries, cancellation."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from sidecar.infra import keys
from sidecar.infra.clock import FakeClock
from sidecar.infra.jobs import ClaimedJob, Defer, Done, JobEngine, Outcome, Retry
from sidecar.infra.store import connect
from tests.conftest import eventually

T = 1_800_000_000.0


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[aioredis.Redis]:
    client = connect(redis_url)
    yield client
    await client.aclose()


def engine(redis: aioredis.Redis, clock: FakeClock, owner: str, **handlers: object
           ) -> JobEngine:
    return JobEngine(redis, clock, handlers, owner=owner, lease_ms=5000)  # type: ignore[arg-type]


async def test_schedule_is_idempotent_by_key(redis: aioredis.Redis) -> None:
    e = engine(redis, FakeClock(T), "a")
    assert await e.schedule("k1", int(T * 1000), "x", {"n": 1}) is True
    assert await e.schedule("k1", int(T * 1000) + 5, "x", {"n": 2}) is False
    (job,) = await e.claim()
    assert job.payload == {"n": 1}


async def test_nothing_is_claimed_before_it_is_due(redis: aioredis.Redis) -> None:
    clock = FakeClock(T)
    e = engine(redis, clock, "a")
    await e.schedule("k1", int(T * 1000) + 10_000, "x", {})
    assert await e.claim() == []
    clock.advance(10)
    assert [j.key for j in await e.claim()] == ["k1"]


async def test_a_dead_owners_job_is_claimed_again_after_its_lease(redis: aioredis.Redis) -> None:
    clock = FakeClock(T)
    a, b = engine(redis, clock, "a"), engine(redis, clock, "b")
    await a.schedule("k1", int(T * 1000), "x", {})
    (mine,) = await a.claim()
    assert await b.claim() == []  # leased to a
    clock.advance(5.001)  # a died: its lease ran out
    (theirs,) = await b.claim()
    assert int(theirs.epoch) > int(mine.epoch)
    # the old owner, back from the dead, is fenced out of every transition
    assert await a.touch(mine) is False
    await a._finish(mine, Done("late"))
    assert await redis.hget(keys.job("k1"), "state") == "leased"


async def test_cancel_fences_out_a_running_handler(redis: aioredis.Redis) -> None:
    e = engine(redis, FakeClock(T), "a")
    await e.schedule("k1", int(T * 1000), "x", {})
    (job,) = await e.claim()
    assert await e.cancel("k1", "acknowledged") is True
    await e._finish(job, Defer(int(T * 1000) + 1, {"step": 1}))
    assert await redis.hget(keys.job("k1"), "state") == "cancelled"
    assert await redis.zscore(keys.due("k1"), "k1") is None


async def test_signal_makes_a_waiting_job_due_now(redis: aioredis.Redis) -> None:
    clock = FakeClock(T)
    e = engine(redis, clock, "a")
    await e.schedule("k1", int(T * 1000) + 60_000, "x", {})
    await e.signal("k1", "CA1", "no-answer")
    (job,) = await e.claim()
    assert job.signals == {"CA1": "no-answer"}


async def test_signal_during_a_claim_brings_the_deferred_job_back_at_once(
        redis: aioredis.Redis) -> None:
    clock = FakeClock(T)
    e = engine(redis, clock, "a")
    await e.schedule("k1", int(T * 1000), "x", {})
    (job,) = await e.claim()
    await e.signal("k1", "CA1", "completed")  # arrives while the handler runs
    await e._finish(job, Defer(int(T * 1000) + 60_000, {}))
    assert [j.key for j in await e.claim()] == ["k1"]


async def test_a_failing_handler_is_retried_with_backoff_not_dropped(
        redis: aioredis.Redis) -> None:
    clock = FakeClock(T)
    calls: list[int] = []

    async def flaky(job: ClaimedJob) -> Outcome:
        calls.append(job.attempts)
        if len(calls) < 3:
            raise RuntimeError("provider down")
        return Done("ok")

    e = engine(redis, clock, "a", x=flaky)
    await e.schedule("k1", int(T * 1000), "x", {})
    for _ in range(3):
        await e.run_due()
        await e.drain()
        clock.advance(2.0)
    assert calls == [0, 1, 2]
    assert await redis.hget(keys.job("k1"), "state") == "done"


async def test_handlers_due_together_share_round_trips_and_outlive_a_script_flush(
        redis: aioredis.Redis) -> None:
    """Fifty handlers due at once: their touches and outcomes go in shared pipelines (far
    fewer than one per call); a server that lost its scripts (a restart) still runs every
    touch and completion, each once, and fences as before."""
    clock = FakeClock(T)
    touched: list[bool] = []

    async def step(job: ClaimedJob) -> Outcome:
        touched.append(await e.touch(job, {"seen": job.key}))
        return Done("ok")

    e = engine(redis, clock, "a", x=step)
    for i in range(50):
        await e.schedule(f"k{i}", int(T * 1000), "x", {})
    await redis.script_flush()
    await e.run_due()
    await e.drain()
    assert touched == [True] * 50
    states = [await redis.hget(keys.job(f"k{i}"), "state") for i in range(50)]
    assert states == ["done"] * 50
    await e.schedule("k99", int(T * 1000), "x", {})
    before = e.batch.pipelines
    (job,) = await e.claim()
    for i in range(50):  # the scripts are back: these share pipelines
        await e.schedule(f"m{i}", int(T * 1000), "x", {})
    await e.run_due()
    await e.drain()
    assert touched == [True] * 100 and e.batch.pipelines - before <= 10
    assert await e.touch(job) is True  # claimed above, still ours
    clock.advance(5.001)
    assert [j.key for j in await engine(redis, clock, "b").claim()] == ["k99"]
    assert await e.touch(job) is False  # its lease ran out and b took it: fenced out


async def test_retry_outcome_keeps_the_data_it_is_given(redis: aioredis.Redis) -> None:
    clock = FakeClock(T)

    async def once(job: ClaimedJob) -> Outcome:
        return Retry("busy", data={"intent": "0.0.0"})

    e = engine(redis, clock, "a", x=once)
    await e.schedule("k1", int(T * 1000), "x", {})
    await e.run_due()
    await e.drain()
    clock.advance(1)
    (job,) = await e.claim()
    assert job.data == {"intent": "0.0.0"} and job.attempts == 1


async def test_run_forever_fires_on_time_and_stops_when_cancelled(
        redis: aioredis.Redis) -> None:
    clock = FakeClock(T)
    fired: list[float] = []

    async def record(job: ClaimedJob) -> Outcome:
        fired.append(clock.now())
        return Done("ok")

    e = engine(redis, clock, "a", x=record)
    await e.schedule("k1", int(T * 1000) + 30_000, "x", {})
    runner = asyncio.create_task(e.run_forever())
    await asyncio.sleep(0.05)
    clock.advance(29.9)
    await asyncio.sleep(0.05)
    assert fired == []
    clock.advance(0.1)
    for _ in range(100):
        if fired:
            break
        await asyncio.sleep(0.01)
    assert fired == [T + 30.0]
    runner.cancel()
    await asyncio.wait({runner}, timeout=5)
    assert runner.done()


async def test_engine_claims_no_more_than_it_can_run(redis: aioredis.Redis) -> None:
    clock = FakeClock(T)
    gate = asyncio.Event()

    async def slow(job: ClaimedJob) -> Outcome:
        await gate.wait()
        return Done("ok")

    e = JobEngine(redis, clock, {"x": slow}, owner="a", concurrency=2)
    for i in range(5):
        await e.schedule(f"k{i}", int(T * 1000), "x", {})
    assert await e.run_due() == 2
    assert await e.run_due() == 0  # no free slot: the other three stay for other replicas
    assert len(await JobEngine(redis, clock, owner="b").claim()) == 3
    gate.set()
    await e.drain()


async def test_handlers_running_longer_than_a_lease_keep_their_jobs(
        redis: aioredis.Redis) -> None:
    """A slow effect (a provider taking its time) is not claimed by another replica and
    run twice: the leases of every running handler are renewed while they run."""
    clock = FakeClock(T)
    gate = asyncio.Event()
    running: list[str] = []

    async def slow(job: ClaimedJob) -> Outcome:
        running.append(job.key)
        await gate.wait()
        return Done("ok")

    a, b = engine(redis, clock, "a", x=slow), engine(redis, clock, "b", x=slow)
    for i in range(3):
        await a.schedule(f"k{i}", int(T * 1000), "x", {})
    assert await a.run_due() == 3

    async def started() -> bool:
        return len(running) == 3

    await eventually(started, timeout=5)

    async def renewed() -> bool:  # a lease's deadline is the job's score in the due index
        until = [await redis.zscore(keys.due(f"k{i}"), f"k{i}") for i in range(3)]
        return all(int(u or 0) >= int(clock.now() * 1000) + 5000 for u in until)

    for _ in range(6):  # twelve seconds: more than two leases
        clock.advance(2)
        await eventually(renewed, timeout=5)
        assert await b.claim() == []
    gate.set()
    await a.drain()
    assert [await redis.hget(keys.job(f"k{i}"), "state") for i in range(3)] == ["done"] * 3


async def test_a_crash_after_recording_an_intent_keeps_the_intent(
        redis: aioredis.Redis) -> None:
    """A handler records "about to dial" and then fails: the retry must see that record,
    or it would dial again without first asking the provider whether the call exists."""
    clock = FakeClock(T)
    e: JobEngine

    async def dial_then_fail(job: ClaimedJob) -> Outcome:
        assert await e.touch(job, {"intent": "0.0.0"})
        raise ConnectionResetError("lost the answer from the provider")

    e = engine(redis, clock, "a", x=dial_then_fail)
    await e.schedule("k1", int(T * 1000), "x", {})
    await e.run_due()
    await e.drain()
    clock.advance(1)
    (job,) = await e.claim()
    assert job.data == {"intent": "0.0.0"} and job.attempts == 1


async def test_a_failure_is_logged_without_its_message(
        redis: aioredis.Redis, caplog: pytest.LogCaptureFixture) -> None:
    async def leaky(job: ClaimedJob) -> Outcome:
        raise ValueError("input_value='+13125550111' at 1200 Larkspur Lane")

    e = engine(redis, FakeClock(T), "a", x=leaky)
    await e.schedule("k1", int(T * 1000), "x", {})
    with caplog.at_level("INFO"):
        await e.run_due()
        await e.drain()
    text = caplog.text
    assert "ValueError at test_job_engine.py" in text and "in leaky" in text
    assert "5550111" not in text and "Larkspur" not in text
