"""The audit stream: every read of PHI, every sign-in and refusal, every action on a meeting
and every configuration change (never PHI itself). Entries are kept for the retention the
settings give (``TETHER_AUDIT_RETENTION_DAYS``) and trimmed only by the auditor, by age."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator
from contextvars import ContextVar, Token

import redis.asyncio as aioredis
from redis.asyncio.client import Pipeline

from sidecar.infra import keys
from sidecar.infra.clock import Clock

DAY_MS = 86_400_000
EXPORT_BATCH = 1000
# where the work being done came from: the HTTP caller's address (set by the access gate
# for the whole request) or the shell that ran a command; each entry carries it
_SOURCE: ContextVar[str] = ContextVar("audit_source", default="")


@contextlib.contextmanager
def from_source(address: str) -> Iterator[None]:
    """Every entry recorded inside the block names ``address`` as its source."""
    token = set_source(address)
    try:
        yield
    finally:
        reset_source(token)


def set_source(address: str) -> Token[str]:
    """``from_source`` for a request, without a generator: ``reset_source`` ends it."""
    return _SOURCE.set(address)


def reset_source(token: Token[str]) -> None:
    _SOURCE.reset(token)


class Audit:
    def __init__(self, redis: aioredis.Redis, clock: Clock) -> None:
        self.redis = redis
        self.clock = clock

    def _entry(self, actor: str, action: str, target: str, source: str = "",
               purpose: str = "") -> dict[str, str]:
        entry = {"at": str(int(self.clock.now() * 1000)), "actor": actor, "action": action,
                 "target": target}
        source = source or _SOURCE.get()
        if source:
            entry["source"] = source[:64]  # the caller's address, or the shell's user@host
        if purpose:
            entry["purpose"] = purpose[:64]
        return entry

    async def record(self, actor: str, action: str, target: str, source: str = "") -> None:
        await self.redis.xadd(keys.AUDIT, self._entry(actor, action, target, source))

    async def minted(self, by: str, kind: str, person: str, purpose: str) -> None:
        """A credential was made: ``token.minted:<kind>`` by whom, for whom (``target``)
        and what for (``purpose``); the source is the request's or the shell's."""
        await self.redis.xadd(keys.AUDIT, self._entry(by, f"token.minted:{kind}", person,
                                                      purpose=purpose))

    def record_in(self, pipe: Pipeline, actor: str, action: str, target: str,
                  source: str = "") -> None:
        pipe.xadd(keys.AUDIT, self._entry(actor, action, target, source))

    async def trim(self, retention_days: float) -> int:
        """Remove the entries older than the retention (and only those); how many. Age is
        read on the Redis server's clock, the one that stamped the entries' ids."""
        seconds, micros = await self.redis.time()
        oldest_kept = int(seconds * 1000 + micros // 1000 - retention_days * DAY_MS)
        if oldest_kept <= 0:
            return 0
        removed = await self.redis.xtrim(keys.AUDIT, minid=f"{oldest_kept}-0",
                                         approximate=False)
        return int(removed)

    async def entries(self, since_ms: int, until_ms: int | None = None
                      ) -> AsyncIterator[dict[str, str]]:
        """Every entry recorded at or after ``since_ms`` (and before ``until_ms``), oldest
        first, with its stream id (the Redis server's time of recording)."""
        start, end = f"{since_ms}-0", "+" if until_ms is None else f"({until_ms}-0"
        while True:
            batch = await self.redis.xrange(keys.AUDIT, min=start, max=end,
                                            count=EXPORT_BATCH)
            for entry_id, fields in batch:
                yield {"id": _text(entry_id), **{_text(k): _text(v) for k, v in fields.items()}}
            if len(batch) < EXPORT_BATCH:
                return
            start = "(" + _text(batch[-1][0])  # exclusive range: Redis 6.2 and later


def _text(value: str | bytes) -> str:
    return value.decode() if isinstance(value, bytes) else value
