"""The reminder when a harm-reduction agreement runs out, as a durable job on the injected
clock. The job carries ids only (the meeting and the agreement) and decides again when it
fires: ended meanwhile, nothing; extended, it waits for the new end; otherwise the reminder
is marked on the agreement and put on the meeting's timeline in one MULTI, so two workers
(or a run repeated after a lapsed lease) remind once."""

from __future__ import annotations

from dataclasses import dataclass

from redis.asyncio.client import Pipeline

from sidecar.incidents.agreement_model import Agreement
from sidecar.incidents.agreement_store import AgreementNotFound, AgreementStore
from sidecar.incidents.calming_log import note_incident
from sidecar.incidents.store import IncidentStore
from sidecar.infra import keys
from sidecar.infra.jobs import ClaimedJob, Defer, Done, JobEngine, Outcome
from sidecar.infra.timeline import entry
from sidecar.presence.meetings import MeetingStore

AGREEMENT_KIND = "agreement"


def job_key(meeting: str, agreement_id: str) -> str:
    return keys.meeting_job(meeting, f"agreement:{meeting}:{agreement_id}")


@dataclass(frozen=True)
class AgreementReminder:
    engine: JobEngine
    meetings: MeetingStore
    agreements: AgreementStore
    incidents: IncidentStore

    async def __call__(self, job: ClaimedJob) -> Outcome:
        meeting, agreement_id = job.payload["meeting"], job.payload["agreement"]
        try:
            agreement = await self.agreements.get(meeting, agreement_id)
        except AgreementNotFound:
            return Done("no agreement")
        now = self.engine.now_ms()
        if agreement.ended_ms is not None:
            return Done("ended")
        if now < agreement.ends_ms:
            return Defer(agreement.ends_ms, {})
        fresh: list[bool] = []

        def mark(a: Agreement) -> None:
            fresh.clear()  # a retry after a race starts from the stored agreement again
            if a.remind(now):
                fresh.append(True)

        def tell(pipe: Pipeline, a: Agreement) -> None:  # with the mark, or not at all
            if fresh:
                self.meetings.append_cmds(pipe, meeting, entry(
                    "agreement.reminder", now, agreement=a.id, client=a.client,
                    minutes=a.minutes))

        agreement = await self.agreements.change(meeting, agreement_id, mark, tell)
        if not fresh:
            return Done("already reminded")
        await note_incident(self.incidents, meeting, agreement.client, now, "tether",
                            "agreement ran out", minutes=agreement.minutes,
                            terms=agreement.words())
        return Done("reminded")
