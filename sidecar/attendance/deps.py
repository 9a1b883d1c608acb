"""What the attendance routes use, wired in ``sidecar/services.py``."""

from __future__ import annotations

from dataclasses import dataclass

import redis.asyncio as aioredis
from aiohttp import web

from sidecar.attendance.recorder import AttendanceRecorder
from sidecar.attendance.store import AttendanceStore
from sidecar.infra.audit import Audit
from sidecar.infra.auth import TokenIssuer
from sidecar.infra.clock import Clock
from sidecar.infra.config import ProgramConfig
from sidecar.infra.config_store import LiveConfig
from sidecar.presence.meetings import MeetingStore
from sidecar.records.clients import ClientStore


@dataclass(frozen=True)
class AttendanceDeps:
    live: LiveConfig  # the program's configuration; `config` reads it now
    clock: Clock
    tokens: TokenIssuer
    audit: Audit
    redis: aioredis.Redis
    meetings: MeetingStore
    clients: ClientStore  # names, read when a page or a CSV needs them (audited)
    store: AttendanceStore
    recorder: AttendanceRecorder

    @property
    def config(self) -> ProgramConfig:
        return self.live.current


ATTENDANCE: web.AppKey[AttendanceDeps] = web.AppKey("attendance", AttendanceDeps)
