"""The heartbeat watchdog (``sidecar/jitsi/heartbeats.py``): one durable job per episode of a
client's join page. It decides from the record each time it fires: a newer heartbeat moves
it to that beat plus the gap; silence reports the disconnect; a leave or a later episode
ends it."""

from __future__ import annotations

from dataclasses import dataclass

from sidecar.infra.jobs import ClaimedJob, Defer, Done, Outcome
from sidecar.jitsi.heartbeats import Heartbeats


@dataclass(frozen=True)
class HeartbeatWatchdog:
    heartbeats: Heartbeats

    async def __call__(self, job: ClaimedJob) -> Outcome:
        p = job.payload
        verdict = await self.heartbeats.check(p["meeting"], p["participant"],
                                              int(p["episode"]),
                                              self.heartbeats.engine.now_ms())
        if isinstance(verdict, int):
            return Defer(verdict, job.data)
        return Done(verdict)
