"""Jitsi join tokens (JWT), minted for Prosody's ``token`` authentication (pure, no I/O).

Claims (lib-jitsi-meet ``doc/tokens.md``): ``iss`` the app id, ``aud`` the accepted
audience, ``sub`` the deployment's domain, ``room`` the room name in lowercase, ``exp``,
``nbf``, ``iat``, and ``context.user`` {``id``, ``name``, and for staff ``moderator: true``
with ``affiliation: "owner"``, which ``mod_token_affiliation`` turns into the owner role}.
HS256 signs with the app secret; RS256 with a private key whose public half Prosody fetches
by the header's ``kid`` from its ASAP key server.

``verify`` applies the checks Prosody's token module applies, against an injected clock, so
tests can show which tokens a deployment would refuse.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, Literal

import jwt
from jwt.types import Options

Algorithm = Literal["HS256", "RS256"]
DEFAULT_TTL_S = 4 * 3600  # a group session plus reconnects; Prosody checks it at each connect
CLOCK_SKEW_S = 60  # ``nbf`` this far back, so a Prosody clock a little behind ours accepts it


class TokenRefused(Exception):
    """A token Prosody's token module would refuse; ``reason`` says which check failed."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class JoinTokens:
    """Mints join tokens for one deployment (``domain``) and one app (``app_id``)."""

    app_id: str
    audience: str
    domain: str
    algorithm: Algorithm
    key: str  # the app secret (HS256) or a PEM private key (RS256)
    key_id: str = ""  # RS256: the ``kid`` Prosody looks the public key up by
    ttl_s: int = DEFAULT_TTL_S

    def __post_init__(self) -> None:
        if not (self.app_id and self.key):
            raise ValueError("a Jitsi join token needs an app id and a key")
        if self.algorithm == "RS256" and not self.key_id:
            raise ValueError("RS256 join tokens need a key id (kid)")

    def claims(self, room: str, user_id: str, name: str, *, moderator: bool,
               now: float) -> dict[str, Any]:
        user: dict[str, Any] = {"id": user_id, "name": name}
        if moderator:
            user |= {"moderator": True, "affiliation": "owner"}
        iat = int(now)
        return {"iss": self.app_id, "aud": self.audience, "sub": self.domain,
                "room": room.lower(), "iat": iat, "nbf": iat - CLOCK_SKEW_S,
                "exp": iat + self.ttl_s, "context": {"user": user}}

    def mint(self, room: str, user_id: str, name: str, *, moderator: bool, now: float) -> str:
        headers = {"typ": "JWT"} | ({"kid": self.key_id} if self.key_id else {})
        return jwt.encode(self.claims(room, user_id, name, moderator=moderator, now=now),
                          self.key, algorithm=self.algorithm, headers=headers)


def hs256(app_id: str, secret: str, *, audience: str, domain: str,
          ttl_s: int = DEFAULT_TTL_S) -> JoinTokens:
    return JoinTokens(app_id, audience, domain, "HS256", secret, ttl_s=ttl_s)


def rs256(app_id: str, private_key_pem: str, key_id: str, *, audience: str, domain: str,
          ttl_s: int = DEFAULT_TTL_S) -> JoinTokens:
    return JoinTokens(app_id, audience, domain, "RS256", private_key_pem, key_id, ttl_s)


# ---- what Prosody checks ------------------------------------------------------------------

@dataclass(frozen=True)
class Acceptance:
    """A deployment's token settings: ``signature_algorithm``, ``app_secret`` or the public
    key, ``asap_accepted_issuers``, ``asap_accepted_audiences``."""

    algorithm: Algorithm
    key: str  # the app secret (HS256) or a PEM public key (RS256)
    issuers: Collection[str]
    audiences: Collection[str] = ("*",)


def _header(token: str, algorithm: Algorithm) -> None:
    try:
        header = jwt.get_unverified_header(token)
    except jwt.InvalidTokenError as exc:
        raise TokenRefused(f"malformed token: {exc}") from exc
    if header.get("alg") != algorithm:
        raise TokenRefused(f"algorithm {header.get('alg')!r} is not {algorithm}")
    if header.get("typ") != "JWT":
        raise TokenRefused("header typ is not JWT")


def _signed_claims(token: str, accept: Acceptance) -> dict[str, Any]:
    options: Options = {"verify_exp": False, "verify_nbf": False,
                                  "verify_iat": False, "verify_aud": False,
                                  "verify_iss": False}
    try:
        claims: dict[str, Any] = jwt.decode(token, accept.key, algorithms=[accept.algorithm],
                                            options=options)
    except jwt.InvalidSignatureError as exc:
        raise TokenRefused("signature does not verify") from exc
    except jwt.InvalidTokenError as exc:
        raise TokenRefused(f"invalid token: {exc}") from exc
    return claims


def _times(claims: dict[str, Any], now: float) -> None:
    """luajwtjitsi: ``exp``/``nbf`` must be numbers; refused at or after ``exp`` and
    before ``nbf`` (``exp`` itself is optional there; we always mint one)."""
    for name in ("exp", "nbf"):
        value = claims.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise TokenRefused(f"{name} is not a number")
    if "exp" in claims and now >= claims["exp"]:
        raise TokenRefused("token expired")
    if "nbf" in claims and now < claims["nbf"]:
        raise TokenRefused("token not valid yet")


def _accepted(claims: dict[str, Any], accept: Acceptance, room: str) -> None:
    if claims.get("iss") not in accept.issuers:
        raise TokenRefused("issuer not accepted")
    aud = claims.get("aud")
    if "*" not in accept.audiences and aud not in accept.audiences:
        raise TokenRefused("audience not accepted")
    claimed = claims.get("room")
    if not isinstance(claimed, str):
        raise TokenRefused("no room claim")
    if claimed != "*" and claimed.lower() != room.lower():
        raise TokenRefused("token is for another room")


def verify(token: str, accept: Acceptance, *, room: str, now: float) -> dict[str, Any]:
    """The token's claims if Prosody would let it into ``room`` at ``now``; otherwise
    ``TokenRefused``. ``sub`` is not checked (Prosody checks it only with
    ``enable_domain_verification``)."""
    _header(token, accept.algorithm)
    claims = _signed_claims(token, accept)
    _times(claims, now)
    _accepted(claims, accept, room)
    return claims
