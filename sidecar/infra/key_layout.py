"""Move a store written by an earlier version to today's key names, once, at start.

Two earlier layouts are known:

1. the program's own keys named ``tether:...``: they now share the hash tag ``{tether}``
   (``{tether}:...``);
2. a meeting's keys named ``{m:<meeting>}:...``, every job's hash ``{jobs}:job:<key>`` in
   one due index ``{jobs}:due``, and one set of live meetings: a meeting's keys now carry
   its shard's tag, the jobs of before wait in the ``{tether}`` shard (their keys name no
   shard), and the live meetings are listed per shard (``keys.py``).

Each old key is renamed (RENAMENX keeps its value, its expiry, a stream's consumer groups
and their pending entries); on a Redis Cluster, where a key cannot be renamed into another
slot, it is copied whole (DUMP and RESTORE, which keep the same) and the old one deleted.
The old due index and list of live meetings are merged into the new ones without changing
an entry already there. Then the store is marked as on the new layout. Replicas that start
together may both run it: a key another one already moved is simply gone. A key whose new
name is taken is left where it is, with a warning (nothing is overwritten).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import redis.asyncio as aioredis
from redis.asyncio.cluster import RedisCluster
from redis.crc import key_slot

from sidecar.infra import keys
from sidecar.infra.store_client import StoreClient

logger = logging.getLogger(__name__)
SCAN_COUNT = 1000
CHUNK = 1000  # due index entries and live meetings moved per round trip


def renamed(old: str) -> str:
    """A program key of the first layout under its ``{tether}`` name."""
    return keys.PROGRAM_TAG + ":" + old.removeprefix(keys.LEGACY_PREFIX)


def renamed_meeting_key(old: str) -> str:
    """``{m:<meeting>}:<what>`` under the meeting's shard."""
    end = old.index("}:")
    return keys.meeting_tag(old[len(keys.LEGACY_MEETING_PREFIX):end]) + old[end + 1:]


def renamed_job(old: str) -> str:
    return keys.job(old.removeprefix(keys.LEGACY_JOB_PREFIX))


MOVES: tuple[tuple[str, Callable[[str], str]], ...] = (
    (keys.LEGACY_PREFIX + "*", renamed),
    (keys.LEGACY_MEETING_PREFIX + "*", renamed_meeting_key),
    (keys.LEGACY_JOB_PREFIX + "*", renamed_job),
)


async def upgrade(redis: StoreClient) -> int:
    """How many keys were moved to their new names (0 when the store was already on the
    current layout)."""
    if await redis.get(keys.LAYOUT) == keys.LAYOUT_VERSION:
        return 0
    moved = kept = 0
    for pattern, new_name in MOVES:
        async for old in redis.scan_iter(match=pattern, count=SCAN_COUNT):
            try:
                new = new_name(old)
            except ValueError:  # not a name an earlier version wrote: not ours to move
                logger.warning("key layout: %s left as it is: not a name Tether wrote", old)
                continue
            try:
                if await _move(redis, old, new):
                    moved += 1
                else:
                    kept += 1
                    logger.warning("key layout: %s left as it is: %s already exists", old, new)
            except aioredis.ResponseError:
                continue  # moved meanwhile by another replica starting at the same time
    moved += await _merge_due(redis) + await _split_live(redis)
    await redis.set(keys.LAYOUT, keys.LAYOUT_VERSION)
    if moved or kept:
        logger.info("key layout: %s key(s) moved to layout %s, %s left", moved,
                    keys.LAYOUT_VERSION, kept)
    return moved


async def _move(redis: StoreClient, old: str, new: str) -> bool:
    """Rename ``old`` to ``new`` unless ``new`` exists; False if it does."""
    if not isinstance(redis, RedisCluster) or key_slot(old.encode()) == key_slot(new.encode()):
        return bool(await redis.renamenx(old, new))
    dumped = await redis.dump(old)
    if dumped is None:
        raise aioredis.ResponseError("gone")  # moved meanwhile
    ttl = await redis.pttl(old)
    if ttl == -2:
        raise aioredis.ResponseError("gone")  # expired meanwhile: nothing to copy
    try:
        await redis.restore(new, max(int(ttl), 0), dumped)
    except aioredis.ResponseError as exc:
        if "BUSYKEY" in str(exc):
            return False
        raise
    await redis.delete(old)
    return True


async def _merge_due(redis: StoreClient) -> int:
    """The one due index of before, entry by entry into each job's due index (an entry
    already there keeps its time: a replica of this version may have claimed it)."""
    old = keys.LEGACY_JOBS_DUE
    if not await redis.exists(old):
        return 0
    entries: list[tuple[str, float]] = []
    async for entry in redis.zscan_iter(old, count=CHUNK):
        entries.append(entry)
        if len(entries) >= CHUNK:
            await _add_due(redis, entries)
    await _add_due(redis, entries)
    await redis.delete(old)
    return 1


async def _add_due(redis: StoreClient, entries: list[tuple[str, float]]) -> None:
    """One round trip for a chunk of due entries (emptied)."""
    async with redis.pipeline(transaction=False) as pipe:
        for job_key, due_ms in entries:
            pipe.zadd(keys.due(job_key), {job_key: due_ms}, nx=True)
        await pipe.execute()
    entries.clear()


async def _split_live(redis: StoreClient) -> int:
    """The one set of live meetings of before, into each meeting's shard's set."""
    old = keys.LEGACY_ACTIVE_MEETINGS
    if not await redis.exists(old):
        return 0
    async for meeting in redis.sscan_iter(old, count=CHUNK):
        await redis.sadd(keys.active_meetings(meeting), meeting)
    await redis.delete(old)
    return 1
