"""What the presence routes use, wired in ``sidecar/services.py``."""

from __future__ import annotations

from dataclasses import dataclass

import redis.asyncio as aioredis
from aiohttp import web

from sidecar.infra.audit import Audit
from sidecar.infra.auth import TokenIssuer
from sidecar.infra.clock import Clock
from sidecar.infra.config import ProgramConfig
from sidecar.infra.config_store import LiveConfig
from sidecar.infra.revocations import Revocations
from sidecar.infra.sessions import SessionStore
from sidecar.presence.ingest import Applier
from sidecar.presence.meetings import MeetingStore


@dataclass(frozen=True)
class PresenceDeps:
    live: LiveConfig  # the program's configuration; `config` reads it now
    clock: Clock
    tokens: TokenIssuer
    audit: Audit
    redis: aioredis.Redis
    meetings: MeetingStore
    applier: Applier
    sessions: SessionStore  # an open stream keeps its session alive while the meeting runs
    revocations: Revocations  # ... and closes the moment the session ends anywhere

    @property
    def config(self) -> ProgramConfig:
        return self.live.current


PRESENCE: web.AppKey[PresenceDeps] = web.AppKey("presence", PresenceDeps)
