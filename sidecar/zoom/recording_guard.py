"""The recording guard: a group's cloud recording is stopped as soon as it starts.

One job per ``recording.started``. It re-checks the meeting first (already stopped? the
meeting ended?), then asks the platform to stop; every outcome lands on the timeline.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from plugins.base import CommandFailed, MeetingCommands
from sidecar.infra.jobs import ClaimedJob, Defer, Done, JobEngine, Outcome, Retry
from sidecar.infra.timeline import entry
from sidecar.presence.meetings import MeetingStore

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class RecordingGuard:
    engine: JobEngine
    meetings: MeetingStore
    commands: Mapping[str, MeetingCommands]

    async def __call__(self, job: ClaimedJob) -> Outcome:
        meeting = job.payload["meeting"]
        meta = await self.meetings.meta(meeting)
        if int(meta.get("recording_stopped_at", "0")) > job.payload["started_ms"]:
            return Done("already stopped")
        if "ended_at" in meta:
            return Done("meeting ended")
        platform = meta.get("platform", "zoom")
        command = self.commands.get(platform)
        if command is None:
            await self._say(meeting, "recording.stop_failed", reason="no API credentials "
                            "for this platform: stop the recording from the host's panel")
            return Done("no credentials")
        try:
            await command.stop_recording(meeting)
        except CommandFailed as exc:
            return await self._failed(job, exc)
        await self._say(meeting, "recording.stop_requested", attempt=job.attempts + 1)
        return Done("stop requested")

    async def _failed(self, job: ClaimedJob, exc: CommandFailed) -> Outcome:
        meeting = job.payload["meeting"]
        tries = job.attempts + job.data.get("retries", 0) + 1
        if exc.final or tries >= MAX_ATTEMPTS:
            await self._say(meeting, "recording.stop_failed", reason=exc.reason)
            return Done("failed")
        if exc.retry_after_s is not None:
            logger.info("recording guard %s: retry in %ss (%s)", job.key, exc.retry_after_s,
                        exc.reason)
            return Defer(self.engine.now_ms() + int(exc.retry_after_s * 1000),
                         {**job.data, "retries": job.data.get("retries", 0) + 1})
        return Retry(exc.reason)

    async def _say(self, meeting: str, kind: str, **data: object) -> None:
        await self.meetings.append(meeting, entry(kind, self.engine.now_ms(), **data))
