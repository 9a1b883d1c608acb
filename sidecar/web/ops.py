"""Operations: liveness, readiness, Prometheus metrics, the API's OpenAPI document."""

from __future__ import annotations

import hmac

import redis.asyncio as aioredis
from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from sidecar.infra.access import public, rule
from sidecar.infra.apidoc import TEXT, described
from sidecar.infra.source import source
from sidecar.web import answers
from sidecar.web.deps import WEB
from sidecar.web.openapi import document

routes = web.RouteTableDef()
LOOPBACK = ("127.0.0.1", "::1")


@routes.get("/healthz")
@rule(public("liveness, no data"))
@described(answer=answers.Alive)
async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"ok": True})


@routes.get("/readyz")
@rule(public("readiness, no data"))
@described(also=(503,), answer=answers.Readiness, answers={503: answers.Readiness})
async def readyz(request: web.Request) -> web.Response:
    t = request.app[WEB]
    try:
        redis_ok = bool(await t.redis.ping())
    except (aioredis.RedisError, OSError):
        redis_ok = False
    checks = {"redis": redis_ok, "workers": t.alive(), "telephony": t.telephony_ready,
              "public_url": t.public_url_problem is None}
    problems = [t.public_url_problem] if t.public_url_problem else []
    return web.json_response({"ready": all(checks.values()), "checks": checks,
                              "problems": problems, "worker": t.worker_id},
                             status=200 if all(checks.values()) else 503)


@routes.get("/metrics")
@rule(public("counters without PHI, for the operators' scraper: TETHER_METRICS_TOKEN, or "
             "only from this machine when none is set"))
@described(answer=TEXT, also=(401, 403))
async def metrics(request: web.Request) -> web.Response:
    t = request.app[WEB]
    if t.metrics_token:
        sent = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(sent.encode(), t.metrics_token.encode()):
            await t.audit.record("-", "auth.refused:metrics", "scraper secret missing or wrong")
            raise web.HTTPUnauthorized(text="the metrics need the scraper's bearer secret "
                                       "(TETHER_METRICS_TOKEN)")
    elif source(request) not in LOOPBACK:
        raise web.HTTPForbidden(text="the metrics are served only on this machine unless "
                                "TETHER_METRICS_TOKEN is set for a scraper")
    body = generate_latest(t.metrics.registry)
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})


@routes.get("/openapi.json")
@rule(public("the API's shape only (paths, parameters, body schemas), no data"))
@described(answer=answers.OpenApiDocument)
async def openapi(request: web.Request) -> web.Response:
    """This API as an OpenAPI 3.1 document, built from the routes this server serves."""
    return web.json_response(document(request.app))
