"""Figures across incidents for admins: JSON, a CSV export without PHI, and a small page."""

from __future__ import annotations

from aiohttp import web

from sidecar.incidents import answers
from sidecar.incidents.deps import INCIDENTS, IncidentDeps
from sidecar.incidents.model import Incident
from sidecar.incidents.stats import csv_text, summary
from sidecar.infra import keys
from sidecar.infra.access import principal, rule, staff
from sidecar.infra.apidoc import CSV, described
from sidecar.infra.config import Role

routes = web.RouteTableDef()


async def _all(t: IncidentDeps, since_ms: int) -> list[Incident]:
    return [await t.incidents.get(i) for i in await t.incidents.ids(since_ms, limit=100_000)]


def _since(request: web.Request) -> int:
    try:
        return int(request.query.get("since_ms", "0"))
    except ValueError as exc:
        raise web.HTTPBadRequest(text="since_ms must be epoch milliseconds") from exc


@routes.get("/api/admin/incident-stats")
@rule(staff(Role.ADMIN, Role.PROGRAM_CLINICAL_LEAD))
@described(query=("since_ms",), answer=answers.Figures)
async def stats(request: web.Request) -> web.Response:
    t = request.app[INCIDENTS]
    who = principal(request)
    since = _since(request)
    dials = [int(f["ms"]) for _, f in await t.redis.xrange(keys.STATS_DIALS)
             if int(f["at"]) >= since]
    now = int(t.clock.now() * 1000)
    await t.audit.record(who.staff_id, "incidents.stats", "-")
    return web.json_response(summary(await _all(t, since), dials, now))


@routes.get("/api/admin/incidents.csv")
@rule(staff(Role.ADMIN, Role.PROGRAM_CLINICAL_LEAD))
@described(query=("since_ms",), answer=CSV)
async def export(request: web.Request) -> web.Response:
    t = request.app[INCIDENTS]
    who = principal(request)
    await t.audit.record(who.staff_id, "incidents.csv", "-")
    text = csv_text(await _all(t, _since(request)), int(t.clock.now() * 1000))
    return web.Response(text=text, content_type="text/csv", headers={
        "Content-Disposition": 'attachment; filename="tether-incidents.csv"'})
