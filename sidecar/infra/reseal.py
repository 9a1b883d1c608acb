"""The rotation sweep: every sealed value in the store, wherever it lives, moved to the
keyring's primary key. It walks the keyspace with SCAN and finds sealed values by their
shape (``crypto.TOKEN``), so a store that seals something new needs no code here.

Each key is rewritten under WATCH, so a write that lands meanwhile is never lost: the key is
read again and resealed again. Strings keep their time to live; hashes change only the
fields that need it; a stream is rebuilt entry by entry with the same ids (and its last id
and time to live) because stream entries cannot be edited. A stream read by a consumer group
(the inbox) is never rebuilt: its applied entries are trimmed instead, and entries still to
be applied are left for the applier, which seals with the new key from then on; the sweep
reports them until they are gone.

The walk's cursor and counts are kept in Redis (``keys.KEYRING_SWEEP``): a sweep that stops
half way resumes where it was."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

import redis.asyncio as aioredis
from redis.exceptions import WatchError

from sidecar.infra import keys
from sidecar.infra.crypto import TOKEN, FieldCipher

logger = logging.getLogger(__name__)

SCAN_COUNT = 500
WATCH_RETRIES = 20
STREAM_CHUNK = 1000


@dataclass
class Tally:
    keys_seen: int = 0
    resealed: int = 0  # sealed values moved to the primary key
    waiting: int = 0  # values the sweep leaves for their owner (an inbox still to apply)
    where_waiting: set[str] = field(default_factory=set)


Progress = Callable[[Tally, bool], Awaitable[None] | None]  # (tally, walk finished)


def _stale(text: str, primary: str) -> bool:
    return any(m.group(1) != primary for m in TOKEN.finditer(text))


class Sweep:
    def __init__(self, redis: aioredis.Redis, cipher: FieldCipher) -> None:
        self.redis = redis
        self.cipher = cipher

    async def walk(self, progress: Progress | None = None, *, resume: bool = True) -> Tally:
        """One pass over the keyspace, resealing as it goes."""
        state = await self.redis.hgetall(keys.KEYRING_SWEEP) if resume else {}
        primary = self.cipher.keyring.primary
        if state.get("primary") != primary:
            state = {}
        cursor = int(state.get("cursor", 0))
        tally = Tally(int(state.get("keys", 0)), int(state.get("resealed", 0)))
        while True:
            cursor, names = await self.redis.scan(cursor, count=SCAN_COUNT)
            for name in names:
                if name == keys.KEYRING_SWEEP:
                    continue
                tally.keys_seen += 1
                await self.key(name, tally)
            await self.redis.hset(keys.KEYRING_SWEEP, mapping={
                "primary": primary, "cursor": cursor, "keys": tally.keys_seen,
                "resealed": tally.resealed})
            if progress is not None:
                result = progress(tally, cursor == 0)
                if result is not None:
                    await result
            if cursor == 0:
                await self.redis.delete(keys.KEYRING_SWEEP)
                return tally

    async def count_stale(self) -> tuple[int, set[str]]:
        """Sealed values not under the primary key, and the keys holding them (no writes)."""
        primary, count, where = self.cipher.keyring.primary, 0, set()
        async for name in self.redis.scan_iter(count=SCAN_COUNT):
            for text in await self._texts(name):
                stale = sum(1 for m in TOKEN.finditer(text) if m.group(1) != primary)
                if stale:
                    count += stale
                    where.add(name)
        return count, where

    async def _texts(self, name: str) -> list[str]:
        kind = await self.redis.type(name)
        if kind == "string":
            value = await self.redis.get(name)
            return [value] if value else []
        if kind == "hash":
            return list((await self.redis.hgetall(name)).values())
        if kind == "stream":
            return [v async for v in self._stream_values(name)]
        if kind == "list":
            return list(await self.redis.lrange(name, 0, -1))
        return []

    async def _stream_values(self, name: str) -> AsyncIterator[str]:
        """A stream's values, read a chunk at a time (the audit stream can be long)."""
        start = "-"
        while True:
            chunk = await self.redis.xrange(name, start, "+", count=STREAM_CHUNK)
            for _, fields in chunk:
                for v in fields.values():
                    yield v
            if len(chunk) < STREAM_CHUNK:
                return
            start = "(" + chunk[-1][0]

    async def _stream_stale(self, name: str, primary: str) -> bool:
        async for v in self._stream_values(name):
            if _stale(v, primary):
                return True
        return False

    async def key(self, name: str, tally: Tally) -> None:
        for _ in range(WATCH_RETRIES):
            try:
                await self._key_once(name, tally)
                return
            except WatchError:
                continue
        logger.warning("reseal: %s kept changing; the next pass takes it", name)

    async def _key_once(self, name: str, tally: Tally) -> None:
        primary = self.cipher.keyring.primary
        async with self.redis.pipeline(transaction=True) as pipe:
            await pipe.watch(name)
            kind = await pipe.type(name)
            if kind == "string":
                value = await pipe.get(name)
                if not value or not _stale(value, primary):
                    return
                new, count = self.cipher.reseal_all(value)
                pipe.multi()
                pipe.set(name, new, keepttl=True)
            elif kind == "hash":
                fields = await pipe.hgetall(name)
                changed: dict[str, str] = {}
                count = 0
                for f, v in fields.items():
                    if _stale(v, primary):
                        changed[f], n = self.cipher.reseal_all(v)
                        count += n
                if not changed:
                    return
                pipe.multi()
                pipe.hset(name, mapping=changed)
            elif kind == "stream":
                count = await self._stream(pipe, name, tally)
                if not count:
                    return
            else:
                return
            await pipe.execute()
            tally.resealed += count

    async def _stream(self, pipe: aioredis.client.Pipeline, name: str, tally: Tally) -> int:
        """Queue the stream's rebuild on ``pipe`` (watched); how many values it reseals."""
        primary = self.cipher.keyring.primary
        groups = await pipe.xinfo_groups(name)
        if groups:
            return await self._consumed_stream(pipe, name, groups, tally)
        if not await self._stream_stale(name, primary):
            return 0
        entries = await pipe.xrange(name)
        info = await pipe.xinfo_stream(name)
        ttl = await pipe.pttl(name)
        count = 0
        rebuilt = []
        for entry_id, fields in entries:
            new_fields = {}
            for f, v in fields.items():
                new_fields[f], n = self.cipher.reseal_all(v)
                count += n
            rebuilt.append((entry_id, new_fields))
        pipe.multi()
        pipe.delete(name)
        for entry_id, new_fields in rebuilt:
            pipe.xadd(name, new_fields, id=entry_id)
        pipe.execute_command("XSETID", name, info["last-generated-id"])
        if ttl and ttl > 0:
            pipe.pexpire(name, ttl)
        return count

    async def _consumed_stream(self, pipe: aioredis.client.Pipeline, name: str,
                               groups: list[dict[str, object]], tally: Tally) -> int:
        """Trim what every group has applied; count what is left for the appliers."""
        await pipe.unwatch()
        first_unapplied: list[str] = []
        for group in groups:
            pending = await self.redis.xpending(name, str(group["name"]))
            if pending["pending"]:
                first_unapplied.append(str(pending["min"]))
            else:
                last = str(group["last-delivered-id"])
                ms, _, seq = last.partition("-")
                first_unapplied.append(f"{ms}-{int(seq or 0) + 1}")
        floor = min(first_unapplied, key=lambda i: tuple(int(p) for p in i.split("-")))
        await self.redis.xtrim(name, minid=floor)
        primary = self.cipher.keyring.primary
        left = sum([1 async for v in self._stream_values(name)
                    for m in TOKEN.finditer(v) if m.group(1) != primary])
        if left:
            tally.waiting += left
            tally.where_waiting.add(name)
        return 0
