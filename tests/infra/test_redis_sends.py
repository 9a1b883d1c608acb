"""The store's connections bound a stuck write with a deadline, not a Task per command."""

from __future__ import annotations

import asyncio
import re
import time

import pytest
import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import DataError
from redis.exceptions import TimeoutError as RedisTimeoutError

from sidecar.infra.redis_sends import deadline_sends
from sidecar.infra.store import connect


async def test_the_store_client_works_and_sends_under_a_deadline(redis_url: str) -> None:
    client = connect(redis_url)
    try:
        await client.set("tether:test:send", "v")
        assert await client.get("tether:test:send") == "v"
        async with client.pipeline(transaction=True) as pipe:
            pipe.incr("tether:test:n").incr("tether:test:n")
            assert await pipe.execute() == [1, 2]
        assert client.connection_pool.connection_class.__name__.startswith("Deadline")
    finally:
        await client.aclose()


async def test_a_server_that_stops_reading_fails_the_write_within_the_timeout() -> None:
    """A server that answers the connection's handshake, then stops reading at the first
    SET: the large write fills the socket buffers and must fail with redis' TimeoutError
    after socket_timeout, never hang."""
    accepted: list[asyncio.StreamWriter] = []

    async def never_read(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.append(writer)
        while not (data := await reader.read(65536)).__contains__(b"$3\r\nSET\r\n"):
            if not data:
                return
            writer.write(b"+OK\r\n" * len(re.findall(rb"(?:^|\r\n)\*\d+\r\n", data)))

    server = await asyncio.start_server(never_read, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    client = deadline_sends(aioredis.Redis(
        host="127.0.0.1", port=port, socket_timeout=0.5,
        retry=Retry(NoBackoff(), 0)))  # one attempt: its own bound
    try:
        started = time.monotonic()
        with pytest.raises(RedisTimeoutError):
            await client.set("k", b"x" * 64_000_000)
        assert time.monotonic() - started < 2
    finally:
        await client.aclose()
        server.close()
        for w in accepted:
            w.close()


async def test_values_of_every_kind_reach_the_server_as_redis_py_would_send_them(
        redis_url: str) -> None:
    client = connect(redis_url)
    try:
        await client.hset("tether:test:kinds", mapping={
            "text": "Café ☕", "int": 7, "float": 2.5, "bytes": b"\x00A", "empty": ""})
        assert await client.hgetall("tether:test:kinds") == {
            "text": "Café ☕", "int": "7", "float": "2.5", "bytes": "\x00A", "empty": ""}
        assert await client.execute_command("CONFIG GET", "maxmemory-policy")  # two words
        with pytest.raises(DataError):
            await client.set("tether:test:none", None)
    finally:
        await client.aclose()
