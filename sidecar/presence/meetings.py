"""Meeting state in Redis: the roster, active ladders, facts, and the timeline stream.

``apply`` is the one atomic step of ingest: read the meeting, plan (pure), then write the
roster, the timeline and the ladder jobs in one MULTI/EXEC guarded by WATCH.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import replace
from importlib import resources
from typing import Any

import redis.asyncio as aioredis
from redis.asyncio.client import Pipeline
from redis.asyncio.cluster import ClusterPipeline
from redis.commands.core import AsyncScript
from redis.exceptions import NoScriptError

from sidecar.infra import keys
from sidecar.infra.jobs.engine import JobEngine
from sidecar.infra.sealing import Sealer
from sidecar.infra.timeline import TIMELINE_MAXLEN, decode
from sidecar.presence.plan import MeetingView, Plan
from sidecar.presence.roster import PersonState
from sidecar.presence.sequence import JobStates, job_writes, state_writes

logger = logging.getLogger(__name__)
FRESH_TTL_MS = (keys.MEETING_TTL_S - 24 * 3600) * 1000  # expiry pushed back at most daily
_LUA = resources.files("sidecar.presence") / "lua"
_HDEL_IF = (_LUA / "hdel_if.lua").read_text(encoding="utf-8")
_READ_STATES = (_LUA / "read_states.lua").read_text(encoding="utf-8")
_READ_JOBS = (_LUA / "read_jobs.lua").read_text(encoding="utf-8")


_PARSED: dict[str, PersonState] = {}  # roster record JSON -> the record (immutable)
PARSED_MAX = 20_000  # about 10 MB; cleared whole when full


def _person(text: str) -> PersonState:
    """A roster record from its JSON, parsed once: a batch reads every person of each of
    its meetings, and most of them have not changed since the last batch read them."""
    found = _PARSED.get(text)
    if found is None:
        if len(_PARSED) >= PARSED_MAX:
            _PARSED.clear()
        found = _PARSED[text] = PersonState.from_json(text)
    return found


def split_state(raw: dict[str, str]) -> tuple[dict[str, PersonState], dict[str, str],
                                               dict[str, str]]:
    """One meeting's state hash as (people, ladders, meta)."""
    people: dict[str, PersonState] = {}
    ladders: dict[str, str] = {}
    meta: dict[str, str] = {}
    for field, value in raw.items():
        prefix, name = field[:2], field[2:]
        if prefix == keys.PERSON_FIELD:
            people[name] = _person(value)
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
        self._read_states = redis.register_script(_READ_STATES)
        self._read_jobs = redis.register_script(_READ_JOBS)

    async def snapshot(self, meeting: str) -> tuple[dict[str, PersonState], dict[str, str],
                                                    dict[str, str]]:
        return split_state(await self.redis.hgetall(keys.state(meeting)))

    async def people(self, meeting: str) -> list[PersonState]:
        return list((await self.snapshot(meeting))[0].values())

    @staticmethod
    def people_cmds(pipe: Pipeline, meeting: str) -> None:
        """Queue the read ``people_of`` takes the meeting's people from (a caller's
        pipeline, with its other reads)."""
        pipe.hgetall(keys.state(meeting))

    @staticmethod
    def people_of(reply: dict[str, str]) -> list[PersonState]:
        return list(split_state(reply)[0].values())

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

    async def job_states(self, pipe: Pipeline, plan: Plan) -> JobStates:
        """Inside a WATCH: each planned job's state (see ``read_jobs``)."""
        return await self.read_jobs(pipe, planned_jobs([plan]))

    async def read_views(self, pipe: Pipeline, meetings: Mapping[str, str]
                         ) -> tuple[dict[str, MeetingView], set[str]]:
        """Inside a WATCH of their state hashes: many meetings (id -> program meeting
        number) as they are now, in one round trip; and those whose keys' expiry was
        pushed back within the last day (``write_all`` need not push it again)."""
        names = [k for m in meetings for k in (keys.state(m), keys.timeline(m))]
        rows = await _immediate(pipe, self._read_states, names)
        views, fresh = {}, set()
        for (m, number), (raw, state_ttl, timeline_ttl) in zip(meetings.items(), rows,
                                                               strict=True):
            views[m] = MeetingView(m, number, *split_state(_pairs(raw)))
            if min(int(state_ttl), int(timeline_ttl)) > FRESH_TTL_MS:
                fresh.add(m)
        return views, fresh

    async def read_jobs(self, pipe: Pipeline, wanted: list[str]) -> JobStates:
        """WATCH the jobs and read each one's state in one round trip ("rejoined" for one
        the client's rejoin cancelled, which a later drop with the same episode may
        restart; None for no such job)."""
        if not wanted:
            return {}
        await pipe.watch(*[keys.job(k) for k in wanted])
        rows = await _immediate(pipe, self._read_jobs, [keys.job(k) for k in wanted])
        return {k: "rejoined" if state == "cancelled" and outcome == "rejoined" else state
                for k, (state, outcome) in zip(wanted, rows, strict=True)}

    async def open_session(self, meeting: str, meeting_number: str, platform: str) -> None:
        """Make a session known before its first platform event (a Jitsi room's day opens
        when a clinician's console or a client's link first needs it)."""
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hsetnx(keys.state(meeting), keys.META_FIELD + "number", meeting_number)
            pipe.hsetnx(keys.state(meeting), keys.META_FIELD + "platform", platform)
            pipe.expire(keys.state(meeting), keys.MEETING_TTL_S)
            await pipe.execute()

    def write(self, pipe: Pipeline, meeting: str, meeting_number: str, platform: str,
              plan: Plan, jobs: JobStates) -> None:
        """Queue the plan's writes into a MULTI (no scripts: nothing here can half-fail)."""
        self.write_all(pipe, meeting, meeting_number, platform, [plan], jobs)

    def write_all(self, pipe: Pipeline, meeting: str, meeting_number: str, platform: str,
                  plans: list[Plan], jobs: JobStates, *, listed: bool = False,
                  fresh: bool = False) -> None:
        """Queue several plans of one meeting, in order, into a MULTI: the state's fields
        in one HSET, each timeline line, each job change, and the expiries once.
        ``jobs`` ends as the jobs' states after them. ``listed``: the meeting had people
        already, so it is on the active list; ``fresh``: its expiry was pushed back
        within the last day (``read_views``), so it is not pushed again."""
        fields, deleted = state_writes(plans, meeting_number, platform)
        pipe.hset(keys.state(meeting), mapping=fields)
        if deleted:
            pipe.hdel(keys.state(meeting), *deleted)
        if not listed and any(plan.people for plan in plans):
            pipe.sadd(keys.active_meetings(meeting), meeting)
        for plan in plans:
            for e in plan.timeline:
                pipe.xadd(keys.timeline(meeting), e, maxlen=TIMELINE_MAXLEN, approximate=True)
            schedule, cancel = job_writes(plan, jobs)
            for s in plan.schedule:
                if s.key in schedule:
                    self.engine.schedule_cmds(pipe, s.key, s.due_ms, s.kind, s.payload)
            for key, reason in cancel:
                self.engine.cancel_cmds(pipe, key, reason)
        if not fresh:
            pipe.expire(keys.state(meeting), keys.MEETING_TTL_S)
            pipe.expire(keys.timeline(meeting), keys.MEETING_TTL_S)


def planned_jobs(plans: list[Plan]) -> list[str]:
    """Every job key the plans schedule or cancel, once each."""
    wanted = [s.key for p in plans for s in p.schedule] + [k for p in plans for k, _ in p.cancel]
    return list(dict.fromkeys(wanted))


def _pairs(flat: list[str]) -> dict[str, str]:
    return dict(zip(flat[::2], flat[1::2], strict=True))


async def _immediate(pipe: Pipeline, script: AsyncScript, script_keys: list[str]) -> Any:
    """Run a read-only script on a WATCHing pipeline's connection (loading it first if the
    server has lost it: a pipeline in immediate mode does not). A cluster client's pipeline
    sends no EVALSHA, so there the script goes whole."""
    if isinstance(pipe, ClusterPipeline):
        return await pipe.eval(script.script, len(script_keys), *script_keys)
    try:
        return await pipe.evalsha(script.sha, len(script_keys), *script_keys)
    except NoScriptError:
        await pipe.script_load(script.script)
        return await pipe.evalsha(script.sha, len(script_keys), *script_keys)


def dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, separators=(",", ":"))
