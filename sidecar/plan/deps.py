"""What the plan routes use, wired in ``sidecar/services.py``."""

from __future__ import annotations

from dataclasses import dataclass

import redis.asyncio as aioredis
from aiohttp import web

from sidecar.infra.audit import Audit
from sidecar.infra.auth import TokenIssuer
from sidecar.infra.clock import Clock
from sidecar.infra.config import ProgramConfig
from sidecar.infra.config_store import LiveConfig
from sidecar.plan.links import PlanLinks
from sidecar.plan.sending import PlanSending
from sidecar.records.clients import ClientStore
from sidecar.records.directory import DirectoryStore


@dataclass(frozen=True)
class PlanDeps:
    live: LiveConfig  # the program's configuration; `config` reads it now
    clock: Clock
    tokens: TokenIssuer
    audit: Audit
    clients: ClientStore
    directory: DirectoryStore
    links: PlanLinks
    sending: PlanSending
    redis: aioredis.Redis  # the coaching pages attached to a caregiver (sidecar/coaching)

    @property
    def config(self) -> ProgramConfig:
        return self.live.current

    def now_ms(self) -> int:
        return int(self.clock.now() * 1000)


PLAN: web.AppKey[PlanDeps] = web.AppKey("plan", PlanDeps)
