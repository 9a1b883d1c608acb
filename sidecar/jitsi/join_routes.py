"""Clients join a Jitsi group through Tether's page: check in first, then the meeting.

``/join/<room>?t=LINK`` serves the check-in form with the meeting beneath it; the join token
comes only after this session's check-in; while in the meeting the page heartbeats and
reports a deliberate leave (``sidecar/jitsi/heartbeats.py``). Staff get moderator tokens; clinicians
and admins make (and text) the links.
"""

from __future__ import annotations

import json
from importlib import resources

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sidecar.checkin.identify import first_name
from sidecar.checkin.link_cookie import CHECKIN_PATHS, exchange, has_link_id, token_of
from sidecar.checkin.page import form_html, refusal_html
from sidecar.checkin.privacy_page import JOIN_SLOT, before_join
from sidecar.checkin.routes import LINK_GONE, MOMENT_GRACE_MS, text_link, texter_of
from sidecar.checkin.store import LinkClaims, LinkError
from sidecar.infra.access import for_client, in_room, principal, public, rule
from sidecar.infra.apidoc import HTML, described
from sidecar.infra.config import Meeting
from sidecar.jitsi import answers
from sidecar.jitsi.deps import JITSI, JitsiDeps
from sidecar.jitsi.gate import (
    current_session,
    day_of,
    jitsi_csp,
    jitsi_origin,
    join_url,
    link_expiry_ms,
    room_of,
    session_of,
)
from sidecar.jitsi.heartbeats import Beat
from webhooks import IngestUnavailable

routes = web.RouteTableDef()
HEARTBEAT_EVERY_S = 3
CHECK_IN_FIRST = "check in first"
_STATIC = resources.files("sidecar.web") / "static"
_FORM_SLOT = "<!-- the check-in form: checkin.html's <main> -->"
# where the join page's link cookie goes: the check-in form's API and the join's own
JOIN_PATHS = (*CHECKIN_PATHS, "/api/jitsi/join", "/api/jitsi/heartbeat", "/api/jitsi/leave")


def _error(status: type[web.HTTPException], text: str) -> web.HTTPException:
    return status(text=json.dumps({"error": text}), content_type="application/json")


async def _link(t: JitsiDeps, request: web.Request, room: str = "") -> LinkClaims:
    """The client's session link: valid, unexpired, for a Jitsi session (of ``room``); a
    refused link is on the audit record (its reason)."""
    token = token_of(request)
    if not token and has_link_id(request):
        raise _error(web.HTTPForbidden, LINK_GONE)
    try:
        claims = t.links.open(token, int(t.clock.now() * 1000))
    except LinkError as exc:
        await t.audit.record("-", "auth.refused:session_link", str(exc)[:200])
        raise _error(web.HTTPForbidden, str(exc)) from exc
    linked = room_of(claims.meeting)
    if not linked or (room and linked != room):
        raise _error(web.HTTPForbidden, "this link is not for this group")
    return claims


def _group(t: JitsiDeps, room: str, client: str = "") -> Meeting:
    cfg = t.config.meeting_by_number(room)
    if cfg is None or cfg.jitsi_room != room:
        raise _error(web.HTTPNotFound, "no group meets in this Jitsi room")
    if client and client not in cfg.expected_clients:
        raise _error(web.HTTPNotFound, "this client is not part of this group")
    return cfg


def _csp(t: JitsiDeps) -> str:
    try:
        origin = jitsi_origin(t.settings.jitsi_domain)
    except ValueError as exc:
        raise web.HTTPInternalServerError(text=str(exc)) from exc
    return jitsi_csp(origin)


def _page(t: JitsiDeps) -> str:
    """join.html with the check-in form (checkin.html's ``<main>``) in its slot."""
    form = form_html(t.config)
    main = form[form.index("<main>"):form.index("</main>") + len("</main>")]
    page = (_STATIC / "join.html").read_text(encoding="utf-8").replace(_FORM_SLOT, main, 1)
    return page.replace(JOIN_SLOT, before_join(t.config), 1)


@routes.get("/join/{room}")
@rule(public("the client's signed session link"))
@described(query=("t", "link"), ok=(200, 303), answer=HTML)
async def join_page(request: web.Request) -> web.Response:
    """The check-in form with the meeting beneath. With ``?t=`` (the texted link): 303 to
    ``?link=<id>`` with the token in cookies for the form's and the join's API paths."""
    t = request.app[JITSI]
    if has_link_id(request) and "t" not in request.query:
        return web.Response(text=_page(t), content_type="text/html",
                            headers={"Content-Security-Policy": _csp(t)})
    try:
        claims = await _link(t, request, request.match_info["room"])
    except web.HTTPForbidden as exc:
        reason = json.loads(exc.text or "{}").get("error", "this link is not valid")
        page = refusal_html("This group link cannot open", reason, t.config.program)
        return web.Response(text=page, status=403, content_type="text/html")
    return exchange(request, token_of(request), claims.expires_ms - int(t.clock.now() * 1000),
                    JOIN_PATHS, MOMENT_GRACE_MS)


@routes.post("/api/jitsi/join")
@rule(public("the client's signed session link"))
@described(query=("t", "link"), also=(409,), answer=answers.Joined)
async def join(request: web.Request) -> web.Response:
    """The room's join token, for a client checked in for this session (409 before)."""
    t = request.app[JITSI]
    meeting, client, *_ = await _link(t, request)
    room = room_of(meeting)
    _group(t, room, client)
    if client not in await t.checkins.times(meeting):
        raise _error(web.HTTPConflict, CHECK_IN_FIRST)
    record = await t.clients.get(client, actor=f"client:{client}", purpose=f"jitsi-join:{meeting}")
    name = first_name(record.name) if record else ""
    grant = await t.jitsi.grant(f"client:{client}", room, meeting, name, now=t.clock.now(),
                                purpose="join")
    await t.meetings.open_session(meeting, room, "jitsi")
    await t.audit.record(f"client:{client}", "jitsi.join", meeting)
    return web.json_response(grant.as_json() | {"heartbeat_seconds": HEARTBEAT_EVERY_S})


class BeatBody(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    participant: str = Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")  # videoConferenceJoined's id
    display_name: str = Field(default="", max_length=200)
    page: str = Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")  # this page load
    seq: int = Field(ge=0, le=2**53)  # the page numbers its beats and its leave


async def _beat(request: web.Request) -> tuple[JitsiDeps, Beat]:
    """The link names meeting and client; the body (JSON, whatever its content type:
    ``sendBeacon`` sends text) names the participant."""
    t = request.app[JITSI]
    meeting, client, *_ = await _link(t, request)
    room = room_of(meeting)
    _group(t, room, client)
    try:
        body = BeatBody.model_validate_json(await request.read())
    except ValidationError as exc:
        raise web.HTTPBadRequest(text=f"{exc.error_count()} problem(s) with the body") from exc
    return t, Beat(meeting, room, client, t.jitsi.user_id(f"client:{client}"),
                   body.participant, body.display_name, body.page, body.seq)


@routes.post("/api/jitsi/heartbeat")
@rule(public("the client's signed session link"))
@described(BeatBody, query=("t", "link"), also=(409, 503), answer=answers.Beat)
async def heartbeat(request: web.Request) -> web.Response:
    t, b = await _beat(request)
    try:
        state = await t.heartbeats.beat(b, int(t.clock.now() * 1000))
    except IngestUnavailable as exc:
        raise web.HTTPServiceUnavailable(text="try again") from exc
    if state == "foreign":
        raise _error(web.HTTPConflict, "this participant is someone else")
    if state == "joined":
        await _link_unidentified(t, b)
    return web.json_response({"ok": True, "state": state, "every_s": HEARTBEAT_EVERY_S})


async def _link_unidentified(t: JitsiDeps, b: Beat) -> None:
    """The meeting saw this participant first without knowing who it is (an event with no
    join token behind it): the client's own link says who, as the in-meeting check-in does."""
    row = next((p for p in await t.meetings.people(b.meeting)
                if p.participant == b.participant), None)
    if row is not None and row.subject.startswith("participant:"):
        await t.applier.link(b.meeting, b.participant, b.client, f"client:{b.client}")


@routes.post("/api/jitsi/leave")
@rule(public("the client's signed session link"))
@described(BeatBody, query=("t", "link"), answer=answers.Left)
async def leave(request: web.Request) -> web.Response:
    """The client left on purpose (hung up, closed the meeting or the page): no callback."""
    t, b = await _beat(request)
    try:
        left = await t.heartbeats.leave(b, int(t.clock.now() * 1000))
    except IngestUnavailable as exc:
        raise web.HTTPServiceUnavailable(text="try again") from exc
    return web.json_response({"ok": True, "left": left})


@routes.post("/api/jitsi/rooms/{room}/token")
@rule(in_room())
@described(answer=answers.Grant)
async def staff_token(request: web.Request) -> web.Response:
    """A moderator join token for the signed-in staff member (``jwt`` null: no key set)."""
    t = request.app[JITSI]
    who = principal(request)
    room = request.match_info["room"]
    _group(t, room)
    staff = t.config.staff_by_id(who.staff_id)
    now = t.clock.now()
    meeting = await current_session(t.meetings, room, now, t.config.program.time_zone)
    grant = await t.jitsi.grant(f"staff:{who.staff_id}", room, meeting,
                                staff.name if staff else who.staff_id, now=now,
                                purpose="staff-join")
    await t.audit.record(who.staff_id, "jitsi.staff_token", meeting)
    return web.json_response(grant.as_json())


class LinkRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    send_sms: bool = False
    day: str | None = Field(default=None, pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


@routes.post("/api/jitsi/rooms/{room}/clients/{client}/join-link")
@rule(for_client())
@described(LinkRequest, also=(502,), answer=answers.JoinLink)
async def make_link(request: web.Request) -> web.Response:
    """A client's signed link to a day's session (today by default), optionally texted."""
    t = request.app[JITSI]
    who = principal(request)
    room, client = request.match_info["room"], request.match_info["client"]
    _group(t, room, client)
    try:
        wanted = LinkRequest.model_validate_json(await request.read() or b"{}")
        meeting = (session_of(room, wanted.day) if wanted.day else await current_session(
            t.meetings, room, t.clock.now(), t.config.program.time_zone))
        expires = link_expiry_ms(day_of(meeting), t.config.program.time_zone)
    except (ValidationError, ValueError, OverflowError) as exc:
        raise web.HTTPBadRequest(text="send_sms: true/false; day: YYYY-MM-DD") from exc
    if expires <= int(t.clock.now() * 1000):
        raise web.HTTPBadRequest(text="that day's session is over")
    token = await t.links.mint(meeting, client, expires, by=who.staff_id,
                               purpose=f"jitsi-join:{meeting}")
    url = join_url(t.settings.tether_public_url, token, meeting)
    await t.meetings.open_session(meeting, room, "jitsi")
    await t.audit.record(who.staff_id, "jitsi.join_link", client)
    sent = (await text_link(t.checkin, texter_of(t.checkin), meeting, client, url, who.staff_id)
            if wanted.send_sms else False)
    return web.json_response({"url": url, "expires_at": expires, "meeting": meeting,
                              "sms_sent": sent})


