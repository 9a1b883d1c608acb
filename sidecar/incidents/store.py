"""Incidents on Redis: one encrypted document per incident, changed under WATCH so two
clinicians ticking steps at once never lose each other's tick."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import redis.asyncio as aioredis
from redis.asyncio.client import Pipeline
from redis.exceptions import WatchError

from sidecar.incidents.model import Incident, Trigger
from sidecar.infra import keys
from sidecar.infra.crypto import FieldCipher

MAX_TRIES = 20


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
                     also: Callable[[Pipeline, Incident], None] | None = None) -> Incident:
        """Apply ``edit`` to the current document and store it, retrying on a race. The
        edit may raise (IncidentError) and then nothing is stored. ``also`` queues more
        commands (jobs, timeline entries) into the same MULTI: a crash stores all or none."""
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
                    await pipe.execute()
                    return incident
                except WatchError:
                    continue
        raise RuntimeError(f"incident {incident_id} too contended")

    async def ids(self, since_ms: int = 0, limit: int = 1000) -> list[str]:
        found = await self.redis.zrangebyscore(keys.INCIDENTS, since_ms, "+inf", start=0,
                                               num=limit)
        return [str(i) for i in found]
