"""The store's client: one server's (or Sentinel's primary's), or a Redis Cluster's.

Both answer the same commands, pipelines, scripts and pub/sub; a Cluster client also
refuses a MULTI or a script whose keys lie in different hash slots, and EVALSHA or PUBLISH
in a pipeline (``docs/deploy.md``, "Redis Cluster"). The whole sidecar runs on both; code
that itself tells them apart takes a ``StoreClient``, the rest names ``aioredis.Redis``. mypy
treats redis-py as untyped here (pyproject), so the alias says which clients a signature
accepts; it narrows no method."""

from __future__ import annotations

from typing import Any, TypeAlias

import redis.asyncio as aioredis
from redis.asyncio.cluster import RedisCluster
from redis.exceptions import ClusterError, SlotNotCoveredError

StoreClient: TypeAlias = aioredis.Redis | RedisCluster

UNAVAILABLE: tuple[type[Exception], ...] = (
    aioredis.ConnectionError, aioredis.TimeoutError, OSError,
    # a cluster between a primary's death and its replica's promotion: CLUSTERDOWN, a slot
    # no node serves yet, or redirections that did not settle
    ClusterError, SlotNotCoveredError)
"""What a command raises while the store cannot answer for now: retry later."""


async def watched_exists(pipe: Any, key: str) -> bool:
    """Does ``key`` exist, asked on a pipeline that is WATCHing (so answered at once)?
    Not ``pipe.exists``: a cluster pipeline splits EXISTS by slot and, while watching,
    hands back itself instead of the answer."""
    return bool(await pipe.execute_command("EXISTS", key))
