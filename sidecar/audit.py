"""The audit stream: every read of PHI and every action on a meeting (never PHI itself)."""

from __future__ import annotations

import redis.asyncio as aioredis

from sidecar import keys
from sidecar.clock import Clock

AUDIT_MAXLEN = 1_000_000


class Audit:
    def __init__(self, redis: aioredis.Redis, clock: Clock) -> None:
        self.redis = redis
        self.clock = clock

    async def record(self, actor: str, action: str, target: str) -> None:
        entry = {"at": int(self.clock.now() * 1000), "actor": actor, "action": action,
                 "target": target}
        await self.redis.xadd(keys.AUDIT, entry, maxlen=AUDIT_MAXLEN, approximate=True)
