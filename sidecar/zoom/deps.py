"""What the Zoom routes use, wired in ``sidecar/services.py``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import redis.asyncio as aioredis
from aiohttp import web

from plugins.base import AppContextReader
from sidecar.checkin.code_store import CodeStore
from sidecar.checkin.sms import CodeTexter
from sidecar.checkin.store import CheckInLinks
from sidecar.infra.audit import Audit
from sidecar.infra.auth import TokenIssuer
from sidecar.infra.clock import Clock
from sidecar.infra.config import ProgramConfig
from sidecar.infra.config_store import LiveConfig
from sidecar.infra.sessions import SessionStore
from sidecar.presence.meetings import MeetingStore
from sidecar.records.clients import ClientStore


@dataclass(frozen=True)
class ZoomDeps:
    live: LiveConfig  # the program's configuration; `config` reads it now
    clock: Clock
    tokens: TokenIssuer
    audit: Audit
    redis: aioredis.Redis
    meetings: MeetingStore
    clients: ClientStore
    links: CheckInLinks
    codes: CodeStore  # one-time check-in codes (hashed)
    code_texter: CodeTexter  # texts a code through the dialer port
    app_context: AppContextReader | None  # None: the Zoom App's credentials are not set
    sdk_module: Callable[[], str | None]  # @zoom/appssdk's ES module, once npm installed it
    sessions: SessionStore  # a staff member's app context becomes a session cookie

    @property
    def config(self) -> ProgramConfig:
        return self.live.current


ZOOM: web.AppKey[ZoomDeps] = web.AppKey("zoom", ZoomDeps)
