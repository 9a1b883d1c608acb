"""The Zoom App's entry: the Home URL, and the exchange of an app context for a short
panel session. Zoom vouches for the user (``uid``); the program's configuration says
which staff member that is."""

from __future__ import annotations

import json
from html import escape
from importlib import resources

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from plugins.base import PanelContext, PanelContextError
from sidecar.checkin.page import form_html
from sidecar.infra.access import public, rule
from sidecar.infra.apidoc import HTML, SCRIPT, described
from sidecar.infra.sessions import Via, begin
from sidecar.zoom import answers
from sidecar.zoom.deps import ZOOM, ZoomDeps

routes = web.RouteTableDef()


class SessionBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    context: str = Field(min_length=1, max_length=4096)


def context_of(t: ZoomDeps, header: str) -> PanelContext:
    if t.app_context is None:
        raise PanelContextError("the Zoom App is not configured on this server "
                                "(ZOOM_APP_CLIENT_ID, ZOOM_APP_CLIENT_SECRET)")
    return t.app_context(header, int(t.clock.now() * 1000))


def _refusal(reason: str) -> web.Response:
    page = ("<!doctype html><meta charset=utf-8><title>Tether</title><main><h1>Tether could "
            f"not open</h1><p>{escape(reason)}.</p><p>Open Tether again from the Apps menu. "
            "If this keeps happening: clinicians, ask your program admin to check Tether's "
            "Zoom App settings; clients, tell your care team, who can text you a check-in "
            "link.</p></main>")
    return web.Response(text=page, status=403, content_type="text/html")


PANEL_APP = '<script type="module" src="/static/panel/app.js"></script>'


@routes.get("/zoom/home")
@rule(public("Zoom's encrypted app context"))
@described(also=(403,), answer=HTML)
async def home(request: web.Request) -> web.Response:
    """Zoom loads this inside the client with ``x-zoom-app-context``."""
    t = request.app[ZOOM]
    try:
        ctx = context_of(t, request.headers.get("x-zoom-app-context", ""))
    except PanelContextError as exc:
        return _refusal(str(exc))
    staff = t.config.staff_by_zoom_uid(ctx.user)
    bridge = ('<script type="module" src="/zoom/appssdk.js"></script>'
              '<script src="/zoom/bridge.js"></script>')
    # Staff get the panel; anyone else in the meeting is a client (or a guest): they get
    # the check-in form, which asks who they are before it shows or takes anything.
    page_name, tag = (("panel.html", PANEL_APP) if staff is not None
                      else ("checkin.html", '<script src="/static/checkin.js"></script>'))
    page = (form_html(t.config) if staff is None
            else (resources.files("sidecar.web") / "static" / page_name).read_text("utf-8"))
    return web.Response(text=page.replace(tag, bridge + tag), content_type="text/html")


@routes.get("/zoom/appssdk.es.js")
@rule(public("static script, no data"))
@described(also=(404,), answer=SCRIPT)
async def appssdk_module(request: web.Request) -> web.Response:
    """The @zoom/appssdk browser module (npm), served from our own origin."""
    module = request.app[ZOOM].sdk_module()
    if module is None:
        raise web.HTTPNotFound(text="@zoom/appssdk is not installed: npm ci --prefix plugins/zoom")
    return web.Response(text=module, content_type="application/javascript")


@routes.get("/zoom/appssdk.js")
@rule(public("static script, no data"))
@described(answer=SCRIPT)
async def appssdk(request: web.Request) -> web.Response:
    """A module that puts the SDK where the bridge looks for it (``window.zoomSdk``)."""
    if request.app[ZOOM].sdk_module() is None:
        shim = 'console.warn("@zoom/appssdk is not installed: npm ci --prefix plugins/zoom");'
    else:
        shim = 'import zoomSdk from "/zoom/appssdk.es.js"; window.zoomSdk ??= zoomSdk;'
    return web.Response(text=shim, content_type="application/javascript")


@routes.post("/api/zoom/session")
@rule(public("Zoom's encrypted app context"))
@described(SessionBody, also=(403,), answer=answers.StaffSession)
async def session(request: web.Request) -> web.Response:
    """Body ``{"context": <zoomSdk.getAppContext().context>}`` -> a session cookie (and the
    CSRF token the panel sends back)."""
    t = request.app[ZOOM]
    try:
        body = SessionBody.model_validate_json(await request.read())
        ctx = context_of(t, body.context)
    except ValidationError as exc:
        return web.json_response({"error": f"{exc.error_count()} problem(s) with the body"},
                                 status=400)
    except PanelContextError as exc:
        return web.json_response({"error": str(exc)}, status=403)
    staff = t.config.staff_by_zoom_uid(ctx.user)
    if staff is None or not staff.active:
        return web.json_response(
            {"error": "your Zoom account is not on this program's staff list"
             if staff is None else "your access is turned off: ask your program admin"},
            status=403)
    started = await begin(t.sessions, t.audit, request, staff.id, Via.ZOOM,
                          int(t.clock.now() * 1000))
    response = web.json_response(
        {"csrf": started.session.csrf, "staff": staff.id, "name": staff.name,
         "roles": [r.value for r in staff.roles], "meeting": ctx.meeting,
         "zoom_role": ctx.role, "ends_at": started.session.ends_ms},
        dumps=json.dumps, headers={"Cache-Control": "no-store"})
    started.attach(response)
    return response
