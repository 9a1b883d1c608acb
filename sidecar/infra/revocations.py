"""Ending sessions everywhere at once.

Revoking a person deletes their sessions and voids every staff token minted before now (a
per-person mark in Redis that every replica reads on each call). Open event streams are
held by a replica's memory, not by Redis: each replica listens on a pub/sub channel, and
a stream waits on ``ended(...)`` beside its read, so it closes the moment its session ends
(logout, revocation) on any replica.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass, field

import redis.asyncio as aioredis

from sidecar.infra import keys
from sidecar.infra.sessions import SessionStore
from sidecar.infra.stopping import check_stop, messages

logger = logging.getLogger(__name__)
MARK_TTL_S = 13 * 3600  # longer than any token lives


@dataclass(eq=False)
class _Watch:
    staff_id: str
    session: str | None
    done: asyncio.Event = field(default_factory=asyncio.Event)


class Revocations:
    def __init__(self, redis: aioredis.Redis, sessions: SessionStore) -> None:
        self.redis = redis
        self.sessions = sessions
        self._watches: set[_Watch] = set()

    async def revoke(self, staff_id: str, now_ms: int) -> int:
        """All of one person's sessions end and their tokens so far are void, on every
        replica; how many sessions there were."""
        ended = await self.sessions.end_all(staff_id)
        await self.redis.set(keys.REVOKED_PREFIX + staff_id, str(now_ms), ex=MARK_TTL_S)
        await self.announce(staff_id, None)
        return ended

    async def voided_before(self, staff_id: str) -> int:
        """Tokens of this person minted before this ms are void (0: none are)."""
        mark = await self.redis.get(keys.REVOKED_PREFIX + staff_id)
        return int(mark) if mark else 0

    async def announce(self, staff_id: str, session: str | None) -> None:
        """Tell every replica that a session (or all of a person's) has ended."""
        await self.redis.publish(keys.REVOKED_CHANNEL,
                                 json.dumps({"staff": staff_id, "session": session}))

    def watch(self, staff_id: str, session: str | None) -> _Watch:
        w = _Watch(staff_id, session)
        self._watches.add(w)
        return w

    def unwatch(self, w: _Watch) -> None:
        self._watches.discard(w)

    def _ended(self, staff_id: str, session: str | None) -> None:
        for w in list(self._watches):
            if w.staff_id == staff_id and (session is None or w.session == session):
                w.done.set()

    async def listen_forever(self) -> None:
        """This replica's listener; it resubscribes after a store outage."""
        while True:
            check_stop()
            try:
                async with self.redis.pubsub(ignore_subscribe_messages=True) as ps:
                    await ps.subscribe(keys.REVOKED_CHANNEL)
                    async for message in messages(ps):
                        self._on(message.get("data"))
            except Exception:
                logger.warning("revocation listener lost the store; resubscribing in 1 s")
                # a stream cannot know what it missed: end them all, the pages reconnect
                for w in list(self._watches):
                    w.done.set()
                await asyncio.sleep(1)

    def _on(self, data: object) -> None:
        try:
            msg = json.loads(str(data))
            self._ended(str(msg["staff"]), msg.get("session"))
        except (ValueError, KeyError, TypeError):
            logger.warning("ignored a malformed revocation message")
