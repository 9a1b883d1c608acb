"""What the admin routes for records use, wired in ``sidecar/services.py``."""

from __future__ import annotations

from dataclasses import dataclass

import redis.asyncio as aioredis
from aiohttp import web

from sidecar.infra.auth import TokenIssuer
from sidecar.infra.clock import Clock
from sidecar.infra.config import ProgramConfig
from sidecar.records.clients import ClientStore
from sidecar.records.directory import DirectoryStore


@dataclass(frozen=True)
class RecordsDeps:
    config: ProgramConfig
    clock: Clock
    tokens: TokenIssuer
    redis: aioredis.Redis
    clients: ClientStore
    directory: DirectoryStore


RECORDS: web.AppKey[RecordsDeps] = web.AppKey("records", RecordsDeps)
