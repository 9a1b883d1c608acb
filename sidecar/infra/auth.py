"""Short-lived signed tokens for panels, staff and admins (HS256, key derived from the
data key). The Zoom App exchanges its app context for one; ``tether token`` mints them here."""

from __future__ import annotations

from dataclasses import dataclass

import jwt
from aiohttp import web
from jwt.types import Options

from sidecar.infra.config import ProgramConfig, Role

ISSUER = "tether"
MAX_TOKEN_S = 12 * 3600  # no token lives longer, however it was minted
# Time claims are checked against the injected clock below, not the wall clock.
_OPTIONS: Options = {"verify_exp": False, "verify_iat": False, "verify_nbf": False,
            "require": ["exp", "sub"]}


@dataclass(frozen=True)
class Principal:
    staff_id: str
    roles: frozenset[str]


class TokenIssuer:
    def __init__(self, key: bytes, config: ProgramConfig) -> None:
        self._key = key
        self._config = config

    def issue(self, staff_id: str, now: float, ttl_s: int = 3600) -> str:
        staff = self._config.staff_by_id(staff_id)
        if staff is None:
            raise ValueError(f"no staff member {staff_id!r} in the configuration")
        if not 0 < ttl_s <= MAX_TOKEN_S:
            raise ValueError(f"a token lasts at most {MAX_TOKEN_S // 3600} hours")
        claims = {"iss": ISSUER, "sub": staff_id, "iat": int(now), "exp": int(now) + ttl_s}
        return jwt.encode(claims, self._key, algorithm="HS256")

    def verify(self, token: str, now: float) -> Principal:
        try:
            claims = jwt.decode(token, self._key, algorithms=["HS256"], issuer=ISSUER,
                                options=_OPTIONS)
        except jwt.InvalidTokenError as exc:
            raise web.HTTPUnauthorized(text=f"invalid token: {exc}") from exc
        if int(claims["exp"]) < now:
            raise web.HTTPUnauthorized(text="token expired")
        if int(claims["exp"]) - int(claims.get("iat", 0)) > MAX_TOKEN_S:
            raise web.HTTPUnauthorized(text="token lasts longer than tokens may")
        staff = self._config.staff_by_id(str(claims["sub"]))
        if staff is None:
            raise web.HTTPUnauthorized(text="token names no current staff member")
        return Principal(staff.id, frozenset(r.value for r in staff.roles))

    def require(self, request: web.Request, now: float, *roles: Role) -> Principal:
        header = request.headers.get("Authorization", "")
        token = header.removeprefix("Bearer ").strip() or request.query.get("token", "")
        if not token:
            raise web.HTTPUnauthorized(text="missing bearer token")
        who = self.verify(token, now)
        if roles and not who.roles & {r.value for r in roles}:
            raise web.HTTPForbidden(text="this action needs the role: "
                                    + " or ".join(r.value for r in roles))
        return who
