"""The clinician console for Jitsi: a page of the sidecar that embeds the meeting with the
IFrame API beside the shared panel. The bridge (plugins/jitsi/static) drives the meeting;
this serves the page, its session, and takes the events only the browser sees."""

from __future__ import annotations

from importlib import resources

from aiohttp import web
from pydantic import ValidationError

from sidecar.infra.access import in_room, principal, public, rule
from sidecar.infra.apidoc import HTML, SCRIPT, described
from sidecar.infra.config import Meeting
from sidecar.jitsi import answers
from sidecar.jitsi.console_events import ConsoleBatch, Left, translate
from sidecar.jitsi.deps import JITSI, JitsiDeps
from sidecar.jitsi.gate import current_session, jitsi_csp, jitsi_origin

routes = web.RouteTableDef()


async def today_meeting(t: JitsiDeps, room: str) -> str:
    """The room's session now, on the program's calendar (yesterday's while it runs on)."""
    return await current_session(t.meetings, room, t.clock.now(), t.config.program.time_zone)


def _room(t: JitsiDeps, room: str) -> Meeting:
    cfg = t.config.meeting_by_number(room)
    if cfg is None or cfg.jitsi_room != room:
        raise web.HTTPNotFound(text="no group meets in this Jitsi room")
    return cfg


def _origin(t: JitsiDeps) -> str:
    try:
        return jitsi_origin(t.settings.jitsi_domain)
    except ValueError as exc:
        raise web.HTTPInternalServerError(text=str(exc)) from exc


@routes.get("/jitsi/console/{room}")
@rule(public("a page: its session comes from the API, with a token"))
@described(answer=HTML)
async def console_page(request: web.Request) -> web.Response:
    """The panel with the meeting beside it: the deployment's IFrame API runs after auth.js,
    and the session is an HttpOnly cookie it cannot read."""
    t = request.app[JITSI]
    _room(t, request.match_info["room"])
    origin = _origin(t)
    panel = (resources.files("sidecar.web") / "static" / "panel.html").read_text("utf-8")
    scripts = (f'<script src="{origin}/external_api.js"></script>'
               '<script src="/jitsi/bridge.js"></script>')
    app = '<script type="module" src="/static/panel/app.js"></script>'
    page = panel.replace(app, scripts + app)
    page = page.replace('<body>', '<body class="console"><div id="jitsi-meeting" '
                        'class="console-meeting"></div>', 1)
    return web.Response(text=page, content_type="text/html",
                        headers={"Content-Security-Policy": jitsi_csp(origin)})


@routes.get("/jitsi/bridge.js")
@rule(public("static script, no data"))
@described(answer=SCRIPT)
async def jitsi_bridge(request: web.Request) -> web.Response:
    return web.Response(text=request.app[JITSI].bridge_script(),
                        content_type="application/javascript")


@routes.get("/api/jitsi/rooms/{room}/console")
@rule(in_room())
@described(answer=answers.ConsoleSession)
async def console_session(request: web.Request) -> web.Response:
    """Who the console is for, today's session id, and the Jitsi domain and room."""
    t = request.app[JITSI]
    who = principal(request)
    room = request.match_info["room"]
    cfg = _room(t, room)
    staff = t.config.staff_by_id(who.staff_id)
    meeting = await today_meeting(t, room)
    await t.meetings.open_session(meeting, room, "jitsi")
    await t.audit.record(who.staff_id, "jitsi.console", room)
    return web.json_response({
        "meeting": meeting, "room": room, "group": cfg.name,
        "domain": t.settings.jitsi_domain, "staff": who.staff_id,
        "name": staff.name if staff else who.staff_id,
        "jwt": await t.jitsi_moderator_token(room, who.staff_id)})


async def _page_reported(t: JitsiDeps, meeting: str, batch: ConsoleBatch) -> ConsoleBatch:
    """A client who joined through their own join page is reported by that page (a
    heartbeat, a deliberate leave, or silence): the console's reasonless leave for them
    would only overwrite a deliberate leave with "unknown" and call them back for nothing."""
    kept = []
    for e in batch.events:
        if isinstance(e, Left) and await t.heartbeats.record(meeting, e.id):
            continue
        kept.append(e)
    return batch.model_copy(update={"events": kept})


@routes.post("/api/jitsi/rooms/{room}/console-events")
@rule(in_room())
@described(ConsoleBatch, answer=answers.Accepted)
async def console_events(request: web.Request) -> web.Response:
    """What the console's IFrame API saw: breakout membership, knocking participants, and
    (without Prosody's module) joins and leaves. Into the inbox like any platform event."""
    t = request.app[JITSI]
    who = principal(request)
    room = request.match_info["room"]
    _room(t, room)
    try:
        batch = ConsoleBatch.model_validate_json(await request.read())
    except ValidationError as exc:
        raise web.HTTPBadRequest(text=f"{exc.error_count()} problem(s) with the body") from exc
    meeting = await today_meeting(t, room)
    batch = await _page_reported(t, meeting, batch)
    try:
        events = translate(batch, meeting, room, int(t.clock.now() * 1000))
    except ValidationError as exc:  # an id that makes no valid event (too long, say)
        raise web.HTTPBadRequest(text=f"{exc.error_count()} problem(s) with the events"
                                 ) from exc
    accepted = await t.inbox.accept(events) if events else 0
    del who
    return web.json_response({"accepted": accepted})
