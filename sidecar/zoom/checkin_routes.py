"""The client's side of the Zoom App: a client who opens Tether from the in-meeting
invitation is identified (their Zoom account if it is on file, otherwise their first name
and the last four digits of their number) and gets a check-in token for this meeting
only, the same token a texted link carries. They can only ever see and submit their own."""

from __future__ import annotations

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from plugins.base import PanelContextError
from sidecar.checkin.identify import Candidate, Factors, first_name, match
from sidecar.checkin.sms import LINK_TTL_MS
from sidecar.infra import keys
from sidecar.infra.access import public, rule
from sidecar.infra.timeline import entry
from sidecar.zoom.app_routes import context_of
from sidecar.zoom.deps import ZOOM, ZoomDeps

routes = web.RouteTableDef()
TRIES_PER_PARTICIPANT = 5
TRIES_PER_MEETING = 30
TRIES_WINDOW_S = 15 * 60
NO_MATCH = ("We could not match those details. Check them and try again, or ask your "
            "care team to text you a check-in link.")
TOO_MANY = ("Too many tries. Your care team has been told and will text you a check-in "
            "link.")


class ClientSessionBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    context: str = Field(min_length=1, max_length=4096)
    participant: str = Field(default="", max_length=128)  # getUserContext().participantUUID
    identify: Factors | None = None


def _answer(status: int, error: str, need: str = "") -> web.Response:
    body = {"error": error} | ({"need": need} if need else {})
    return web.json_response(body, status=status)


async def _tries(t: ZoomDeps, meeting: str, participant: str) -> tuple[int, int]:
    """Count one failed identification; the counts for the participant and the meeting."""
    async with t.redis.pipeline(transaction=True) as pipe:
        for key in (keys.checkin_tries(meeting, participant or "-"),
                    keys.checkin_tries(meeting)):
            pipe.incr(key)
            pipe.expire(key, TRIES_WINDOW_S)
        mine, _, all_, _ = await pipe.execute()
    return int(mine), int(all_)


async def _blocked(t: ZoomDeps, meeting: str, participant: str) -> bool:
    mine, all_ = await t.redis.mget([keys.checkin_tries(meeting, participant or "-"),
                                     keys.checkin_tries(meeting)])
    return int(mine or 0) >= TRIES_PER_PARTICIPANT or int(all_ or 0) >= TRIES_PER_MEETING


async def _identify(t: ZoomDeps, m: str, expected: list[str], uid: str,
                    body: ClientSessionBody, now: int) -> str | web.Response:
    """The client: by the Zoom account on file, else by what they know; or the answer."""
    client = await t.clients.by_zoom_user(uid)
    if client in expected:
        return str(client)
    if body.identify is None:
        return _answer(401, "Tell us who you are.", "identify")
    if await _blocked(t, m, body.participant):
        return _answer(429, TOO_MANY)
    candidates = []
    for c in expected:
        record = await t.clients.get(c, actor="zoom-app", purpose=f"checkin-identify:{m}")
        if record is not None:
            candidates.append(Candidate(c, record.name, record.callback_phone))
    matched = match(candidates, body.identify)
    if matched is not None:
        return matched
    mine, all_ = await _tries(t, m, body.participant)
    blocked = mine >= TRIES_PER_PARTICIPANT or all_ >= TRIES_PER_MEETING
    await t.meetings.append(m, entry("checkin.unmatched", now,
                                     participant=body.participant, blocked=blocked))
    return _answer(429, TOO_MANY) if blocked else _answer(403, NO_MATCH, "identify")


@routes.post("/api/zoom/checkin-session")
@rule(public("Zoom's encrypted app context"))
async def client_session(request: web.Request) -> web.Response:
    t = request.app[ZOOM]
    try:
        body = ClientSessionBody.model_validate_json(await request.read())
        ctx = context_of(t, body.context)
    except ValidationError as exc:
        fields = sorted({str(e["loc"][-1]) if e["loc"] else "the body" for e in exc.errors()})
        return _answer(400, "please check: " + ", ".join(fields), "identify")
    except PanelContextError as exc:
        return _answer(403, str(exc))
    m = ctx.meeting
    meta = await t.meetings.meta(m) if m else {}
    cfg = t.config.meeting_by_number(meta.get("number", ""))
    if cfg is None:
        return _answer(404, "Tether does not know this meeting yet. Ask your care team to "
                       "text you a check-in link.")
    now = int(t.clock.now() * 1000)
    found = await _identify(t, m, cfg.expected_clients, ctx.user, body, now)
    if isinstance(found, web.Response):
        return found
    client = found
    record = await t.clients.get(client, actor="zoom-app", purpose=f"checkin-session:{m}")
    token = t.links.issue(m, client, now + LINK_TTL_MS, body.participant)
    await t.audit.record(f"client:{client}", "checkin.app_session", m)
    return web.json_response({"token": token,
                              "first_name": first_name(record.name) if record else ""})
