"""What the incident routes use, wired in ``sidecar/services.py``."""

from __future__ import annotations

from dataclasses import dataclass

import redis.asyncio as aioredis
from aiohttp import web

from sidecar.checkin.store import CheckInStore
from sidecar.incidents.agreement_store import AgreementStore
from sidecar.incidents.store import IncidentStore
from sidecar.infra.audit import Audit
from sidecar.infra.auth import TokenIssuer
from sidecar.infra.clock import Clock
from sidecar.infra.config import ProgramConfig
from sidecar.infra.config_store import LiveConfig
from sidecar.infra.jobs import JobEngine
from sidecar.infra.metrics import Metrics
from sidecar.presence.meetings import MeetingStore
from sidecar.records.clients import ClientStore
from sidecar.records.directory import DirectoryStore


@dataclass(frozen=True)
class IncidentDeps:
    live: LiveConfig  # the program's configuration; `config` reads it now
    clock: Clock
    tokens: TokenIssuer
    audit: Audit
    redis: aioredis.Redis
    metrics: Metrics
    engine: JobEngine
    meetings: MeetingStore
    clients: ClientStore
    checkins: CheckInStore
    directory: DirectoryStore
    incidents: IncidentStore
    agreements: AgreementStore  # harm-reduction agreements (calming_routes.py)

    @property
    def config(self) -> ProgramConfig:
        return self.live.current


INCIDENTS: web.AppKey[IncidentDeps] = web.AppKey("incidents", IncidentDeps)
