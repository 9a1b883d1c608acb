"""Many tasks' Redis round trips sent as one pipeline per turn of the event loop.

A burst of drops starts hundreds of ladder handlers within the same moment, and each
waits on a few small round trips (its reads, its lease, its dial's records). Sent one by
one, every round trip pays redis-py's fixed cost (a pooled connection, a deadline, a
send, a parse) and needs a connection of its own while it waits; this module gathers what
the tasks queue during one turn of the loop and sends it as one pipeline on the next.

The pipeline is not a transaction: each caller's commands run in their order and get
their own replies, as with a pipeline of its own; a caller whose commands answer with an
error gets that error (``Pipeline.execute``'s), the others their replies; a lost
connection fails every caller of that pipeline, each of which then retries as it would.
A Cluster client runs no script in a pipeline and splits pipelines by slot, so there
each caller's commands go as a pipeline of their own (nothing gathered).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from redis.asyncio.client import Pipeline
from redis.asyncio.cluster import RedisCluster

from sidecar.infra.store_client import StoreClient

MAX_BATCH = 512  # callers in one pipeline: more wait for the next (bounds one reply's size)

Queue = Callable[[Pipeline], Any]
"""Queues a caller's commands into the shared pipeline (and returns nothing to use)."""


class Coalescer:
    def __init__(self, redis: StoreClient) -> None:
        self.redis = redis
        self._pending: list[tuple[Queue, asyncio.Future[list[Any]]]] = []
        self._scheduled = False
        self._flushes: set[asyncio.Task[None]] = set()
        self.pipelines = 0  # sent so far (tests, figures)

    @property
    def sending(self) -> list[asyncio.Task[None]]:
        """The pipelines in flight (to cancel at shutdown; their callers fail, and retry)."""
        return list(self._flushes)

    async def execute(self, queue: Queue) -> list[Any]:
        """Run the commands ``queue`` puts in a pipeline, with others' queued in this turn
        of the loop; their replies, in order. Raises what the pipeline raised for them."""
        if isinstance(self.redis, RedisCluster):
            async with self.redis.pipeline(transaction=False) as pipe:
                queue(pipe)
                return list(await pipe.execute())
        future: asyncio.Future[list[Any]] = asyncio.get_running_loop().create_future()
        self._pending.append((queue, future))
        if not self._scheduled:
            self._scheduled = True
            asyncio.get_running_loop().call_soon(self._flush)
        return await future

    def _flush(self) -> None:
        self._scheduled = False
        while self._pending:
            batch, self._pending = self._pending[:MAX_BATCH], self._pending[MAX_BATCH:]
            task = asyncio.create_task(self._send(batch), name="redis coalesced pipeline")
            self._flushes.add(task)
            task.add_done_callback(self._flushes.discard)

    async def _send(self, batch: list[tuple[Queue, asyncio.Future[list[Any]]]]) -> None:
        spans: list[tuple[int, int, asyncio.Future[list[Any]]]] = []
        try:
            async with self.redis.pipeline(transaction=False) as pipe:
                for queue, future in batch:
                    start = len(pipe)
                    try:
                        queue(pipe)
                    except Exception as exc:  # a caller's own mistake is its alone
                        del pipe.command_stack[start:]
                        _settle(future, exc)
                        continue
                    spans.append((start, len(pipe), future))
                replies = await pipe.execute(raise_on_error=False) if len(pipe) else []
        except BaseException as exc:  # the whole pipeline failed (or was cancelled)
            for _, _, future in spans:
                _settle(future, exc if isinstance(exc, Exception) else
                        ConnectionError("the shared pipeline was cancelled"))
            if not isinstance(exc, Exception):
                raise
            return
        self.pipelines += 1
        for start, end, future in spans:
            mine = replies[start:end]
            error = next((r for r in mine if isinstance(r, Exception)), None)
            _settle(future, error if error is not None else list(mine))


def _settle(future: asyncio.Future[list[Any]], outcome: list[Any] | BaseException) -> None:
    if future.done():  # its caller was cancelled: nobody waits for this
        return
    if isinstance(outcome, BaseException):
        future.set_exception(outcome)
    else:
        future.set_result(outcome)
