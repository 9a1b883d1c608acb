"""Check-in enforcement (``warn``): a client present without this session's check-in
raises an alert for the clinicians once the grace is over."""

from __future__ import annotations

from dataclasses import dataclass

from sidecar.checkin import CheckInStore
from sidecar.jobs import ClaimedJob, Done, JobEngine, Outcome
from sidecar.meetings import MeetingStore
from sidecar.timeline import entry


@dataclass(frozen=True)
class CheckInReminder:
    engine: JobEngine
    meetings: MeetingStore
    checkins: CheckInStore

    async def __call__(self, job: ClaimedJob) -> Outcome:
        p = job.payload
        if p["client"] in await self.checkins.times(p["meeting"]):
            return Done("checked in")
        people = await self.meetings.people(p["meeting"])
        if not any(x.subject == p["subject"] and x.status == "present" for x in people):
            return Done("not present")
        await self.meetings.append(p["meeting"], entry(
            "alert.checkin_missing", self.engine.now_ms(), client=p["client"],
            subject=p["subject"]))
        return Done("alerted")
