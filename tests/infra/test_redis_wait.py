"""Waiting for Redis at start-up: pauses that grow to a cap, one log line per attempt, a
sentence when the wait is over; the clock and the pauses are injected, the server real."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from sidecar.infra.redis_wait import RedisUnreachable, RedisUrlMalformed, wait_for_redis
from tests.redis_servers import RedisServer


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.pauses: list[float] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.pauses.append(seconds)
        self.now += seconds


async def test_pauses_grow_to_a_cap_and_the_wait_ends_in_a_sentence(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    t = FakeTime()
    caplog.set_level(logging.WARNING, "sidecar.infra.redis_wait")
    with pytest.raises(RedisUnreachable, match=r"did not answer within 20 s \(no such file"):
        await wait_for_redis(f"unix://{tmp_path}/none.sock", 20, now=t.monotonic,
                             sleep=t.sleep)
    assert t.pauses == [0.25, 0.5, 1, 2, 4, 5, 5, 2.25]  # the last one up to the deadline
    assert len(caplog.records) == len(t.pauses)  # one line per attempt that failed
    assert "attempt 3: no such file or directory" in caplog.records[2].getMessage()


async def test_a_server_that_answers_ends_the_wait_at_once(redis_server: RedisServer) -> None:
    t = FakeTime()
    assert await wait_for_redis(redis_server.url, 60, now=t.monotonic, sleep=t.sleep) == 1
    assert t.pauses == []


async def test_an_address_that_is_not_redis_is_refused_before_any_attempt() -> None:
    with pytest.raises(RedisUrlMalformed, match="must start with redis://"):
        await wait_for_redis("http://redis:6379", 60)


async def test_sentinels_that_do_not_answer_are_named_without_the_password() -> None:
    from tests.conftest import free_port

    port = free_port()  # nothing listens there
    t = FakeTime()
    with pytest.raises(RedisUnreachable) as caught:
        await wait_for_redis(f"redis+sentinel://:hunter2@127.0.0.1:{port}/tether/0", 1,
                             now=t.monotonic, sleep=t.sleep)
    said = str(caught.value)
    assert f"Sentinel 127.0.0.1:{port} (service tether)" in said
    assert "no Sentinel answered with a primary" in said and "hunter2" not in said


async def test_a_sentinel_url_without_a_service_is_refused_in_words() -> None:
    with pytest.raises(RedisUrlMalformed, match="names no service"):
        await wait_for_redis("redis+sentinel://127.0.0.1:26379", 60)


async def test_a_cluster_that_does_not_answer_is_named_without_the_password() -> None:
    from tests.conftest import free_port

    ports = [free_port(), free_port()]  # nothing listens there
    t = FakeTime()
    with pytest.raises(RedisUnreachable) as caught:
        await wait_for_redis(f"redis+cluster://:hunter2@127.0.0.1:{ports[0]},127.0.0.1:"
                             f"{ports[1]}", 1, now=t.monotonic, sleep=t.sleep)
    said = str(caught.value)
    assert f"Cluster 127.0.0.1:{ports[0]},127.0.0.1:{ports[1]}" in said
    assert "connection refused" in said and "hunter2" not in said


async def test_a_cluster_url_with_a_database_is_refused_in_words() -> None:
    with pytest.raises(RedisUrlMalformed, match="only database 0"):
        await wait_for_redis("redis+cluster://127.0.0.1:6379/2", 60)
