"""Sign-in with the program's identity provider: ``/auth/login`` sends the person there,
``/auth/callback`` takes them back, checks who they are and starts their session. Every
outcome, refusals included, is on the audit record with the caller's address."""

from __future__ import annotations

import json
import logging
from urllib.parse import urlsplit

from aiohttp import web

from sidecar.infra import keys
from sidecar.infra.access import principal, public, rule, staff
from sidecar.infra.apidoc import HTML, described
from sidecar.infra.config import Role
from sidecar.infra.sessions import Via, begin
from sidecar.infra.source import source
from sidecar.signin.deps import SIGNIN, SigninDeps
from sidecar.signin.oidc import Attempt, SignInRefused
from sidecar.signin.pages import plain_page

logger = logging.getLogger(__name__)
routes = web.RouteTableDef()
ATTEMPT_TTL_S = 600
HOME = "/auth/signed-in"


def safe_next(value: str) -> str:
    """Where to go after signing in: a path on this server only (never another site)."""
    parts = urlsplit(value)
    if (not value.startswith("/") or value.startswith("//") or "\\" in value
            or parts.scheme or parts.netloc or len(value) > 500):
        return HOME
    return value


def _not_set_up(t: SigninDeps) -> web.Response:
    admins = ", ".join(s.name for s in t.config.staff if Role.ADMIN in s.roles) or "your admin"
    return plain_page("Sign-in is not set up", [
        "This Tether server has not been connected to your organisation's sign-in yet.",
        f"Ask your program admin ({admins}) to set TETHER_OIDC_ISSUER, "
        "TETHER_OIDC_CLIENT_ID and TETHER_OIDC_CLIENT_SECRET."], status=503)


@routes.get("/auth/login")
@rule(public("starts a sign-in at the program's identity provider; nothing is shown"))
@described(query=("next",), ok=(302,), also=(503,), answers={503: HTML})
async def login(request: web.Request) -> web.StreamResponse:
    t = request.app[SIGNIN]
    oidc = t.oidc
    if oidc is None:
        return _not_set_up(t)
    nxt = safe_next(request.query.get("next", HOME))
    try:
        attempt = await oidc.begin()
    except SignInRefused as exc:
        logger.warning("sign-in could not start: %s", exc.detail)
        return plain_page("Tether could not start your sign-in", [exc.reason + "."],
                          status=502, link=("/auth/login?next=" + nxt, "Try again"))
    await t.redis.set(keys.SIGNIN_PREFIX + attempt.state,
                      json.dumps({"nonce": attempt.nonce, "verifier": attempt.verifier,
                                  "next": nxt}), ex=ATTEMPT_TTL_S)
    raise web.HTTPFound(attempt.url, headers={"Cache-Control": "no-store"})


async def _refused(t: SigninDeps, request: web.Request, why: str, lines: list[str],
                   status: int = 403, actor: str = "-") -> web.Response:
    await t.audit.record(actor, f"signin.refused:{why}", lines[0][:200],
                         source=source(request))
    return plain_page("You are not signed in", lines, status=status,
                      link=("/auth/login", "Sign in again"))


async def _attempt(t: SigninDeps, state: str) -> dict[str, str] | None:
    if not state or len(state) > 200:
        return None
    raw = await t.redis.getdel(keys.SIGNIN_PREFIX + state)
    return dict(json.loads(raw)) if raw else None


@routes.get("/auth/callback")
@rule(public("the identity provider's answer, tied to a sign-in this server started "
             "(state, nonce and PKCE)"))
@described(query=("state", "code", "error", "error_description"), ok=(302,),
           also=(403, 502, 503), answers={c: HTML for c in (400, 403, 502, 503)})
async def callback(request: web.Request) -> web.StreamResponse:
    t, q = request.app[SIGNIN], request.query
    oidc = t.oidc
    if oidc is None:
        return _not_set_up(t)
    stored = await _attempt(t, q.get("state", ""))
    if stored is None:
        return await _refused(t, request, "state", [
            "This sign-in has expired or was already used (or was started in another "
            "browser).", "Sign in again from here."], status=400)
    if "error" in q:
        said = q.get("error_description") or q.get("error", "")
        return await _refused(t, request, "provider", [
            f"Your identity provider did not sign you in: {said[:200]}."])
    if q.get("iss") and q["iss"] != oidc.settings.issuer:
        return await _refused(t, request, "issuer", [
            "This sign-in came from an identity provider this program does not use."])
    attempt = Attempt(url="", state=q.get("state", ""), nonce=stored["nonce"],
                      verifier=stored["verifier"])
    try:
        identity = await oidc.finish(q.get("code", ""), attempt, t.clock.now())
    except SignInRefused as exc:
        logger.info("sign-in refused: %s", exc.detail)
        return await _refused(t, request, "token", [exc.reason[:1].upper() + exc.reason[1:]
                                                     + "."])
    person = t.config.staff_by_email(identity.email)
    if person is None:
        admins = ", ".join(s.name for s in t.config.staff if Role.ADMIN in s.roles)
        return await _refused(t, request, "unknown", [
            f"You signed in as {identity.email}, but that address is not on the staff "
            f"list of {t.config.program.name}.",
            f"Ask your program admin ({admins or 'your admin'}) to add it, then sign in "
            "again."], actor=identity.email[:100])
    if not person.active:
        return await _refused(t, request, "disabled", [
            f"Your access to {t.config.program.name} is turned off.",
            "If that is a mistake, ask your program admin to turn it back on."],
            actor=person.id)
    started = await begin(t.sessions, t.audit, request, person.id, Via.SIGNIN, t.now_ms())
    response = web.Response(status=302, headers={"Location": stored["next"],
                                                 "Cache-Control": "no-store"})
    started.attach(response)
    return response


@routes.get(HOME)
@rule(staff())
@described(answer=HTML)
async def signed_in(request: web.Request) -> web.Response:
    """Where a sign-in without a destination lands."""
    t, who = request.app[SIGNIN], principal(request)
    person = t.config.staff_by_id(who.staff_id)
    lines = [f"You are signed in to Tether for {t.config.program.name} as "
             f"{person.name if person else who.staff_id}.",
             "Open Tether from your meeting (the Zoom App, or your group's Jitsi console)."]
    if who.roles & {Role.ADMIN.value, Role.PROGRAM_CLINICAL_LEAD.value}:
        return plain_page("Signed in", lines, link=("/admin", "Open the admin page"))
    return plain_page("Signed in", lines)
