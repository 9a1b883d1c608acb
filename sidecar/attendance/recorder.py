"""Making a session's record from its meeting (when the session ends, and on demand while
it runs or while its meeting's keys are still there)."""

from __future__ import annotations

import logging
from typing import Any

from sidecar.attendance.model import SessionAttendance
from sidecar.attendance.record import session_record
from sidecar.attendance.store import AttendanceStore
from sidecar.infra.clock import Clock
from sidecar.infra.config_store import LiveConfig
from sidecar.infra.jobs.model import ClaimedJob, Done, Outcome
from sidecar.presence.meetings import MeetingStore

logger = logging.getLogger(__name__)
PAGE = 1000


class AttendanceRecorder:
    def __init__(self, live: LiveConfig, clock: Clock, meetings: MeetingStore,
                 store: AttendanceStore) -> None:
        self.live = live
        self.clock = clock
        self.meetings = meetings
        self.store = store

    async def _entries(self, meeting: str) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        after = "-"
        while True:
            page = await self.meetings.timeline(meeting, after, PAGE)
            out += page
            if len(page) < PAGE:
                return out
            after = str(page[-1]["id"])

    async def refresh(self, meeting: str) -> SessionAttendance | None:
        """Record the session now from its meeting's story; None when the meeting's keys are
        gone (then the stored record is all there is) or it is no group's meeting."""
        meta = await self.meetings.meta(meeting)
        config = self.live.current
        group = config.meeting_by_number(meta.get("number", ""))
        if group is None:
            return None
        entries = await self._entries(meeting)
        now_ms = int(self.clock.now() * 1000)
        # a group on Zoom one day and on Jitsi another is one group: its first number
        record = session_record(meeting, group.numbers[0], entries, meta,
                                list(group.expected_clients), now_ms)
        await self.store.put(record, config.records.attendance_retention_days, now_ms)
        return record

    async def __call__(self, job: ClaimedJob) -> Outcome:
        meeting = str(job.payload["meeting"])
        record = await self.refresh(meeting)
        logger.info("attendance recorded meeting=%s clients=%s", meeting,
                    len(record.clients) if record else 0)
        return Done("recorded" if record else "not a group's meeting")
