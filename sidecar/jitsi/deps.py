"""What the Jitsi routes use, wired in ``sidecar/services.py``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from aiohttp import web

from sidecar.checkin.deps import CheckInDeps
from sidecar.checkin.store import CheckInLinks, CheckInStore
from sidecar.infra.audit import Audit
from sidecar.infra.auth import TokenIssuer
from sidecar.infra.clock import Clock
from sidecar.infra.config import ProgramConfig
from sidecar.infra.config_store import LiveConfig
from sidecar.infra.settings import Settings
from sidecar.jitsi.gate import JitsiGate, current_session
from sidecar.jitsi.heartbeats import Heartbeats
from sidecar.presence.inbox import Inbox
from sidecar.presence.ingest import Applier
from sidecar.presence.meetings import MeetingStore
from sidecar.records.clients import ClientStore


@dataclass(frozen=True)
class JitsiDeps:
    settings: Settings
    live: LiveConfig  # the program's configuration; `config` reads it now
    clock: Clock
    tokens: TokenIssuer
    audit: Audit
    inbox: Inbox
    meetings: MeetingStore
    applier: Applier
    clients: ClientStore
    checkins: CheckInStore
    links: CheckInLinks
    jitsi: JitsiGate  # join links' tokens
    heartbeats: Heartbeats  # join pages' heartbeats
    checkin: CheckInDeps  # join links are texted as check-in links are
    bridge_script: Callable[[], str]  # the plugin's console bridge

    @property
    def config(self) -> ProgramConfig:
        return self.live.current

    async def jitsi_moderator_token(self, room: str, staff_id: str) -> str | None:
        """A moderator join token for today's session of ``room`` (None: no key set)."""
        staff = self.config.staff_by_id(staff_id)
        now = self.clock.now()
        meeting = await current_session(self.meetings, room, now,
                                        self.config.program.time_zone)
        grant = await self.jitsi.grant(f"staff:{staff_id}", room, meeting,
                                       staff.name if staff else staff_id, now=now,
                                       purpose="console")
        return grant.jwt


JITSI: web.AppKey[JitsiDeps] = web.AppKey("jitsi", JitsiDeps)
