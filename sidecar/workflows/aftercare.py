"""After-action follow-ups as durable jobs: each task's job fires at its deadline; a task
still undone then raises an overdue alert on the meeting's timeline and on the program's
incident alert stream (meetings end; follow-ups outlive them)."""

from __future__ import annotations

from dataclasses import dataclass

import redis.asyncio as aioredis

from sidecar import keys
from sidecar.clinical.aftercare import TaskKind
from sidecar.incidents.model import Incident
from sidecar.incidents.store import IncidentNotFound, IncidentStore
from sidecar.jobs import ClaimedJob, Done, JobEngine, Outcome
from sidecar.meetings import MeetingStore
from sidecar.metrics import Metrics
from sidecar.timeline import entry

AFTERCARE_KIND = "aftercare"


def job_key(incident: str, kind: TaskKind) -> str:
    return f"aftercare:{incident}:{kind.value}"


@dataclass(frozen=True)
class AftercareDue:
    engine: JobEngine
    meetings: MeetingStore
    incidents: IncidentStore
    redis: aioredis.Redis
    metrics: Metrics

    async def __call__(self, job: ClaimedJob) -> Outcome:
        incident_id, kind = job.payload["incident"], TaskKind(job.payload["task"])
        now = self.engine.now_ms()

        def mark(incident: Incident) -> None:
            for t in incident.tasks:
                if t.task.kind is kind and t.done is None and t.overdue_alerted_ms is None:
                    t.overdue_alerted_ms = now

        try:
            incident = await self.incidents.change(incident_id, mark)
        except IncidentNotFound:
            return Done("no incident")
        task = next(t for t in incident.tasks if t.task.kind is kind)
        if task.done is not None:
            return Done("done in time")
        if task.overdue_alerted_ms != now:
            return Done("already alerted")
        alert = {"incident": incident.id, "client": incident.client, "task": kind.value,
                 "title": task.task.title, "due": task.task.due_ms}
        await self.meetings.append(incident.meeting, entry("alert.followup_overdue", now,
                                                           **alert))
        await self.redis.xadd(keys.INCIDENT_ALERTS,
                              {"at": now, **{k: str(v) for k, v in alert.items()}},
                              maxlen=100_000, approximate=True)
        self.metrics.followups_overdue.labels(kind.value).inc()
        return Done("overdue")
