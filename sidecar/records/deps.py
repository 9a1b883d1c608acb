"""What the admin routes for records use, wired in ``sidecar/services.py``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import redis.asyncio as aioredis
from aiohttp import web

from sidecar.infra.auth import TokenIssuer
from sidecar.infra.clock import Clock
from sidecar.infra.config import ProgramConfig
from sidecar.infra.config_store import ConfigStore, LiveConfig
from sidecar.infra.revocations import Revocations
from sidecar.records.clients import ClientStore
from sidecar.records.directory import DirectoryStore
from sidecar.records.model import ClientRecord

# told of every record saved through the admin API: (as stored before, as saved); the plan
# links re-send after a plan review through it (sidecar/plan/sending.py)
SavedHook = Callable[[ClientRecord | None, ClientRecord], Awaitable[None]]


async def _nothing(stored: ClientRecord | None, saved: ClientRecord) -> None:
    return None


@dataclass(frozen=True)
class RecordsDeps:
    live: LiveConfig  # the program's configuration; `config` reads it now
    clock: Clock
    tokens: TokenIssuer
    redis: aioredis.Redis
    clients: ClientStore
    directory: DirectoryStore
    config_store: ConfigStore  # the configuration's documents, saved from the admin page
    revocations: Revocations  # a person disabled on the staff list is signed out at once
    after_save: SavedHook = _nothing

    @property
    def config(self) -> ProgramConfig:
        return self.live.current


RECORDS: web.AppKey[RecordsDeps] = web.AppKey("records", RecordsDeps)
