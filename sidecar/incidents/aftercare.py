"""After-action follow-ups as durable jobs: each task's job fires at its deadline; a task
still undone then raises an overdue alert on the meeting's timeline and on the program's
incident alert stream (meetings end; follow-ups outlive them)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from redis.asyncio.client import Pipeline

from sidecar.clinical.aftercare import TaskKind
from sidecar.incidents.model import Incident
from sidecar.incidents.store import OVERDUE, IncidentNotFound, IncidentStore, alert_cmds
from sidecar.infra.jobs import ClaimedJob, Done, JobEngine, Outcome
from sidecar.infra.metrics import Metrics
from sidecar.infra.timeline import entry
from sidecar.presence.meetings import MeetingStore

AFTERCARE_KIND = "aftercare"


def job_key(incident: str, kind: TaskKind) -> str:
    return f"aftercare:{incident}:{kind.value}"


@dataclass(frozen=True)
class AftercareDue:
    engine: JobEngine
    meetings: MeetingStore
    incidents: IncidentStore
    metrics: Metrics

    async def __call__(self, job: ClaimedJob) -> Outcome:
        incident_id, kind = job.payload["incident"], TaskKind(job.payload["task"])
        now = self.engine.now_ms()
        raised: list[bool] = []

        def mark(incident: Incident) -> None:
            raised.clear()  # a retry after a race starts from the stored document again
            for t in incident.tasks:
                if t.task.kind is kind and t.done is None and t.overdue_alerted_ms is None:
                    t.overdue_alerted_ms = now
                    raised.append(True)

        def alert(pipe: Pipeline, incident: Incident) -> None:
            # in the same MULTI as the mark: a crash leaves both undone (and the job, its
            # lease lapsed, runs again) or both done; never marked and silent
            if raised:
                alert_cmds(pipe, now, _overdue(incident, kind))

        def tell(incident: Incident) -> list[dict[str, str]]:
            return [entry(OVERDUE, now, **_overdue(incident, kind))] if raised else []

        try:
            await self.incidents.change(incident_id, mark, alert, tell)
        except IncidentNotFound:
            return Done("no incident")
        if not raised:
            return Done("done in time or already alerted")
        self.metrics.followups_overdue.labels(kind.value).inc()
        return Done("overdue")


def _overdue(incident: Incident, kind: TaskKind) -> dict[str, Any]:
    task = next(t for t in incident.tasks if t.task.kind is kind)
    return {"incident": incident.id, "client": incident.client, "task": kind.value,
            "title": task.task.title, "due": task.task.due_ms}
