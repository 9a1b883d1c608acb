"""Meeting state in Redis: the roster, active ladders, facts, and the timeline stream.

``apply`` is the one atomic step of ingest: read the meeting, plan (pure), then write the
roster, the timeline and the ladder jobs in one MULTI/EXEC guarded by WATCH.
"""

from __future__ import annotations

import json
import logging
from importlib import resources
from typing import Any

import redis.asyncio as aioredis
from redis.asyncio.client import Pipeline

from sidecar import keys
from sidecar.jobs.engine import JobEngine
from sidecar.roster import PersonState
from sidecar.timeline import TIMELINE_MAXLEN, decode
from sidecar.workflows.plan import LADDER_KIND, MeetingView, Plan

logger = logging.getLogger(__name__)
_HDEL_IF = (resources.files("sidecar") / "lua" / "hdel_if.lua").read_text(encoding="utf-8")


class MeetingStore:
    def __init__(self, redis: aioredis.Redis, engine: JobEngine) -> None:
        self.redis = redis
        self.engine = engine
        self._hdel_if = redis.register_script(_HDEL_IF)

    async def people(self, meeting: str) -> list[PersonState]:
        raw = await self.redis.hvals(keys.people(meeting))
        return [PersonState.from_json(v) for v in raw]

    async def meta(self, meeting: str) -> dict[str, str]:
        return dict(await self.redis.hgetall(keys.meta(meeting)))

    async def ladders(self, meeting: str) -> dict[str, str]:
        return dict(await self.redis.hgetall(keys.ladders(meeting)))

    async def append(self, meeting: str, *entries: dict[str, str]) -> None:
        async with self.redis.pipeline(transaction=False) as pipe:
            for e in entries:
                pipe.xadd(keys.timeline(meeting), e, maxlen=TIMELINE_MAXLEN, approximate=True)
            await pipe.execute()

    async def timeline(self, meeting: str, after: str = "-", count: int = 1000
                       ) -> list[dict[str, Any]]:
        start = after if after == "-" else f"({after}"
        rows = await self.redis.xrange(keys.timeline(meeting), min=start, count=count)
        return [decode(i, f) for i, f in rows]

    async def release_ladder(self, meeting: str, subject: str, job_key: str) -> None:
        """Forget the subject's active ladder, if it is still this one."""
        await self._hdel_if(keys=[keys.ladders(meeting)], args=[subject, job_key])

    async def read_view(self, pipe: Pipeline, meeting: str, program_meeting: str
                        ) -> MeetingView:
        """Inside a WATCH: the meeting as it is now."""
        people_raw = await pipe.hgetall(keys.people(meeting))
        ladders = await pipe.hgetall(keys.ladders(meeting))
        meta = await pipe.hgetall(keys.meta(meeting))
        people = {p: PersonState.from_json(v) for p, v in people_raw.items()}
        return MeetingView(meeting, program_meeting, people, dict(ladders), dict(meta))

    async def job_states(self, pipe: Pipeline, plan: Plan) -> dict[str, str | None]:
        """Inside the WATCH: each planned job's state ("rejoined" for one the client's
        rejoin cancelled, which a later drop with the same episode may restart)."""
        wanted = [s.key for s in plan.schedule] + [k for k, _ in plan.cancel]
        if not wanted:
            return {}
        await pipe.watch(*[keys.job(k) for k in wanted])
        states: dict[str, str | None] = {}
        for k in wanted:
            state, outcome = await pipe.hmget(keys.job(k), ["state", "outcome"])
            states[k] = "rejoined" if state == "cancelled" and outcome == "rejoined" else state
        return states

    def write(self, pipe: Pipeline, meeting: str, meeting_number: str, plan: Plan,
              jobs: dict[str, str | None]) -> None:
        """Queue the plan's writes into a MULTI (no scripts: nothing here can half-fail)."""
        if plan.people:
            pipe.hset(keys.people(meeting), mapping={p: s.to_json()
                                                     for p, s in plan.people.items()})
            pipe.sadd(keys.ACTIVE_MEETINGS, meeting)
        pipe.hset(keys.meta(meeting), mapping={"number": meeting_number, **plan.meta})
        for e in plan.timeline:
            pipe.xadd(keys.timeline(meeting), e, maxlen=TIMELINE_MAXLEN, approximate=True)
        for s in plan.schedule:
            if jobs.get(s.key) in (None, "rejoined"):
                self.engine.schedule_cmds(pipe, s.key, s.due_ms, LADDER_KIND, s.payload)
        for key, reason in plan.cancel:
            if jobs.get(key) in ("pending", "leased"):
                self.engine.cancel_cmds(pipe, key, reason)
        if plan.ladders_set:
            pipe.hset(keys.ladders(meeting), mapping=plan.ladders_set)
        if plan.ladders_del:
            pipe.hdel(keys.ladders(meeting), *plan.ladders_del)
        for k in (keys.people(meeting), keys.meta(meeting), keys.ladders(meeting),
                  keys.timeline(meeting)):
            pipe.expire(k, keys.MEETING_TTL_S)


def dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, separators=(",", ":"))
