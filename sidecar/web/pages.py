"""Pages served to browsers (the panel, static assets) and the headers Zoom requires."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from aiohttp import web
from aiohttp.typedefs import Handler

from sidecar.infra.access import public, rule
from sidecar.infra.apidoc import HTML, SCRIPT, STYLE, described
from sidecar.infra.source import over_tls
from sidecar.web.deps import WEB

routes = web.RouteTableDef()
STATIC = resources.files("sidecar.web") / "static"
VENDOR = Path(str(resources.files("sidecar.web"))) / "node_modules"  # npm ci --prefix sidecar/web


@routes.get("/panel")
@rule(public("a page: its data comes from the API, for the signed-in person"))
@described(answer=HTML)
async def panel_page(request: web.Request) -> web.Response:
    """The clinicians' panel outside Zoom (``/panel#meeting=<id>``); no data in the page."""
    return web.Response(text=(STATIC / "panel.html").read_text(encoding="utf-8"),
                        content_type="text/html")


@routes.get("/static/vendor/preact-htm.js")
@rule(public("a library from npm, no data"))
@described(also=(503,), answer=SCRIPT)
async def preact_htm(request: web.Request) -> web.Response:
    """Preact with htm and hooks, one ES module with no imports (npm's ``htm``), served
    from our origin so the pages' CSP stays ``script-src 'self'``."""
    module = VENDOR / "htm" / "preact" / "standalone.module.js"
    if not module.is_file():
        raise web.HTTPServiceUnavailable(text="the pages' library is not installed: "
                                         "npm ci --prefix sidecar/web")
    return web.Response(text=module.read_text(encoding="utf-8"),
                        content_type="application/javascript",
                        headers={"Cache-Control": "public, max-age=3600"})


@routes.get("/static/{name:[a-z][a-z0-9-]*(/[a-z][a-z0-9-]*)?\\.(js|css)}")
@rule(public("static files, no data"))
@described(answer=(SCRIPT, STYLE))
async def static(request: web.Request) -> web.Response:
    """Our scripts and styles (a name and at most one folder: nothing else is reachable)."""
    name = request.match_info["name"]
    path = STATIC.joinpath(*name.split("/"))
    if not path.is_file():
        raise web.HTTPNotFound(text="no such file")
    kind = "application/javascript" if name.endswith(".js") else "text/css"
    return web.Response(text=path.read_text(encoding="utf-8"), content_type=kind)


@routes.get("/grounding")
@rule(public("a page with no data: the exercise is in the address's hash"))
@described(answer=HTML)
async def grounding_page(request: web.Request) -> web.Response:
    """The paced grounding timer alone (``/grounding#t=...&r=4&s=Breathe in~4...``), large,
    for the lead to share on screen: no client's name, nothing from the store."""
    return web.Response(text=(STATIC / "grounding.html").read_text(encoding="utf-8"),
                        content_type="text/html")


@routes.get("/incidents/{incident}")
@rule(public("a page: its data comes from the API, for the signed-in person"))
@described(answer=HTML)
async def incident_page(request: web.Request) -> web.Response:
    """One incident on a page of its own (an on-call clinician outside the meeting): the
    safety check, the emergency view, closing and follow-ups, live from the meeting's
    stream. No data in the page."""
    return web.Response(text=(STATIC / "incident.html").read_text(encoding="utf-8"),
                        content_type="text/html")


@routes.get("/incidents/{incident}/report")
@rule(public("a page: its data comes from the API, for the signed-in person"))
@described(answer=HTML)
async def incident_report(request: web.Request) -> web.Response:
    """A printable incident report; the page reads the JSON export with the session."""
    return web.Response(text=(STATIC / "report.html").read_text(encoding="utf-8"),
                        content_type="text/html")


@routes.get("/admin")
@rule(public("a page: its data comes from the API, for the signed-in person"))
@described(answer=HTML)
async def admin_page(request: web.Request) -> web.Response:
    """The admin page (clients, locale directory, on call, break-glass openings)."""
    return web.Response(text=(STATIC / "admin.html").read_text(encoding="utf-8"),
                        content_type="text/html")


@routes.get("/zoom/bridge.js")
@rule(public("static script, no data"))
@described(answer=SCRIPT)
async def zoom_bridge(request: web.Request) -> web.Response:
    """The Zoom Apps SDK bridge (plugins/zoom/static), served beside the panel."""
    return web.Response(text=request.app[WEB].zoom_bridge(), content_type="application/javascript")


@web.middleware
async def security_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    """The headers Zoom requires of an app's pages, on every answer; API answers (they may
    carry PHI) are never stored by a browser or a proxy unless a route says otherwise."""
    response: web.StreamResponse = await handler(request)
    if request.path.startswith(MACHINE_PATHS):  # read by a platform's servers, no browser
        return response
    if over_tls(request):  # HSTS means nothing over plain HTTP (browsers ignore it there)
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Content-Security-Policy", CSP)
    if request.path.startswith(("/api/", "/auth/")):
        response.headers.setdefault("Cache-Control", "no-store")
    return response


MACHINE_PATHS = ("/webhooks/",)
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
       "frame-ancestors 'self' https://*.zoom.us")
