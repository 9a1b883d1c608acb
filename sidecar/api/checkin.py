"""Client check-in over HTTP: the signed link, the form page, the submission."""

from __future__ import annotations

import json
from importlib import resources

from aiohttp import web
from pydantic import ValidationError

from sidecar.appkeys import TETHER
from sidecar.checkin import CheckIn, CheckInBody, LinkError
from sidecar.config import Role
from sidecar.services import Tether
from sidecar.timeline import entry

routes = web.RouteTableDef()
LINK_TTL_MS = 3 * 3600 * 1000
CLINICAL = (Role.LEAD, Role.CO_FACILITATOR, Role.ON_CALL)
_STATIC = resources.files("sidecar") / "static"


async def _expected(t: Tether, meeting: str, client: str) -> None:
    meta = await t.meetings.meta(meeting)
    cfg = t.config.meeting_by_number(meta.get("number", ""))
    if cfg is None or client not in cfg.expected_clients:
        raise web.HTTPNotFound(text="this client is not part of this meeting")


@routes.post("/api/meetings/{meeting}/clients/{client}/checkin-link")
async def make_link(request: web.Request) -> web.Response:
    """A clinician sends a client the form by SMS or chat: a signed, expiring link."""
    t = request.app[TETHER]
    who = t.tokens.require(request, t.clock.now(), *CLINICAL)
    m, client = request.match_info["meeting"], request.match_info["client"]
    await _expected(t, m, client)
    expires = int(t.clock.now() * 1000) + LINK_TTL_MS
    token = t.links.issue(m, client, expires)
    await t.audit.record(who.staff_id, "checkin.link", client)
    base = t.settings.tether_public_url.rstrip("/")
    return web.json_response({"url": f"{base}/checkin?t={token}", "expires_at": expires})


def _link(request: web.Request) -> tuple[str, str]:
    t = request.app[TETHER]
    try:
        return t.links.open(request.query.get("t", ""), int(t.clock.now() * 1000))
    except LinkError as exc:
        raise web.HTTPForbidden(text=json.dumps({"error": str(exc)}),
                                content_type="application/json") from exc


@routes.get("/checkin")
async def form_page(request: web.Request) -> web.Response:
    try:
        _link(request)
    except web.HTTPForbidden as exc:
        reason = json.loads(exc.text or "{}").get("error", "this link is not valid")
        page = ("<!doctype html><meta charset=utf-8><title>Check-in link</title>"
                f"<p>Sorry: {reason}.</p>")
        return web.Response(text=page, status=403, content_type="text/html")
    return web.Response(text=(_STATIC / "checkin.html").read_text(encoding="utf-8"),
                        content_type="text/html")


@routes.post("/api/checkin")
async def submit(request: web.Request) -> web.Response:
    t = request.app[TETHER]
    meeting, client = _link(request)
    try:
        body = CheckInBody.model_validate_json(await request.read())
    except ValidationError as exc:
        errors = [{"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]}
                  for e in exc.errors()]
        return web.json_response({"errors": errors}, status=400)
    now = int(t.clock.now() * 1000)
    await t.checkins.put(meeting, CheckIn(client=client, at_ms=now, **body.model_dump()))
    await t.meetings.append(meeting, entry("checkin.submitted", now, client=client,
                                           emergency_contact_ok=body.emergency_contact_ok))
    await t.audit.record(f"client:{client}", "checkin.submit", meeting)
    return web.json_response({"ok": True, "checked_in_at": now})
