"""The admin API: client records (stored encrypted)."""

from __future__ import annotations

import json

from aiohttp import web
from pydantic import ValidationError

from sidecar.appkeys import TETHER
from sidecar.config import Role
from sidecar.records import ClientFile

routes = web.RouteTableDef()


@routes.post("/api/admin/clients")
async def import_clients(request: web.Request) -> web.Response:
    t = request.app[TETHER]
    who = t.tokens.require(request, t.clock.now(), Role.ADMIN)
    try:
        parsed = ClientFile.model_validate_json(await request.read())
    except ValidationError as exc:
        problems = [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()]
        raise web.HTTPBadRequest(text=json.dumps({"errors": problems}),
                                 content_type="application/json") from exc
    for record in parsed.clients:
        await t.clients.put(record, actor=who.staff_id)
    return web.json_response({"imported": len(parsed.clients)})
