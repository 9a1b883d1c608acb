"""The client's side of the Zoom App: a client who opens Tether from the in-meeting
invitation gets a check-in token for this meeting only, the same token a texted link
carries, once we know who they are: at once when Zoom names them (the Zoom account on
their record), otherwise after a one-time code texted to the number on file
(``code_routes.py``). They can only ever see and submit their own check-in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from plugins.base import PanelContextError
from sidecar.checkin.identify import first_name
from sidecar.checkin.sms import LINK_TTL_MS
from sidecar.infra.access import public, rule
from sidecar.infra.apidoc import described
from sidecar.zoom import answers
from sidecar.zoom.app_routes import context_of
from sidecar.zoom.deps import ZOOM, ZoomDeps

routes = web.RouteTableDef()
UNKNOWN_MEETING = ("Tether does not know this meeting yet. Ask your care team to text you a "
                   "check-in link.")
B = TypeVar("B", bound=BaseModel)


class ClientSessionBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    context: str = Field(min_length=1, max_length=4096)
    participant: str = Field(default="", max_length=128)  # getUserContext().participantUUID


@dataclass(frozen=True)
class InMeeting:
    """Who Zoom says is asking, and where."""

    meeting: str
    user: str  # the app context's Zoom uid ("" for a guest)
    expected: list[str]  # the clients expected in this meeting


def answer(status: int, error: str, need: str = "", **more: Any) -> web.Response:
    body = {"error": error} | ({"need": need} if need else {}) | more
    return web.json_response(body, status=status)


async def read_body(request: web.Request, model: type[B], need: str) -> B | web.Response:
    """The body, or a 400 naming the fields to check (never what was typed)."""
    try:
        return model.model_validate_json(await request.read())
    except ValidationError as exc:
        fields = sorted({str(e["loc"][-1]) if e["loc"] else "the body" for e in exc.errors()})
        return answer(400, "please check: " + ", ".join(fields), need)


async def in_meeting(t: ZoomDeps, context: str) -> InMeeting | web.Response:
    """The signed app context, for a meeting this program runs; or the answer."""
    try:
        ctx = context_of(t, context)
    except PanelContextError as exc:
        return answer(403, str(exc))
    meta = await t.meetings.meta(ctx.meeting) if ctx.meeting else {}
    cfg = t.config.meeting_by_number(meta.get("number", ""))
    if cfg is None:
        return answer(404, UNKNOWN_MEETING)
    return InMeeting(ctx.meeting, ctx.user, list(cfg.expected_clients))


async def known_by_zoom(t: ZoomDeps, where: InMeeting) -> str | None:
    """The expected client whose record holds this Zoom account, if any."""
    client = await t.clients.by_zoom_user(where.user)
    return client if client in where.expected else None


async def session_for(t: ZoomDeps, meeting: str, client: str, participant: str,
                      via: str) -> web.Response:
    """The check-in token for this meeting and client, bound to the participant the form
    runs in, saying how the client was known (``uid`` or ``code``)."""
    now = int(t.clock.now() * 1000)
    record = await t.clients.get(client, actor="zoom-app", purpose=f"checkin-session:{meeting}")
    token = await t.links.mint(meeting, client, now + LINK_TTL_MS, by=f"client:{client}",
                               purpose=f"in-meeting-checkin:{via or 'zoom'}",
                               participant=participant, via=via)
    await t.audit.record(f"client:{client}", "checkin.app_session", meeting)
    return web.json_response({"token": token,
                              "first_name": first_name(record.name) if record else ""})


@routes.post("/api/zoom/checkin-session")
@rule(public("Zoom's encrypted app context"))
@described(ClientSessionBody, also=(401, 403, 404), answer=answers.ClientToken,
           refusal=answers.FormRefusal)
async def client_session(request: web.Request) -> web.Response:
    """A token when Zoom names the client; otherwise 401 ``need: identify`` (the form then
    asks for a code)."""
    t = request.app[ZOOM]
    body = await read_body(request, ClientSessionBody, "identify")
    if isinstance(body, web.Response):
        return body
    where = await in_meeting(t, body.context)
    if isinstance(where, web.Response):
        return where
    client = await known_by_zoom(t, where)
    if client is None:
        return answer(401, "Tell us who you are.", "identify")
    return await session_for(t, where.meeting, client, body.participant, "uid")
