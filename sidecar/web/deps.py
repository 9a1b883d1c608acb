"""What the pages and the operations routes use, wired in ``sidecar/services.py``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import redis.asyncio as aioredis
from aiohttp import web

from sidecar.infra.audit import Audit
from sidecar.infra.metrics import Metrics


@dataclass(frozen=True)
class WebDeps:
    redis: aioredis.Redis
    metrics: Metrics
    audit: Audit  # a refused scraper secret is on the record
    worker_id: str
    telephony_ready: bool
    alive: Callable[[], bool]  # every background task of this process still running
    public_url_problem: str | None  # why the provider could not call us back (None: fine)
    zoom_bridge: Callable[[], str]  # the Zoom plugin's panel bridge
    metrics_token: str = ""  # the scraper's bearer secret ("" : loopback only)


WEB: web.AppKey[WebDeps] = web.AppKey("web", WebDeps)
