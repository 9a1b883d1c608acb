"""What the check-in routes use, wired in ``sidecar/services.py``."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from sidecar.checkin.store import CheckInLinks, CheckInStore
from sidecar.infra.audit import Audit
from sidecar.infra.auth import TokenIssuer
from sidecar.infra.clock import Clock
from sidecar.infra.config import ProgramConfig
from sidecar.infra.config_store import LiveConfig
from sidecar.infra.settings import Settings
from sidecar.infra.telephony import Dialer
from sidecar.presence.ingest import Applier
from sidecar.presence.meetings import MeetingStore
from sidecar.records.clients import ClientStore


@dataclass(frozen=True)
class CheckInDeps:
    settings: Settings
    live: LiveConfig  # the program's configuration; `config` reads it now
    clock: Clock
    tokens: TokenIssuer
    audit: Audit
    meetings: MeetingStore
    applier: Applier
    clients: ClientStore
    checkins: CheckInStore
    links: CheckInLinks
    dialer: Dialer

    @property
    def config(self) -> ProgramConfig:
        return self.live.current


CHECKIN: web.AppKey[CheckInDeps] = web.AppKey("checkin", CheckInDeps)
