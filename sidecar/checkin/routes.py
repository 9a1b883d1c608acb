"""Client check-in over HTTP: the signed link, the form page, the submission."""

from __future__ import annotations

import json

from aiohttp import web
from pydantic import BaseModel, ConfigDict, ValidationError

from sidecar.checkin import answers
from sidecar.checkin.deps import CHECKIN, CheckInDeps
from sidecar.checkin.link_cookie import CHECKIN_PATHS, exchange, has_link_id, token_of
from sidecar.checkin.ownership import HELD_ELSEWHERE, needs_code
from sidecar.checkin.page import form_html, refusal_html
from sidecar.checkin.review import parse, review
from sidecar.checkin.sms import CheckInTexter
from sidecar.checkin.store import CheckIn, CheckInBody, LinkClaims, LinkError
from sidecar.infra.access import for_client, in_meeting, principal, public, rule
from sidecar.infra.apidoc import HTML, described
from sidecar.infra.telephony import TelephonyError
from sidecar.infra.timeline import entry

routes = web.RouteTableDef()
MOMENT_ACK = "Thanks. Your care team will check in with you quietly."


async def _expected(t: CheckInDeps, meeting: str, client: str) -> None:
    meta = await t.meetings.meta(meeting)
    cfg = t.config.meeting_by_number(meta.get("number", ""))
    if cfg is None or client not in cfg.expected_clients:
        raise web.HTTPNotFound(text="this client is not part of this meeting")


class LinkRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    send_sms: bool = False


@routes.post("/api/meetings/{meeting}/clients/{client}/checkin-link")
@rule(for_client())
@described(LinkRequest, also=(502,), answer=answers.LinkMade)
async def make_link(request: web.Request) -> web.Response:
    """A signed, expiring link to the form; with ``send_sms`` Tether texts it to the
    client's number on file (the text holds the link only)."""
    t = request.app[CHECKIN]
    who = principal(request)
    m, client = request.match_info["meeting"], request.match_info["client"]
    await _expected(t, m, client)
    try:
        wanted = LinkRequest.model_validate_json(await request.read() or b"{}")
    except ValidationError as exc:
        raise web.HTTPBadRequest(text=f"{exc.error_count()} problem(s) with the body") from exc
    texter = texter_of(t)
    url, expires = await texter.url(m, client, int(t.clock.now() * 1000), who.staff_id)
    await t.audit.record(who.staff_id, "checkin.link", client)
    sent = await text_link(t, texter, m, client, url, who.staff_id) if wanted.send_sms else False
    return web.json_response({"url": url, "expires_at": expires, "sms_sent": sent})


def texter_of(t: CheckInDeps) -> CheckInTexter:
    return CheckInTexter(t.links, t.clients, t.dialer, t.settings.tether_public_url.rstrip("/"))


@routes.post("/api/meetings/{meeting}/checkin-invitations")
@rule(in_meeting())
@described(answer=answers.Done)
async def invited(request: web.Request) -> web.Response:
    """The panel sent Zoom's app invitation to everyone in the room: on the timeline."""
    t = request.app[CHECKIN]
    who = principal(request)
    m = request.match_info["meeting"]
    if not await t.meetings.meta(m):
        raise web.HTTPNotFound(text="no such meeting")
    await t.meetings.append(m, entry("checkin.invited", int(t.clock.now() * 1000),
                                     by=who.staff_id))
    return web.json_response({"ok": True})


async def text_link(t: CheckInDeps, texter: CheckInTexter, meeting: str, client: str, url: str,
                    by: str) -> bool:
    """Text a client their link (the text holds the link only); on the timeline."""
    try:
        if not await texter.send(client, url, actor=by, meeting=meeting):
            raise web.HTTPNotFound(text="no record on file for this client")
    except TelephonyError as exc:
        raise web.HTTPBadGateway(text=f"the text could not be sent: {exc}") from exc
    await t.meetings.append(meeting, entry("checkin.link_sent", int(t.clock.now() * 1000),
                                           client=client, by=by))
    return True


MOMENT_GRACE_MS = 12 * 3600 * 1000  # a genuine link still carries "I need a moment"
LINK_GONE = ("this page's link has ended in this browser: open the link your care team "
             "texted you again")


async def _link(request: web.Request, grace_ms: int = 0) -> LinkClaims:
    """The signed link's claims (``?t=``, or the cookie the page's first request set); a
    refused link is on the audit record (its reason)."""
    t = request.app[CHECKIN]
    token = token_of(request, moment=grace_ms > 0)
    if not token and has_link_id(request):
        raise web.HTTPForbidden(text=json.dumps({"error": LINK_GONE}),
                                content_type="application/json")
    try:
        return t.links.open(token, int(t.clock.now() * 1000), grace_ms)
    except LinkError as exc:
        await t.audit.record("-", "auth.refused:checkin_link", str(exc)[:200])
        raise web.HTTPForbidden(text=json.dumps({"error": str(exc)}),
                                content_type="application/json") from exc


@routes.get("/checkin")
@rule(public("the client's signed check-in link"))
@described(query=("t", "link"), ok=(200, 303), answer=HTML)
async def form_page(request: web.Request) -> web.Response:
    """The form. With ``?t=`` (the texted link): 303 to ``?link=<id>`` with the token in
    cookies (``link_cookie.py``); with ``?link=`` the form, whose calls carry the cookie."""
    t = request.app[CHECKIN]
    if has_link_id(request) and "t" not in request.query:
        return web.Response(text=form_html(t.config), content_type="text/html")
    try:
        claims = await _link(request)
    except web.HTTPForbidden as exc:
        reason = json.loads(exc.text or "{}").get("error", "this link is not valid")
        page = refusal_html("This check-in link cannot open", reason, t.config.program)
        return web.Response(text=page, status=403, content_type="text/html")
    return exchange(request, token_of(request), claims.expires_ms - int(t.clock.now() * 1000),
                    CHECKIN_PATHS, MOMENT_GRACE_MS)


async def _held_elsewhere(t: CheckInDeps, claims: LinkClaims) -> None:
    """409 ``need: code`` when an in-meeting token that skipped the code step would open
    or replace a check-in linked to another participant of the same client."""
    if not claims.participant or claims.via == "code":
        return
    checked_in = claims.client in await t.checkins.times(claims.meeting)
    if needs_code(claims, await t.meetings.people(claims.meeting), checked_in):
        raise web.HTTPConflict(text=json.dumps({"error": HELD_ELSEWHERE, "need": "code"}),
                               content_type="application/json")


@routes.get("/api/checkin")
@rule(public("the client's signed check-in link"))
@described(query=("t", "link"), also=(409,), answer=answers.OwnCheckIn)
async def mine(request: web.Request) -> web.Response:
    """The client's own check-in for this session (to update it), and nobody else's; the
    address on their record for "I'm at my usual address" (an audited read)."""
    t = request.app[CHECKIN]
    claims = await _link(request)
    meeting, client = claims.meeting, claims.client
    await _held_elsewhere(t, claims)
    checkin = await t.checkins.get(meeting, client, f"client:{client}", f"own:{meeting}")
    status = (await t.checkins.statuses(meeting)).get(client)
    record = await t.clients.get(client, actor=f"client:{client}",
                                 purpose=f"checkin-usual-address:{meeting}")
    usual = record.location if record else None
    return web.json_response({
        "checkin": checkin.model_dump(exclude={"client"}) if checkin else None,
        "stale": bool(status and status.stale),
        "on_file": usual.model_dump(exclude={"room"}) if usual else None})


@routes.post("/api/checkin")
@rule(public("the client's signed check-in link"))
@described(CheckInBody, query=("t", "link"), also=(409,), answer=answers.Submitted,
           answers={400: answers.FormProblems})
async def submit(request: web.Request) -> web.Response:
    t = request.app[CHECKIN]
    claims = await _link(request)
    meeting, client, participant = claims.meeting, claims.client, claims.participant
    await _held_elsewhere(t, claims)
    body, errors = parse(await request.read(), t.config.checkin_policy.required)
    if body is None:
        return web.json_response({"errors": errors}, status=400)
    now = int(t.clock.now() * 1000)
    previous = await t.checkins.get(meeting, client, f"client:{client}",
                                    f"update:{meeting}")
    kept = t.config.privacy_prompts.kept(body.privacy)  # what this program asks
    checkin = CheckIn(client=client, at_ms=now, **body.model_dump(exclude={"privacy"}),
                      privacy=kept)
    # alerts first: if storing then fails, the client's retry raises them again (the safe
    # side); the other order would lose a code word for good
    await review(t.meetings, t.clients, t.config.checkin_policy, meeting, checkin, previous)
    await t.checkins.put(meeting, checkin)
    await t.meetings.append(meeting, entry("checkin.submitted", now, client=client,
                                           emergency_contact_ok=body.emergency_contact_ok,
                                           update=previous is not None,
                                           note=bool(body.note and body.note.strip())))
    await t.audit.record(f"client:{client}", "checkin.submit", meeting)
    linked = await _link_participant(t, meeting, client, participant)
    return web.json_response({"ok": True, "checked_in_at": now, "linked": linked})


async def _link_participant(t: CheckInDeps, meeting: str, client: str, participant: str) -> bool:
    """The in-meeting form knows which Zoom participant it ran in: that participant is
    this client from now on, unless the roster already says it is somebody else."""
    if not participant:
        return False
    current = next((p for p in await t.meetings.people(meeting)
                    if p.participant == participant), None)
    if current is None or not (current.subject.startswith("participant:")
                               or current.subject == f"client:{client}"):
        return False
    return await t.applier.link(meeting, participant, client, f"client:{client}")


@routes.post("/api/checkin/moved")
@rule(public("the client's signed check-in link"))
@described(query=("t", "link"), also=(409,), answer=answers.Moved)
async def moved(request: web.Request) -> web.Response:
    """"I moved": the check-in is stale until the client submits where they are now."""
    t = request.app[CHECKIN]
    meeting, client, *_ = await _link(request)
    now = int(t.clock.now() * 1000)
    if not await t.checkins.moved(meeting, client, now):
        raise web.HTTPConflict(text=json.dumps({"error": "you have not checked in yet"}),
                               content_type="application/json")
    await t.meetings.append(meeting, entry("checkin.moved", now, client=client))
    await t.audit.record(f"client:{client}", "checkin.moved", meeting)
    return web.json_response({"ok": True, "stale": True})


@routes.post("/api/checkin/moment")
@rule(public("the client's signed check-in link"))
@described(query=("t", "link"), answer=answers.Moment)
async def moment(request: web.Request) -> web.Response:
    """"I need a moment": a quiet alert for the clinicians only; the client is told calmly
    that their care team will check in with them."""
    t = request.app[CHECKIN]
    # a call for help is heard even on a link past its time, as long as it is genuine
    meeting, client, *_ = await _link(request, MOMENT_GRACE_MS)
    await t.meetings.append(meeting, entry("alert.need_moment", int(t.clock.now() * 1000),
                                           client=client))
    await t.audit.record(f"client:{client}", "checkin.moment", meeting)
    return web.json_response({"ok": True, "message": MOMENT_ACK})
