"""What the coaching routes use, wired in ``sidecar/services.py``."""

from __future__ import annotations

from dataclasses import dataclass

import redis.asyncio as aioredis
from aiohttp import web

from sidecar.coaching.store import PageStore
from sidecar.infra.audit import Audit
from sidecar.infra.auth import TokenIssuer
from sidecar.infra.clock import Clock
from sidecar.infra.config import ProgramConfig
from sidecar.infra.config_store import LiveConfig
from sidecar.records.clients import ClientStore


@dataclass(frozen=True)
class CoachingDeps:
    live: LiveConfig  # the program's configuration; `config` reads it now
    clock: Clock
    tokens: TokenIssuer
    redis: aioredis.Redis
    audit: Audit
    pages: PageStore
    clients: ClientStore  # a contact must be on the client's record to get pages

    @property
    def config(self) -> ProgramConfig:
        return self.live.current

    def now_ms(self) -> int:
        return int(self.clock.now() * 1000)


COACHING: web.AppKey[CoachingDeps] = web.AppKey("coaching", CoachingDeps)
