"""Incidents on Redis: one encrypted document per incident, changed under WATCH so two
clinicians ticking steps at once never lose each other's tick.

An incident's document, its jobs and its alerts share the ``{tether}`` tag, so a change
stores them together. The lines it adds to its meeting's timeline live in the meeting's
shard: one server writes them in the same MULTI; a Redis Cluster, where one MULTI stays in
one slot, right after it (tried again on a blip, and logged if they still fail: the
document and the alert stream hold what happened either way)."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable
from typing import Any

import redis.asyncio as aioredis
from redis.asyncio.client import Pipeline
from redis.asyncio.cluster import RedisCluster
from redis.exceptions import WatchError

from sidecar.incidents.model import Incident, Trigger
from sidecar.infra import keys
from sidecar.infra.crypto import FieldCipher
from sidecar.infra.store_client import UNAVAILABLE
from sidecar.infra.timeline import TIMELINE_MAXLEN

logger = logging.getLogger(__name__)
MAX_TRIES = 20
TELL_TRIES = 3  # a cluster's timeline lines, written after the change
Tell = Callable[[Incident], list[dict[str, str]]]  # the meeting's timeline lines of a change


OVERDUE = "alert.followup_overdue"  # the timeline line of an overdue follow-up


def alert_cmds(pipe: Pipeline, now: int, data: dict[str, Any]) -> None:
    """Queue an overdue follow-up's alert (ids, title, due: no PHI) into a change's MULTI."""
    pipe.xadd(keys.INCIDENT_ALERTS, {"at": now, **{k: str(v) for k, v in data.items()}},
              maxlen=100_000, approximate=True)


class IncidentNotFound(LookupError):
    pass


class IncidentStore:
    def __init__(self, redis: aioredis.Redis, cipher: FieldCipher) -> None:
        self.redis = redis
        self.cipher = cipher

    def _seal(self, incident: Incident) -> str:
        return self.cipher.encrypt(incident.id, "incident", incident.model_dump_json())

    def _open(self, incident_id: str, sealed: str) -> Incident:
        return Incident.model_validate_json(self.cipher.decrypt(incident_id, "incident", sealed))

    async def get(self, incident_id: str) -> Incident:
        sealed = await self.redis.get(keys.INCIDENT_PREFIX + incident_id)
        if not sealed:
            raise IncidentNotFound(incident_id)
        return self._open(incident_id, sealed)

    async def open_for(self, meeting: str, client: str) -> str | None:
        found = await self.redis.hget(keys.INCIDENT_OPEN, f"{meeting}/{client}")
        return str(found) if found else None

    async def create(self, meeting: str, meeting_number: str, client: str, trigger: Trigger,
                     at_ms: int, by: str) -> tuple[Incident, bool]:
        """The client's open incident in this meeting, or a new one (True if new)."""
        slot = f"{meeting}/{client}"
        for _ in range(MAX_TRIES):
            async with self.redis.pipeline(transaction=True) as pipe:
                try:
                    await pipe.watch(keys.INCIDENT_OPEN)
                    current = await pipe.hget(keys.INCIDENT_OPEN, slot)
                    if current:
                        await pipe.unwatch()
                        return await self.get(str(current)), False
                    incident = Incident(id=uuid.uuid4().hex[:12], meeting=meeting,
                                        meeting_number=meeting_number, client=client,
                                        trigger=trigger, opened_ms=at_ms, opened_by=by)
                    incident.note(at_ms, by, "opened", trigger=trigger)
                    pipe.multi()
                    pipe.set(keys.INCIDENT_PREFIX + incident.id, self._seal(incident))
                    pipe.zadd(keys.INCIDENTS, {incident.id: at_ms})
                    pipe.hset(keys.INCIDENT_OPEN, slot, incident.id)
                    await pipe.execute()
                    return incident, True
                except WatchError:
                    continue
        raise RuntimeError("incidents too contended")

    async def change(self, incident_id: str, edit: Callable[[Incident], object],
                     also: Callable[[Pipeline, Incident], None] | None = None,
                     tell: Tell | None = None) -> Incident:
        """Apply ``edit`` to the current document and store it, retrying on a race. The
        edit may raise (IncidentError) and then nothing is stored. ``also`` queues more
        commands (jobs, alerts) into the same MULTI: a crash stores all or none. ``tell``
        gives the lines for the meeting's timeline (see the module's note)."""
        apart = isinstance(self.redis, RedisCluster)
        key = keys.INCIDENT_PREFIX + incident_id
        for _ in range(MAX_TRIES):
            async with self.redis.pipeline(transaction=True) as pipe:
                try:
                    await pipe.watch(key)
                    sealed = await pipe.get(key)
                    if not sealed:
                        raise IncidentNotFound(incident_id)
                    incident = self._open(incident_id, sealed)
                    edit(incident)
                    pipe.multi()
                    pipe.set(key, self._seal(incident))
                    if also is not None:
                        also(pipe, incident)
                    if not incident.open:
                        pipe.hdel(keys.INCIDENT_OPEN, f"{incident.meeting}/{incident.client}")
                    lines = tell(incident) if tell is not None else []
                    if not apart:
                        for line in lines:
                            pipe.xadd(keys.timeline(incident.meeting), line,
                                      maxlen=TIMELINE_MAXLEN, approximate=True)
                    await pipe.execute()
                    if apart and lines:
                        await self._tell_after(incident, lines)
                    return incident
                except WatchError:
                    continue
        raise RuntimeError(f"incident {incident_id} too contended")

    async def _tell_after(self, incident: Incident, lines: list[dict[str, str]]) -> None:
        for attempt in range(TELL_TRIES):
            try:
                async with self.redis.pipeline(transaction=True) as pipe:
                    for line in lines:
                        pipe.xadd(keys.timeline(incident.meeting), line,
                                  maxlen=TIMELINE_MAXLEN, approximate=True)
                    await pipe.execute()
                return
            except UNAVAILABLE as exc:
                if attempt == TELL_TRIES - 1:
                    logger.error("incident %s: %s timeline line(s) not written (%s)",
                                 incident.id, len(lines), type(exc).__name__)
                    return
                await asyncio.sleep(0.2 * (attempt + 1))

    async def ids(self, since_ms: int = 0, limit: int = 1000) -> list[str]:
        found = await self.redis.zrangebyscore(keys.INCIDENTS, since_ms, "+inf", start=0,
                                               num=limit)
        return [str(i) for i in found]
