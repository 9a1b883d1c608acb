"""Many tasks' round trips share one pipeline per turn of the loop; each gets its own
replies, its own errors, and a lost connection fails them all (each retries)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from redis.asyncio.client import Pipeline
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import NoScriptError, ResponseError

from sidecar.infra.coalesce import Coalescer
from sidecar.infra.store import connect
from sidecar.infra.store_client import StoreClient


@pytest.fixture
async def client(redis_url: str) -> AsyncIterator[StoreClient]:
    redis = connect(redis_url)
    yield redis
    await redis.aclose()


async def test_tasks_of_one_turn_share_one_pipeline_and_get_their_own_replies(
        client: StoreClient) -> None:
    batch = Coalescer(client)
    await client.delete(*[f"{{tether}}:test:co:{i}" for i in range(300)])

    async def one(i: int) -> list[Any]:
        def cmds(pipe: Pipeline) -> None:
            pipe.incrby(f"{{tether}}:test:co:{i}", i)
            pipe.get(f"{{tether}}:test:co:{i}")
        return await batch.execute(cmds)

    replies = await asyncio.gather(*(one(i) for i in range(300)))
    assert replies == [[i, str(i)] for i in range(300)]
    assert batch.pipelines == 1  # all 300 callers queued in the same turn
    # a later turn: a pipeline of its own
    assert await one(1) == [2, "2"]
    assert batch.pipelines == 2


async def test_an_error_is_its_callers_alone(client: StoreClient) -> None:
    batch = Coalescer(client)
    await client.set("{tether}:test:co:str", "text")

    def bad(pipe: Pipeline) -> None:
        pipe.set("{tether}:test:co:ok1", "1")
        pipe.incr("{tether}:test:co:str")  # not a number: this caller's error

    def good(pipe: Pipeline) -> None:
        pipe.set("{tether}:test:co:ok2", "2")

    def broken(pipe: Pipeline) -> None:
        raise ValueError("a caller's own mistake")

    results = await asyncio.gather(batch.execute(bad), batch.execute(good),
                                   batch.execute(broken), return_exceptions=True)
    assert isinstance(results[0], ResponseError)
    assert results[1] == [True]
    assert isinstance(results[2], ValueError)
    # the failing caller's other commands ran, as in a pipeline of its own
    assert await client.mget("{tether}:test:co:ok1", "{tether}:test:co:ok2") == ["1", "2"]


async def test_a_script_the_server_lacks_fails_only_its_caller(client: StoreClient) -> None:
    batch = Coalescer(client)
    script = client.register_script("return tonumber(ARGV[1]) * 2")
    await client.script_flush()

    def call(i: int) -> Any:
        return lambda pipe: pipe.evalsha(script.sha, 0, i)

    lost, other = await asyncio.gather(batch.execute(call(1)),
                                       batch.execute(lambda pipe: pipe.ping()),
                                       return_exceptions=True)
    assert isinstance(lost, NoScriptError) and other == [True]
    await client.script_load(script.script)
    assert await asyncio.gather(*(batch.execute(call(i)) for i in range(3))) == [
        [0], [2], [4]]


async def test_a_lost_connection_fails_every_caller_of_the_pipeline() -> None:
    client = connect("redis://127.0.0.1:1")  # nothing listens there
    batch = Coalescer(client)
    try:
        results = await asyncio.gather(
            *(batch.execute(lambda pipe: pipe.get("k")) for _ in range(3)),
            return_exceptions=True)
        assert all(isinstance(r, RedisConnectionError | OSError) for r in results), results
    finally:
        await client.aclose()


async def test_a_cancelled_caller_leaves_the_others_their_replies(client: StoreClient) -> None:
    batch = Coalescer(client)
    gone = asyncio.create_task(batch.execute(lambda pipe: pipe.set("{tether}:test:c", 1)))
    kept = asyncio.create_task(batch.execute(lambda pipe: pipe.set("{tether}:test:d", 2)))
    await asyncio.sleep(0)
    gone.cancel()
    assert await kept == [True]
    with pytest.raises(asyncio.CancelledError):
        await gone
