"""What the sign-in routes use, wired in ``sidecar/services.py``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import redis.asyncio as aioredis
from aiohttp import web

from sidecar.infra.audit import Audit
from sidecar.infra.breakglass import BreakGlass
from sidecar.infra.clock import Clock
from sidecar.infra.config import ProgramConfig
from sidecar.infra.config_store import LiveConfig
from sidecar.infra.revocations import Revocations
from sidecar.infra.sessions import SessionStore
from sidecar.infra.telephony.port import Dialer
from sidecar.records.clients import ClientStore
from sidecar.records.oncall import local_time
from sidecar.signin.oidc import OidcClient


@dataclass(frozen=True)
class SigninDeps:
    live: LiveConfig  # the program's configuration; `config` reads it now
    clock: Clock
    redis: aioredis.Redis
    audit: Audit
    sessions: SessionStore
    revocations: Revocations
    breakglass: BreakGlass
    dialer: Dialer  # texts the clinical lead of a break-glass opening
    clients: ClientStore  # names for the admin page's list of break-glass openings
    oidc: OidcClient | None  # None: no identity provider is configured
    incident_client: Callable[[str], Awaitable[str | None]]  # whose incident it is

    @property
    def config(self) -> ProgramConfig:
        return self.live.current

    def now_ms(self) -> int:
        return int(self.clock.now() * 1000)

    def clock_text(self, ms: int) -> str:
        """"2:05 PM" in the program's time zone."""
        return local_time(self.config, ms).strftime("%I:%M %p").lstrip("0")

    async def client_names(self, ids: set[str], actor: str) -> dict[str, str]:
        names = {}
        for client in sorted(ids):
            record = await self.clients.get(client, actor=actor, purpose="break-glass-list")
            if record is not None:
                names[client] = record.name
        return names


SIGNIN: web.AppKey[SigninDeps] = web.AppKey("signin", SigninDeps)
