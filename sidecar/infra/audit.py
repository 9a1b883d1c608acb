"""The audit stream: every read of PHI and every action on a meeting (never PHI itself)."""

from __future__ import annotations

import redis.asyncio as aioredis
from redis.asyncio.client import Pipeline

from sidecar.infra import keys
from sidecar.infra.clock import Clock

AUDIT_MAXLEN = 1_000_000


class Audit:
    def __init__(self, redis: aioredis.Redis, clock: Clock) -> None:
        self.redis = redis
        self.clock = clock

    def _entry(self, actor: str, action: str, target: str, source: str = "") -> dict[str, str]:
        entry = {"at": str(int(self.clock.now() * 1000)), "actor": actor, "action": action,
                 "target": target}
        if source:
            entry["source"] = source[:64]  # the caller's address, for sign-in and access
        return entry

    async def record(self, actor: str, action: str, target: str, source: str = "") -> None:
        await self.redis.xadd(keys.AUDIT, self._entry(actor, action, target, source),
                              maxlen=AUDIT_MAXLEN, approximate=True)

    def record_in(self, pipe: Pipeline, actor: str, action: str, target: str) -> None:
        pipe.xadd(keys.AUDIT, self._entry(actor, action, target), maxlen=AUDIT_MAXLEN,
                  approximate=True)
