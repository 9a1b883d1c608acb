"""Attendance records in Redis: one JSON string per session, indexed per group and per
client by the session's start, all kept for the program's retention (not the meeting's
30 days). Nothing here holds a name or a number."""

from __future__ import annotations

from collections.abc import Iterable

import redis.asyncio as aioredis

from sidecar.attendance.model import SessionAttendance
from sidecar.infra import keys

DAY_MS = 24 * 3600 * 1000


class AttendanceStore:
    def __init__(self, redis: aioredis.Redis) -> None:
        self.redis = redis

    async def put(self, record: SessionAttendance, retention_days: int, now_ms: int) -> None:
        """Store (or replace) a session's record and index it; each write also drops index
        entries past the retention."""
        ttl = retention_days * 24 * 3600
        oldest = now_ms - retention_days * DAY_MS
        indexes = [keys.attendance_sessions(), keys.attendance_group(record.group),
                   *(keys.attendance_client(c.client) for c in record.clients)]
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.set(keys.attendance_session(record.meeting), record.model_dump_json(), ex=ttl)
            for index in indexes:
                pipe.zadd(index, {record.meeting: record.started_ms})
                pipe.zremrangebyscore(index, "-inf", f"({oldest}")
                pipe.expire(index, ttl)
            await pipe.execute()

    async def get(self, meeting: str) -> SessionAttendance | None:
        raw = await self.redis.get(keys.attendance_session(meeting))
        return SessionAttendance.model_validate_json(raw) if raw else None

    async def _many(self, index: str, from_ms: int, to_ms: int) -> list[SessionAttendance]:
        meetings = await self.redis.zrangebyscore(index, from_ms, f"({to_ms}")
        if not meetings:
            return []
        raws = await self.redis.mget([keys.attendance_session(m) for m in meetings])
        return [SessionAttendance.model_validate_json(r) for r in raws if r]

    async def of_group(self, group: str, from_ms: int, to_ms: int) -> list[SessionAttendance]:
        """The group's sessions that started in ``[from_ms, to_ms)``, oldest first."""
        return await self._many(keys.attendance_group(group), from_ms, to_ms)

    async def started_since(self, from_ms: int, groups: Iterable[str] = ()
                            ) -> list[SessionAttendance]:
        """Every session that started at or after ``from_ms``, oldest first: from the index
        of all sessions, and from ``groups``' own (sessions recorded before that index)."""
        found: dict[str, float] = {}
        for index in [keys.attendance_sessions(), *map(keys.attendance_group, groups)]:
            found |= dict(await self.redis.zrangebyscore(index, from_ms, "+inf",
                                                         withscores=True))
        meetings = sorted(found, key=lambda m: (found[m], m))
        if not meetings:
            return []
        raws = await self.redis.mget([keys.attendance_session(m) for m in meetings])
        return [SessionAttendance.model_validate_json(r) for r in raws if r]

    async def of_client(self, client: str, from_ms: int = 0, to_ms: int = 2**53
                        ) -> list[SessionAttendance]:
        return await self._many(keys.attendance_client(client), from_ms, to_ms)
