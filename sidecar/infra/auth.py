"""Who is calling: a staff token in the ``Authorization`` header (``tether token``, for
automation and break-glass from a shell; HS256, key derived from the data key) or a session
cookie (see sessions.py). Nothing is read from the query string."""

from __future__ import annotations

import hmac
from dataclasses import dataclass

import jwt
from aiohttp import web
from jwt.types import Options

from sidecar.infra.audit import Audit
from sidecar.infra.clock import Clock
from sidecar.infra.config import ProgramConfig
from sidecar.infra.config_store import LiveConfig
from sidecar.infra.keyring import SigningKeys
from sidecar.infra.revocations import Revocations
from sidecar.infra.sessions import COOKIE, CSRF_HEADER, Ended, Session, SessionStore
from sidecar.infra.source import source

ISSUER = "tether"
MAX_TOKEN_S = 12 * 3600  # no token lives longer, however it was minted
# Time claims are checked against the injected clock below, not the wall clock.
_OPTIONS: Options = {"verify_exp": False, "verify_iat": False, "verify_nbf": False,
            "require": ["exp", "sub"]}


@dataclass(frozen=True)
class Principal:
    staff_id: str
    roles: frozenset[str]
    session: Session | None = None  # None: a staff token in the header
    ends_ms: int = 0  # a token's expiry (a session's is in the session)


class TokenIssuer:
    def __init__(self, keys: SigningKeys, live: LiveConfig) -> None:
        self._keys = keys
        self._live = live

    def issue(self, staff_id: str, now: float, ttl_s: int = 3600) -> str:
        staff = self._live.current.staff_by_id(staff_id)
        if staff is None:
            raise ValueError(f"no staff member {staff_id!r} in the configuration")
        if not staff.active:
            raise ValueError(f"{staff.name}'s access is turned off (not active)")
        if not 0 < ttl_s <= MAX_TOKEN_S:
            raise ValueError(f"a token lasts at most {MAX_TOKEN_S // 3600} hours")
        claims = {"iss": ISSUER, "sub": staff_id, "iat": int(now), "exp": int(now) + ttl_s,
                  "ms": int(now * 1000)}  # when, to the ms: revocation voids older tokens
        kid, key = self._keys.current()
        return jwt.encode(claims, key, algorithm="HS256", headers={"kid": kid})

    def _key_for(self, token: str, now: float) -> bytes:
        """The key the token names (a token signs with the keyring's primary key and names
        it; after a rotation, tokens of the retired key pass until they expire)."""
        try:
            kid = jwt.get_unverified_header(token).get("kid")
        except jwt.InvalidTokenError as exc:
            raise web.HTTPUnauthorized(text=f"invalid token: {exc}") from exc
        key = self._keys.for_kid(str(kid), int(now * 1000)) if kid else None
        if key is None:
            raise web.HTTPUnauthorized(text="this token was signed with a key no longer in "
                                            "use: sign in again")
        return key

    def verify(self, token: str, now: float) -> Principal:
        try:
            claims = jwt.decode(token, self._key_for(token, now), algorithms=["HS256"],
                                issuer=ISSUER,
                                options=_OPTIONS)
        except jwt.InvalidTokenError as exc:
            raise web.HTTPUnauthorized(text=f"invalid token: {exc}") from exc
        if int(claims["exp"]) < now:
            raise web.HTTPUnauthorized(text="token expired")
        if int(claims["exp"]) - int(claims.get("iat", 0)) > MAX_TOKEN_S:
            raise web.HTTPUnauthorized(text="token lasts longer than tokens may")
        staff = self._live.current.staff_by_id(str(claims["sub"]))
        if staff is None or not staff.active:
            raise web.HTTPUnauthorized(text="token names no current staff member")
        return Principal(staff.id, frozenset(r.value for r in staff.roles),
                         ends_ms=int(claims["exp"]) * 1000)

    @staticmethod
    def minted_ms(token: str) -> int:
        """When a token (already verified) was minted, in ms."""
        claims = jwt.decode(token, options={"verify_signature": False})
        return int(claims.get("ms") or int(claims.get("iat", 0)) * 1000)


class Unsigned(web.HTTPUnauthorized):
    """Not signed in (or no longer): pages send the person to sign in."""


@dataclass(frozen=True)
class Authenticator:
    """Finds the staff member behind a request, and records every failure."""

    live: LiveConfig  # the program's configuration; `config` reads it now
    clock: Clock
    tokens: TokenIssuer
    sessions: SessionStore
    revocations: Revocations
    audit: Audit

    @property
    def config(self) -> ProgramConfig:
        return self.live.current

    async def who(self, request: web.Request) -> Principal:
        header = request.headers.get("Authorization", "")
        if header:
            return await self._bearer(request, header)
        cookie = request.cookies.get(COOKIE, "")
        if cookie and not cookie.isascii():  # never one this server set
            raise Unsigned(text="your session has ended: sign in again")
        if cookie:
            return await self._session(request, cookie)
        raise Unsigned(text="sign in first: this needs a signed-in staff member")

    async def _bearer(self, request: web.Request, header: str) -> Principal:
        token = header.removeprefix("Bearer ").strip()
        try:
            if not token or token == header or not token.isascii():
                raise web.HTTPUnauthorized(text="the Authorization header must be "
                                           "'Bearer <token>'")
            who = self.tokens.verify(token, self.clock.now())
            # minted at or before a revocation (the same ms counts: refusing is the safe side)
            if self.tokens.minted_ms(token) <= await self.revocations.voided_before(who.staff_id):
                raise web.HTTPUnauthorized(text="this token was revoked")
        except web.HTTPUnauthorized as exc:
            await self.audit.record("-", "auth.refused:token", exc.text or "",
                                    source=source(request))
            raise
        return who

    async def _session(self, request: web.Request, cookie: str) -> Principal:
        now_ms = int(self.clock.now() * 1000)
        try:
            s = await self.sessions.find(cookie, now_ms)
        except Ended as ended:
            await self.audit.record(ended.session.staff_id, "session.timed_out", ended.why,
                                    source=source(request))
            await self.revocations.announce(ended.session.staff_id, ended.session.key)
            raise Unsigned(text=ended.why + ": sign in again") from None
        if s is None:  # an unknown cookie, or one whose session was ended
            await self.audit.record("-", "auth.refused:session", "no such session",
                                    source=source(request))
            raise Unsigned(text="your session has ended: sign in again")
        staff = self.config.staff_by_id(s.staff_id)
        if staff is None or not staff.active:
            await self.sessions.end(s)
            await self.audit.record(s.staff_id, "auth.refused:session",
                                    "not on staff" if staff is None else "access turned off",
                                    source=source(request))
            raise Unsigned(text="you are no longer on this program's staff list"
                           if staff is None else "your access was turned off by an admin")
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            sent = request.headers.get(CSRF_HEADER, "")
            if not (sent.isascii() and hmac.compare_digest(sent, s.csrf)):
                await self.audit.record(s.staff_id, "auth.refused:csrf",
                                        f"{request.method} {request.path}"[:200],
                                        source=source(request))
                raise web.HTTPForbidden(text="this request did not come from a Tether page "
                                        "(its CSRF token is missing or wrong): reload the page")
        await self.sessions.touch(s, now_ms)
        return Principal(staff.id, frozenset(r.value for r in staff.roles), session=s)
