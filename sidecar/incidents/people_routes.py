"""Who an incident is about and who works on it, by name: what a page of its own needs for
its header and its task list (the panel knows these from its roster already)."""

from __future__ import annotations

from aiohttp import web

from sidecar.incidents import answers
from sidecar.incidents.routes import load, who
from sidecar.infra.access import on_incident, rule
from sidecar.infra.apidoc import described

routes = web.RouteTableDef()


@routes.get("/api/incidents/{incident}/people")
@rule(on_incident())
@described(answer=answers.IncidentPeople)
async def people(request: web.Request) -> web.Response:
    """The client's name (an audited read), the group's name, and every staff member's name
    by id, so nothing on screen shows an id."""
    t, me = who(request)
    incident = await load(t, request.match_info["incident"])
    record = await t.clients.get(incident.client, actor=me.staff_id,
                                 purpose=f"incident-page:{incident.id}")
    group = t.config.meeting_by_number(incident.meeting_number)
    return web.json_response({
        "incident": incident.id, "meeting": incident.meeting,
        "client": {"id": incident.client, "name": record.name if record else incident.client},
        "group": group.name if group else "",
        "staff": {s.id: s.name for s in t.config.staff}})
