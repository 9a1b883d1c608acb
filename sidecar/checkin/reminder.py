"""Check-in enforcement (``warn``): a client present without this session's check-in
raises an alert for the clinicians once the grace is over and, with ``reprompt_by_sms``,
gets the signed link by text again (``checkin.reprompted``)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from sidecar.checkin.sms import CheckInTexter
from sidecar.checkin.store import CheckInStore
from sidecar.infra.errors import where
from sidecar.infra.jobs import ClaimedJob, Done, JobEngine, Outcome
from sidecar.infra.timeline import entry
from sidecar.presence.meetings import MeetingStore

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CheckInReminder:
    engine: JobEngine
    meetings: MeetingStore
    checkins: CheckInStore
    # the texter when the program re-prompts by SMS (asked at each reminder: a policy
    # saved by an admin applies to the next one), else None
    texter: Callable[[], CheckInTexter | None] = lambda: None

    async def __call__(self, job: ClaimedJob) -> Outcome:
        p = job.payload
        if p["client"] in await self.checkins.times(p["meeting"]):
            return Done("checked in")
        people = await self.meetings.people(p["meeting"])
        if not any(x.subject == p["subject"] and x.status == "present" for x in people):
            return Done("not present")
        if not job.data.get("alerted"):  # a retry never repeats the alert it already raised
            await self.meetings.append(p["meeting"], entry(
                "alert.checkin_missing", self.engine.now_ms(), client=p["client"],
                subject=p["subject"]))
            await self.engine.touch(job, {**job.data, "alerted": 1})
        texter = self.texter()
        if texter is None:
            return Done("alerted")
        return Done(await self._reprompt(texter, p["meeting"], p["client"]))

    async def _reprompt(self, texter: CheckInTexter, meeting: str, client: str) -> str:
        """Text the link once; a failure is on the timeline, not retried (the alert is out)."""
        url, _ = await texter.url(meeting, client, self.engine.now_ms(), "checkin-reminder")
        try:
            sent = await texter.send(client, url, actor="checkin-reminder", meeting=meeting)
        except Exception as exc:  # one text, never retried: the alert is out
            logger.warning("check-in re-prompt failed meeting=%s client=%s (%s)", meeting,
                           client, where(exc))
            sent = False
        kind = "checkin.reprompted" if sent else "checkin.reprompt_failed"
        await self.meetings.append(meeting, entry(kind, self.engine.now_ms(), client=client))
        return "alerted and re-prompted" if sent else "alerted; re-prompt failed"
