"""1:1 triage: the lead takes one client into a breakout room with a neutral name (every
participant sees room names), the co-facilitator keeps the group. The platform moves
happen in the lead's panel through its bridge; this records them and tells the others."""

from __future__ import annotations

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sidecar.incidents import answers
from sidecar.incidents.deps import INCIDENTS
from sidecar.infra.access import in_meeting, principal, rule
from sidecar.infra.apidoc import described
from sidecar.infra.timeline import entry

routes = web.RouteTableDef()
SECURE_THE_GROUP = (
    "Let the group know a facilitator stepped out to check in with someone, without "
    "naming them. Keep the group on its current exercise; do not discuss who left. If "
    "anyone is worried, say the team is taking care of it.")


class TriageBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    participant: str = Field(min_length=1, max_length=200)
    phase: str = Field(pattern="^(started|moved|ended|failed)$")
    detail: str = Field(default="", max_length=300)


async def _body(request: web.Request) -> TriageBody:
    try:
        return TriageBody.model_validate_json(await request.read())
    except ValidationError as exc:
        raise web.HTTPBadRequest(text=f"{exc.error_count()} problem(s) with the body") from exc


@routes.post("/api/meetings/{meeting}/triage")
@rule(in_meeting())
@described(TriageBody, answer=answers.TriageRoom)
async def triage(request: web.Request) -> web.Response:
    """Phases: started (returns the neutral room name), moved, ended, failed."""
    t = request.app[INCIDENTS]
    who = principal(request)
    m = request.match_info["meeting"]
    if not await t.meetings.meta(m):
        raise web.HTTPNotFound(text="no such meeting (yet)")
    body = await _body(request)
    meta = await t.meetings.meta(m)
    room = meta.get("triage_room_name") or "Breakout Room 1"
    now = int(t.clock.now() * 1000)
    extra = {"script": SECURE_THE_GROUP} if body.phase == "started" else {}
    await t.meetings.append(m, entry(f"triage.{body.phase}", now, participant=body.participant,
                                     by=who.staff_id, room_name=room, detail=body.detail,
                                     **extra))
    await t.audit.record(who.staff_id, f"triage.{body.phase}", m)
    return web.json_response({"room_name": room})
