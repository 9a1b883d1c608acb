"""The inbox: platform events accepted durably in one round trip, applied right after.

``accept`` is what the webhook edge awaits before it answers the platform. Concurrent
requests are committed together (one script call per flush), so a burst costs few round
trips; the markers and the inbox share a hash tag, so the call stays in one cluster slot.
Nothing is written in clear: display names and e-mails are sealed here
(``sidecar/infra/sealing.py``), and a chat message is checked here for code words
(``ChatScreen``) and only the decision kept (``w``: the matched client ids), never its text.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Sequence
from importlib import resources

import redis.asyncio as aioredis

from contracts.events import ChatMessageSent, EventEnvelope
from contracts.prepared import Arrival, PreparedEvent
from sidecar.infra import keys
from sidecar.infra.sealing import Sealer
from webhooks import IngestUnavailable

INBOX_MAXLEN = 1_000_000
_SOURCE = (resources.files("sidecar.presence") / "lua" / "accept.lua").read_text(encoding="utf-8")
_Pending = tuple[str, list[str], asyncio.Future[int]]  # seen marker, fields, its waiter
Screen = Callable[[EventEnvelope], Awaitable[list[str]]]  # a chat's matched client ids


class Inbox:
    def __init__(self, redis: aioredis.Redis, sealer: Sealer, screen: Screen) -> None:
        self.redis = redis
        self.sealer = sealer
        self.screen = screen
        self.script = redis.register_script(_SOURCE)
        self._queue: list[_Pending] = []
        self._flusher: asyncio.Task[None] | None = None

    async def accept(self, events: Sequence[Arrival]) -> int:
        """How many of ``events`` were new. Raises IngestUnavailable if Redis is down."""
        try:
            entries = [await self._entry(env) for env in events]
        except (aioredis.ConnectionError, aioredis.TimeoutError, OSError) as exc:
            raise IngestUnavailable(f"{type(exc).__name__}: {exc}") from exc
        futures = []
        loop = asyncio.get_running_loop()
        for env, fields in zip(events, entries, strict=True):
            fut: asyncio.Future[int] = loop.create_future()
            self._queue.append((keys.seen(env.id), fields, fut))
            futures.append(fut)
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush())
        if len(futures) == 1:  # a webhook's one event: no gathering needed
            return await futures[0]
        return sum(await asyncio.gather(*futures))

    async def _entry(self, env: Arrival) -> list[str]:
        """The inbox entry's fields: sealed, and for a chat message the check's decision."""
        if isinstance(env, PreparedEvent):
            return self.sealer.prepared_fields(env)
        fields = self.sealer.inbox_fields(env)
        if isinstance(env.event, ChatMessageSent):
            fields += ["w", json.dumps(await self.screen(env))]
        return fields

    async def _flush(self) -> None:
        while self._queue:
            batch, self._queue = self._queue, []
            try:
                results = await self._commit(batch)
            except Exception as exc:  # every waiter must hear of it, or it would hang
                _fail(batch, f"{type(exc).__name__}: {exc}")
                continue
            except asyncio.CancelledError:  # stopped mid-commit (shutdown): the same
                _fail([*batch, *self._queue], "the server is stopping")
                self._queue = []
                raise
            for (_, _, fut), result in zip(batch, results, strict=True):
                if not fut.done():
                    fut.set_result(int(result))

    async def _commit(self, batch: list[_Pending]) -> list[int]:
        args: list[str] = [str(keys.SEEN_TTL_S), str(INBOX_MAXLEN)]
        for _, fields, _ in batch:
            args += [str(len(fields)), *fields]
        marks = [seen for seen, _, _ in batch]
        return [int(r) for r in await self.script(keys=[*marks, keys.INBOX], args=args)]


def _fail(waiting: list[_Pending], why: str) -> None:
    for _, _, fut in waiting:
        if not fut.done():
            fut.set_exception(IngestUnavailable(why))
