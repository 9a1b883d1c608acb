"""Meeting state in Redis: the roster, active ladders, facts, and the timeline stream.

``apply`` is the one atomic step of ingest: read the meeting, plan (pure), then write the
roster, the timeline and the ladder jobs in one MULTI/EXEC guarded by WATCH.
"""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from importlib import resources
from typing import Any

import redis.asyncio as aioredis
from redis.asyncio.client import Pipeline

from sidecar.infra import keys
from sidecar.infra.jobs.engine import JobEngine
from sidecar.infra.sealing import Sealer
from sidecar.infra.timeline import TIMELINE_MAXLEN, decode
from sidecar.presence.plan import MeetingView, Plan
from sidecar.presence.roster import PersonState

logger = logging.getLogger(__name__)
_HDEL_IF = (resources.files("sidecar.presence") / "lua" / "hdel_if.lua").read_text(encoding="utf-8")


def split_state(raw: dict[str, str]) -> tuple[dict[str, PersonState], dict[str, str],
                                               dict[str, str]]:
    """One meeting's state hash as (people, ladders, meta)."""
    people: dict[str, PersonState] = {}
    ladders: dict[str, str] = {}
    meta: dict[str, str] = {}
    for field, value in raw.items():
        prefix, name = field[:2], field[2:]
        if prefix == keys.PERSON_FIELD:
            people[name] = PersonState.from_json(value)
        elif prefix == keys.LADDER_FIELD:
            ladders[name] = value
        elif prefix == keys.META_FIELD:
            meta[name] = value
    return people, ladders, meta


class MeetingStore:
    """Display names are kept sealed (``sidecar/infra/sealing.py``); ``timeline`` and
    ``opened`` give them to an authorised reader in clear."""

    def __init__(self, redis: aioredis.Redis, engine: JobEngine, sealer: Sealer) -> None:
        self.redis = redis
        self.engine = engine
        self.sealer = sealer
        self._hdel_if = redis.register_script(_HDEL_IF)

    async def snapshot(self, meeting: str) -> tuple[dict[str, PersonState], dict[str, str],
                                                    dict[str, str]]:
        return split_state(await self.redis.hgetall(keys.state(meeting)))

    async def people(self, meeting: str) -> list[PersonState]:
        return list((await self.snapshot(meeting))[0].values())

    async def meta(self, meeting: str) -> dict[str, str]:
        return (await self.snapshot(meeting))[2]

    async def ended(self, meeting: str) -> bool:
        return bool(await self.redis.hexists(keys.state(meeting), keys.META_FIELD + "ended_at"))

    async def ladders(self, meeting: str) -> dict[str, str]:
        return (await self.snapshot(meeting))[1]

    async def append(self, meeting: str, *entries: dict[str, str]) -> None:
        async with self.redis.pipeline(transaction=False) as pipe:
            self.append_cmds(pipe, meeting, *entries)
            await pipe.execute()

    @staticmethod
    def append_cmds(pipe: Pipeline, meeting: str, *entries: dict[str, str]) -> None:
        """Queue timeline entries into a caller's pipeline (its MULTI, when it has one)."""
        for e in entries:
            pipe.xadd(keys.timeline(meeting), e, maxlen=TIMELINE_MAXLEN, approximate=True)

    async def timeline(self, meeting: str, after: str = "-", count: int = 1000
                       ) -> list[dict[str, Any]]:
        start = after if after == "-" else f"({after}"
        rows = await self.redis.xrange(keys.timeline(meeting), min=start, count=count)
        return [self.opened_entry(meeting, decode(i, f)) for i, f in rows]

    def opened_entry(self, meeting: str, item: dict[str, Any]) -> dict[str, Any]:
        """A decoded timeline entry with its display name in clear."""
        return {**item, "data": self.sealer.open_entry(meeting, item["kind"], item["data"])}

    def opened(self, meeting: str, person: PersonState) -> PersonState:
        """A roster record with its display name in clear."""
        return replace(person, display_name=self.sealer.open_name(
            meeting, person.participant, person.display_name))

    async def release_ladder(self, meeting: str, subject: str, job_key: str) -> None:
        """Forget the subject's active ladder, if it is still this one."""
        await self._hdel_if(keys=[keys.state(meeting)],
                            args=[keys.LADDER_FIELD + subject, job_key])

    async def read_view(self, pipe: Pipeline, meeting: str, program_meeting: str
                        ) -> MeetingView:
        """Inside a WATCH on the state hash: the meeting as it is now."""
        people, ladders, meta = split_state(await pipe.hgetall(keys.state(meeting)))
        return MeetingView(meeting, program_meeting, people, ladders, meta)

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

    async def open_session(self, meeting: str, meeting_number: str, platform: str) -> None:
        """Make a session known before its first platform event (a Jitsi room's day opens
        when a clinician's console or a client's link first needs it)."""
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hsetnx(keys.state(meeting), keys.META_FIELD + "number", meeting_number)
            pipe.hsetnx(keys.state(meeting), keys.META_FIELD + "platform", platform)
            pipe.expire(keys.state(meeting), keys.MEETING_TTL_S)
            await pipe.execute()

    def write(self, pipe: Pipeline, meeting: str, meeting_number: str, platform: str,
              plan: Plan, jobs: dict[str, str | None]) -> None:
        """Queue the plan's writes into a MULTI (no scripts: nothing here can half-fail)."""
        fields = {keys.PERSON_FIELD + p: s.to_json() for p, s in plan.people.items()}
        fields.update({keys.META_FIELD + k: v for k, v in plan.meta.items()})
        fields.update({keys.LADDER_FIELD + k: v for k, v in plan.ladders_set.items()})
        fields[keys.META_FIELD + "number"] = meeting_number
        fields[keys.META_FIELD + "platform"] = platform
        pipe.hset(keys.state(meeting), mapping=fields)
        if plan.ladders_del:
            pipe.hdel(keys.state(meeting), *[keys.LADDER_FIELD + s for s in plan.ladders_del])
        if plan.people:
            pipe.sadd(keys.ACTIVE_MEETINGS, meeting)
        for e in plan.timeline:
            pipe.xadd(keys.timeline(meeting), e, maxlen=TIMELINE_MAXLEN, approximate=True)
        for s in plan.schedule:
            if jobs.get(s.key) in (None, "rejoined"):
                self.engine.schedule_cmds(pipe, s.key, s.due_ms, s.kind, s.payload)
        for key, reason in plan.cancel:
            if jobs.get(key) in ("pending", "leased"):
                self.engine.cancel_cmds(pipe, key, reason)
        pipe.expire(keys.state(meeting), keys.MEETING_TTL_S)
        pipe.expire(keys.timeline(meeting), keys.MEETING_TTL_S)


def dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, separators=(",", ":"))
