"""The meetings with people in them: one set per meeting shard (``keys.active_meetings``),
so ingest lists a meeting in the same MULTI, and the same cluster slot, as its state."""

from __future__ import annotations

from sidecar.infra import keys
from sidecar.infra.store_client import StoreClient


async def live_meeting_ids(redis: StoreClient) -> list[str]:
    """Every listed meeting's id, sorted, read from all the shards in one round trip."""
    async with redis.pipeline(transaction=False) as pipe:
        for name in keys.ACTIVE_INDEXES:
            pipe.smembers(name)
        found = await pipe.execute()
    return sorted({str(m) for members in found for m in members})
