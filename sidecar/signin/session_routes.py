"""The session once it exists: who am I (with the CSRF token the pages send back), logout,
the exchange of a staff token for a session (automation, tests), and revoking everyone's
sessions of one person."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from sidecar.infra.access import principal, public, rule, staff
from sidecar.infra.apidoc import HTML, described
from sidecar.infra.auth import Principal
from sidecar.infra.config import Role
from sidecar.infra.sessions import Session, Started, Via, begin, clear_cookie
from sidecar.infra.source import source
from sidecar.signin import answers
from sidecar.signin.deps import SIGNIN, SigninDeps
from sidecar.signin.pages import plain_page

routes = web.RouteTableDef()


def me(t: SigninDeps, who: Principal, s: Session | None) -> dict[str, Any]:
    person = t.config.staff_by_id(who.staff_id)
    return {"staff": who.staff_id, "name": person.name if person else who.staff_id,
            "roles": sorted(who.roles), "csrf": s.csrf if s else None,
            "via": s.via.value if s else "token",
            "idle_minutes": t.sessions.policy.idle_ms // 60_000,
            "ends_at": s.ends_ms if s else who.ends_ms,
            "program": t.config.program.name}


async def start_session(t: SigninDeps, request: web.Request, staff_id: str,
                        via: Via) -> Started:
    return await begin(t.sessions, t.audit, request, staff_id, via, t.now_ms())


@routes.get("/auth/me")
@rule(staff())
@described(answer=answers.Me)
async def whoami(request: web.Request) -> web.Response:
    """The signed-in person, their roles and the CSRF token for calls that change things."""
    who = principal(request)
    return web.json_response(me(request.app[SIGNIN], who, who.session),
                             headers={"Cache-Control": "no-store"})


@routes.post("/auth/exchange")
@rule(staff())
@described(answer=answers.Me)
async def exchange(request: web.Request) -> web.Response:
    """A staff token in the ``Authorization`` header -> the session cookie a sign-in sets."""
    t, who = request.app[SIGNIN], principal(request)
    if who.session is not None:
        raise web.HTTPBadRequest(text="send a staff token in the Authorization header; "
                                 "a session cannot be exchanged for another")
    started = await start_session(t, request, who.staff_id, Via.TOKEN)
    response = web.json_response(me(t, who, started.session),
                                 headers={"Cache-Control": "no-store"})
    started.attach(response)
    return response


@routes.post("/auth/logout")
@rule(staff())
@described(answer=answers.SignedOut)
async def logout(request: web.Request) -> web.Response:
    t, who = request.app[SIGNIN], principal(request)
    if who.session is not None:
        await t.sessions.end(who.session)
        await t.revocations.announce(who.staff_id, who.session.key)
    await t.audit.record(who.staff_id, "session.signed_out", "-", source=source(request))
    response = web.json_response({"signed_out": True})
    clear_cookie(response)
    return response


@routes.get("/auth/signed-out")
@rule(public("a page with no data"))
@described(answer=HTML)
async def signed_out(request: web.Request) -> web.Response:
    return plain_page("You are signed out",
                      ["You are signed out of Tether.", "Close this window, or sign in again."],
                      link=("/auth/login", "Sign in again"))


@routes.post("/api/admin/staff/{staff}/revoke")
@rule(staff(Role.ADMIN, Role.PROGRAM_CLINICAL_LEAD))
@described(answer=answers.Revoked)
async def revoke(request: web.Request) -> web.Response:
    """Every session of a person ends now, on every replica (their open panels close), and
    every token minted for them so far stops working."""
    t, who = request.app[SIGNIN], principal(request)
    target = request.match_info["staff"]
    if t.config.staff_by_id(target) is None:
        raise web.HTTPNotFound(text="no staff member with that id")
    ended = await t.revocations.revoke(target, t.now_ms())
    await t.audit.record(who.staff_id, "session.revoked", target, source=source(request))
    return web.json_response({"staff": target, "sessions_ended": ended})
