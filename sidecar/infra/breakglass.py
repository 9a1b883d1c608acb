"""Break-glass: a clinician opens one client outside their groups, in an emergency, for a
limited time, with a reason. The access gate asks ``clients(...)``; the admin page reads
``recent(...)``. The reason is the clinician's words, so it is kept encrypted."""

from __future__ import annotations

from dataclasses import dataclass

import redis.asyncio as aioredis

from sidecar.infra import keys
from sidecar.infra.crypto import FieldCipher

LOG_MAXLEN = 10_000


@dataclass(frozen=True)
class Opening:
    staff_id: str
    client: str
    reason: str
    at_ms: int
    until_ms: int


class BreakGlass:
    def __init__(self, redis: aioredis.Redis, cipher: FieldCipher, lasts_ms: int) -> None:
        self.redis = redis
        self.cipher = cipher
        self.lasts_ms = lasts_ms

    async def open(self, staff_id: str, client: str, reason: str, now_ms: int) -> Opening:
        o = Opening(staff_id, client, reason, now_ms, now_ms + self.lasts_ms)
        mine = keys.BREAK_GLASS_PREFIX + staff_id
        sealed = self.cipher.encrypt("break-glass", f"{staff_id}/{now_ms}", reason)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(mine, client, str(o.until_ms))
            pipe.pexpire(mine, self.lasts_ms)
            pipe.xadd(keys.BREAK_GLASS_LOG,
                      {"staff": staff_id, "client": client, "reason": sealed,
                       "at": str(now_ms), "until": str(o.until_ms)},
                      maxlen=LOG_MAXLEN, approximate=True)
            await pipe.execute()
        return o

    async def clients(self, staff_id: str, now_ms: int) -> set[str]:
        """The clients this person has open by break-glass right now."""
        open_ = await self.redis.hgetall(keys.BREAK_GLASS_PREFIX + staff_id)
        return {c for c, until in open_.items() if int(until) > now_ms}

    async def recent(self, since_ms: int) -> list[Opening]:
        """Every opening since a time, newest first."""
        rows = await self.redis.xrevrange(keys.BREAK_GLASS_LOG, count=500)
        out = []
        for _, f in rows:
            if int(f["at"]) < since_ms:
                continue
            reason = self.cipher.decrypt("break-glass", f"{f['staff']}/{f['at']}", f["reason"])
            out.append(Opening(f["staff"], f["client"], reason, int(f["at"]), int(f["until"])))
        return out
