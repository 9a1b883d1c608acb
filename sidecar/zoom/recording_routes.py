"""The host's panel stopped (or failed to stop) a cloud recording through the SDK: the
outcome goes on the timeline beside the server-side guard's."""

from __future__ import annotations

from typing import Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sidecar.infra.access import in_meeting, principal, rule
from sidecar.infra.apidoc import described
from sidecar.infra.timeline import entry
from sidecar.zoom import answers
from sidecar.zoom.deps import ZOOM

routes = web.RouteTableDef()


class PanelStop(BaseModel):
    model_config = ConfigDict(extra="forbid")
    outcome: Literal["stopped", "failed"]
    detail: str = Field(default="", max_length=300)


@routes.post("/api/meetings/{meeting}/recording")
@rule(in_meeting())
@described(PanelStop, answer=answers.Stopped)
async def panel_stop(request: web.Request) -> web.Response:
    t = request.app[ZOOM]
    who = principal(request)
    m = request.match_info["meeting"]
    if not await t.meetings.meta(m):
        raise web.HTTPNotFound(text="no such meeting (yet)")
    try:
        body = PanelStop.model_validate_json(await request.read())
    except ValidationError as exc:
        raise web.HTTPBadRequest(text=f"{exc.error_count()} problem(s) with the body") from exc
    kind = "recording.panel_stopped" if body.outcome == "stopped" else "recording.panel_failed"
    await t.meetings.append(m, entry(kind, int(t.clock.now() * 1000), by=who.staff_id,
                                     detail=body.detail))
    await t.audit.record(who.staff_id, kind, m)
    return web.json_response({"ok": True})
