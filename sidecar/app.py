"""The app factory: every resource opened and closed in ``cleanup_ctx``."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
from aiohttp import web
from prometheus_client import Counter

from sidecar.attendance import routes as attendance_routes
from sidecar.callbacks import routes as callback_routes
from sidecar.callbacks import sms_routes, telephony_routes
from sidecar.checkin import routes as checkin_routes
from sidecar.coaching import attach_routes as coaching_attach_routes
from sidecar.coaching import routes as coaching_routes
from sidecar.fhir import routes as fhir_routes
from sidecar.incidents import (
    calming_routes,
    contact_routes,
    people_routes,
    proactive_routes,
    stats_routes,
    triage_routes,
)
from sidecar.incidents import routes as incident_routes
from sidecar.infra import access
from sidecar.infra.apidoc import JSON, described
from sidecar.infra.clock import Clock, SystemClock
from sidecar.infra.config import ProgramConfig
from sidecar.infra.config_store import ConfigFollower
from sidecar.infra.crypto import FieldCipher
from sidecar.infra.keyring_file import keyring_path
from sidecar.infra.keyring_follower import KeyringFollower
from sidecar.infra.metrics import Metrics
from sidecar.infra.settings import Settings
from sidecar.infra.source import TRUSTED_PROXIES, Proxies
from sidecar.infra.stopping import STOPPING, cancel_and_wait
from sidecar.jitsi import console_routes, join_routes
from sidecar.panel import routes as panel_routes
from sidecar.plan import routes as plan_routes
from sidecar.presence import routes as presence_routes
from sidecar.records import config_routes, import_routes
from sidecar.records import routes as records_routes
from sidecar.registry import webhook_adapters
from sidecar.services import Tether, build, data_key, open_store, wire
from sidecar.signin import breakglass_routes, login_routes, session_routes
from sidecar.web import ops, pages
from sidecar.web.answers import Delivery
from sidecar.zoom import app_routes, recording_routes
from sidecar.zoom import checkin_routes as zoom_checkin_routes
from sidecar.zoom import code_routes as zoom_code_routes
from webhooks import WebhookEdge

logger = logging.getLogger(__name__)
TASKS_GRACE_S = 4.0  # background tasks' time to stop, within ``tether serve``'s bound
# The collector's thresholds once started: a young collection after 50,000 new objects,
# not CPython's 700. A burst of 1,000 dials allocates about 80 objects per dial and, at
# 700, ran the collector about 120 times, 15 % of its CPU; cycles still go within a
# few seconds of busy work (a few MB at most wait for it).
GC_THRESHOLDS = (50_000, 20, 10)


class EdgeMetrics:
    """The webhook edge's observer, backed by our Prometheus metrics."""

    def __init__(self, metrics: Metrics) -> None:
        self.m = metrics
        self._accepted: dict[tuple[str, str], Counter] = {}  # a counter per platform and type

    def accepted(self, platform: str, event_type: str) -> None:
        counter = self._accepted.get((platform, event_type))
        if counter is None:
            counter = self._accepted[platform, event_type] = self.m.events.labels(
                platform, event_type)
        counter.inc()

    def rejected(self, platform: str, reason: str) -> None:
        self.m.rejected.labels(platform, reason).inc()

    def ignored(self, platform: str, event: str) -> None:
        self.m.unknown_events.labels(platform, event).inc()

    def spooled(self, platform: str, count: int) -> None:
        self.m.spooled.labels(platform).inc(count)


def _edge(t: Tether) -> WebhookEdge:
    return WebhookEdge(webhook_adapters(t.settings, t.config.program.time_zone),
                       t.inbox.accept, t.clock.now,
                       Path(t.settings.tether_data_dir) / "spool", EdgeMetrics(t.metrics),
                       t.inbox.sealer)


def _reseal_spool(edge: WebhookEdge, cipher: FieldCipher) -> None:
    """After a key rotation: this replica's spooled events sealed with the new key."""
    moved = edge.spool.reseal(lambda line: cipher.reseal_all(line)[0])
    if moved:
        logger.info("spool: %s line(s) sealed with the new key", moved)


async def _run_services(t: Tether, edge: WebhookEdge, workers: bool) -> None:
    """The edge's spool replay always runs; the workers (job engine, inbox applier,
    auditor) can be left to other replicas (``tether serve --no-workers``)."""
    t.tasks.append(asyncio.create_task(edge.replay_forever(), name="spool-replay"))
    # every replica holds open event streams, so every replica hears of ended sessions
    t.tasks.append(asyncio.create_task(t.revocations.listen_forever(), name="revocations"))
    # every replica runs on the configuration admins save, within a second of the save
    t.tasks.append(asyncio.create_task(
        ConfigFollower(t.config_store, t.live).follow_forever(), name="config-follower"))
    if not workers:
        return
    await t.engine.ensure_scripts()
    await t.applier.ensure_group()
    for name, coro in (("jobs", t.engine.run_forever()), ("applier", t.applier.run_forever()),
                       ("auditor", t.audit_forever())):
        t.tasks.append(asyncio.create_task(coro, name=name))


def create_app(settings: Settings, config: ProgramConfig, clock: Clock | None = None,
               *, run_workers: bool = True, config_source: str = "the program file"
               ) -> web.Application:
    """``config`` seeds an empty store; once the store has a configuration, the store's
    (what admins save in the browser) is the one that runs."""
    app = web.Application(client_max_size=1024 * 1024,
                          middlewares=[pages.security_headers, access.enforce])
    edge_holder: list[WebhookEdge] = []

    async def lifecycle(app: web.Application) -> AsyncIterator[None]:
        async with open_store(settings) as (redis, embedded), \
                httpx.AsyncClient(timeout=config.telephony.request_timeout_seconds) as http:
            t = build(settings, config, clock or SystemClock(), redis,
                      data_key(settings, embedded), http)
            await t.load_config(config_source)
            wire(app, t)
            edge = _edge(t)
            edge_holder.append(edge)
            await _run_services(t, edge, run_workers)
            # every replica reloads its keyring when a rotation names a new key
            t.tasks.append(asyncio.create_task(KeyringFollower(
                redis, t.keyring, keyring_path(settings, embedded), t.worker_id,
                lambda: _reseal_spool(edge, t.cipher)).follow_forever(),
                name="keyring-follower"))
            gc.collect()
            gc.freeze()  # long-lived startup objects out of the collector's way (p99)
            gc.set_threshold(*GC_THRESHOLDS)
            logger.info("tether ready worker=%s workers=%s program=%s", t.worker_id,
                        run_workers, t.config.program.name)
            yield
            await cancel_and_wait(t.tasks, TASKS_GRACE_S, "shutdown")
            await t.dialer.aclose()

    async def end_streams(app: web.Application) -> None:
        """Shutdown begins: open event streams end now, not when the server gives up on
        them (a panel reconnects, to another replica, from its last event)."""
        app[STOPPING].set()

    @access.rule(access.public("the platform's webhook signature, checked by its adapter"))
    @described(JSON, also=(404, 413), answer=Delivery)
    async def webhook(request: web.Request) -> web.StreamResponse:
        return await edge_holder[0].handle(request)

    app[STOPPING] = asyncio.Event()
    app[TRUSTED_PROXIES] = Proxies.parse(settings.tether_trusted_proxies)
    app.on_shutdown.append(end_streams)
    app.cleanup_ctx.append(lifecycle)
    app.router.add_post("/webhooks/{platform:(zoom|jitsi)}", webhook)
    for table in (ops.routes, pages.routes, presence_routes.routes, panel_routes.routes,
                  callback_routes.routes, telephony_routes.routes, sms_routes.routes,
                  records_routes.routes, config_routes.routes, import_routes.routes,
                  checkin_routes.routes, app_routes.routes, zoom_checkin_routes.routes,
                  zoom_code_routes.routes, recording_routes.routes, incident_routes.routes,
                  contact_routes.routes, people_routes.routes,
                  stats_routes.routes, triage_routes.routes, console_routes.routes,
                  join_routes.routes, session_routes.routes, login_routes.routes,
                  breakglass_routes.routes, fhir_routes.routes, attendance_routes.routes,
                  proactive_routes.routes, coaching_routes.routes,
                  coaching_attach_routes.routes, plan_routes.routes, calming_routes.routes):
        app.add_routes(table)
    return app
