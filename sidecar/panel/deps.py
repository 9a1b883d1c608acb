"""What the panel's cross-capability views use, wired in ``sidecar/services.py``."""

from __future__ import annotations

from dataclasses import dataclass

import redis.asyncio as aioredis
from aiohttp import web

from sidecar.checkin.store import CheckInStore
from sidecar.infra.auth import TokenIssuer
from sidecar.infra.clock import Clock
from sidecar.infra.config import ProgramConfig
from sidecar.infra.config_store import LiveConfig
from sidecar.presence.meetings import MeetingStore
from sidecar.records.clients import ClientStore
from sidecar.records.directory import DirectoryStore


@dataclass(frozen=True)
class PanelDeps:
    live: LiveConfig  # the program's configuration; `config` reads it now
    clock: Clock
    tokens: TokenIssuer
    redis: aioredis.Redis
    meetings: MeetingStore
    clients: ClientStore
    checkins: CheckInStore
    directory: DirectoryStore  # whom to call for an address, on the dispatch card

    @property
    def config(self) -> ProgramConfig:
        return self.live.current


PANEL: web.AppKey[PanelDeps] = web.AppKey("panel", PanelDeps)
