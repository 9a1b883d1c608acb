"""Jitsi join tokens: the claims Prosody's token module reads, and every token it refuses
(expired, not yet valid, wrong audience, issuer or room, ``alg: none``, a wrong key)."""

from __future__ import annotations

import base64
import json
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from plugins.jitsi.tokens import Acceptance, JoinTokens, TokenRefused, hs256, rs256, verify

NOW = 1_800_000_000.0
SECRET = "synthetic-jitsi-app-secret-0123456789abcdef"
ROOM = "tuesday-evening-group"
DOMAIN = "meet.example.org"
MINTER = hs256("tether-app", SECRET, audience="jitsi", domain=DOMAIN)
ACCEPT = Acceptance("HS256", SECRET, issuers=["tether-app"], audiences=["jitsi"])


def client_token(now: float = NOW, room: str = ROOM) -> str:
    return MINTER.mint(room, "u-0001", "Casey", moderator=False, now=now)


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def test_client_token_claims_and_header() -> None:
    token = client_token(room="Tuesday-Evening-Group")
    assert jwt.get_unverified_header(token) == {"alg": "HS256", "typ": "JWT"}
    claims = verify(token, ACCEPT, room=ROOM, now=NOW)
    assert claims["iss"] == "tether-app" and claims["aud"] == "jitsi"
    assert claims["sub"] == DOMAIN and claims["room"] == ROOM  # lower case
    assert claims["iat"] == int(NOW) and claims["nbf"] <= int(NOW) < claims["exp"]
    assert claims["context"] == {"user": {"id": "u-0001", "name": "Casey"}}


def test_staff_token_is_a_moderator() -> None:
    token = MINTER.mint(ROOM, "u-staff", "Avery Lindqvist", moderator=True, now=NOW)
    user = verify(token, ACCEPT, room=ROOM, now=NOW)["context"]["user"]
    assert user == {"id": "u-staff", "name": "Avery Lindqvist", "moderator": True,
                    "affiliation": "owner"}


@pytest.mark.parametrize("now, reason", [
    (NOW + MINTER.ttl_s, "token expired"),  # Prosody refuses at exp itself
    (NOW + 10 * 3600, "token expired"),
    (NOW - 3600, "token not valid yet"),
])
def test_times_against_the_injected_clock(now: float, reason: str) -> None:
    with pytest.raises(TokenRefused, match=reason):
        verify(client_token(), ACCEPT, room=ROOM, now=now)


def test_wrong_audience_issuer_or_room_refused() -> None:
    token = client_token()
    other_aud = Acceptance("HS256", SECRET, issuers=["tether-app"], audiences=["other"])
    with pytest.raises(TokenRefused, match="audience"):
        verify(token, other_aud, room=ROOM, now=NOW)
    other_iss = Acceptance("HS256", SECRET, issuers=["someone-else"], audiences=["jitsi"])
    with pytest.raises(TokenRefused, match="issuer"):
        verify(token, other_iss, room=ROOM, now=NOW)
    with pytest.raises(TokenRefused, match="another room"):
        verify(token, ACCEPT, room="thursday-group", now=NOW)


def test_wildcards_accepted() -> None:
    any_aud = Acceptance("HS256", SECRET, issuers=["tether-app"])  # asap default "*"
    assert verify(client_token(), any_aud, room=ROOM, now=NOW)["room"] == ROOM
    claims = {"iss": "tether-app", "aud": "jitsi", "room": "*", "exp": int(NOW) + 60}
    every_room = jwt.encode(claims, SECRET, algorithm="HS256", headers={"typ": "JWT"})
    assert verify(every_room, ACCEPT, room="thursday-group", now=NOW)["room"] == "*"


def test_alg_none_refused() -> None:
    claims = json.loads(base64.urlsafe_b64decode(client_token().split(".")[1] + "=="))
    unsigned = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."
    with pytest.raises(TokenRefused, match="algorithm 'none'"):
        verify(unsigned, ACCEPT, room=ROOM, now=NOW)


def test_wrong_secret_and_tampering_refused() -> None:
    forged = hs256("tether-app", "another-secret-that-is-long-enough-000000",
                   audience="jitsi", domain=DOMAIN).mint(ROOM, "u-1", "X", moderator=True,
                                                         now=NOW)
    with pytest.raises(TokenRefused, match="signature"):
        verify(forged, ACCEPT, room=ROOM, now=NOW)
    head, body, sig = client_token().split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=="))
    claims["context"]["user"]["moderator"] = True
    with pytest.raises(TokenRefused, match="signature"):
        verify(f"{head}.{_b64(claims)}.{sig}", ACCEPT, room=ROOM, now=NOW)


def test_header_must_say_jwt_and_times_must_be_numbers() -> None:
    claims = {"iss": "tether-app", "aud": "jitsi", "room": ROOM, "exp": int(NOW) + 60}
    no_typ = jwt.encode(claims, SECRET, algorithm="HS256", headers={"typ": "JWS"})
    with pytest.raises(TokenRefused, match="typ"):
        verify(no_typ, ACCEPT, room=ROOM, now=NOW)
    text_exp = jwt.encode(claims | {"exp": "soon"}, SECRET, algorithm="HS256",
                          headers={"typ": "JWT"})
    with pytest.raises(TokenRefused, match="exp is not a number"):
        verify(text_exp, ACCEPT, room=ROOM, now=NOW)
    with pytest.raises(TokenRefused, match="malformed"):
        verify("not-a-token", ACCEPT, room=ROOM, now=NOW)


def _rsa() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo)
    return private, public.decode()


def test_rs256_with_a_generated_key() -> None:
    private, public = _rsa()
    minter = rs256("tether-app", private, "jitsi/tether-2027", audience="jitsi", domain=DOMAIN)
    token = minter.mint(ROOM, "u-0001", "Casey", moderator=False, now=NOW)
    assert jwt.get_unverified_header(token) == {"alg": "RS256", "typ": "JWT",
                                                "kid": "jitsi/tether-2027"}
    accept = Acceptance("RS256", public, issuers=["tether-app"], audiences=["jitsi"])
    assert verify(token, accept, room=ROOM, now=NOW)["context"]["user"]["id"] == "u-0001"
    _, other_public = _rsa()
    with pytest.raises(TokenRefused, match="signature"):
        verify(token, Acceptance("RS256", other_public, issuers=["tether-app"]), room=ROOM,
               now=NOW)
    with pytest.raises(TokenRefused, match="algorithm 'RS256' is not HS256"):
        verify(token, ACCEPT, room=ROOM, now=NOW)  # a deployment expecting HS256


def test_hs256_token_refused_where_rs256_is_expected() -> None:
    _, public = _rsa()
    accept = Acceptance("RS256", public, issuers=["tether-app"])
    with pytest.raises(TokenRefused, match="algorithm 'HS256' is not RS256"):
        verify(client_token(), accept, room=ROOM, now=NOW)


def test_minters_need_keys() -> None:
    with pytest.raises(ValueError, match="app id and a key"):
        hs256("tether-app", "", audience="jitsi", domain=DOMAIN)
    with pytest.raises(ValueError, match="kid"):
        JoinTokens("tether-app", "jitsi", DOMAIN, "RS256", "-----BEGIN PRIVATE KEY-----")
