"""Move a store written by an earlier version to today's key names, once, at start.

The program's own keys were named ``tether:...``; they now share the hash tag ``{tether}``
(``{tether}:...``) so that an operation over several of them stays in one Redis Cluster
slot. Each old key is renamed (RENAMENX keeps its value, its expiry, a stream's consumer
groups and their pending entries), then the store is marked as on the new layout. Replicas
that start together may both run it: a key another one already moved is simply gone. A key
whose new name is taken is left where it is, with a warning (nothing is overwritten).
A cluster is only ever written with the new names, so it is not scanned.
"""

from __future__ import annotations

import logging

import redis.asyncio as aioredis
from redis.asyncio.cluster import RedisCluster

from sidecar.infra import keys
from sidecar.infra.store_client import StoreClient

logger = logging.getLogger(__name__)
SCAN_COUNT = 1000


def renamed(old: str) -> str:
    return keys.PROGRAM_TAG + ":" + old.removeprefix(keys.LEGACY_PREFIX)


async def upgrade(redis: StoreClient) -> int:
    """How many keys were moved to their new names (0 when the store was already on the
    current layout, or is a cluster)."""
    if isinstance(redis, RedisCluster) or await redis.get(keys.LAYOUT) == keys.LAYOUT_VERSION:
        return 0
    moved = kept = 0
    async for old in redis.scan_iter(match=keys.LEGACY_PREFIX + "*", count=SCAN_COUNT):
        try:
            if await redis.renamenx(old, renamed(old)):
                moved += 1
            else:
                kept += 1
                logger.warning("key layout: %s left as it is: %s already exists", old,
                               renamed(old))
        except aioredis.ResponseError:
            continue  # moved meanwhile by another replica starting at the same time
    await redis.set(keys.LAYOUT, keys.LAYOUT_VERSION)
    if moved or kept:
        logger.info("key layout: %s key(s) moved under %s, %s left", moved, keys.PROGRAM_TAG,
                    kept)
    return moved
