"""OpenID Connect sign-in: the authorization code flow with PKCE (S256), and the checks an ID
token must pass before anyone is let in.

The routes call :meth:`OidcClient.begin`, keep the :class:`Attempt` under its ``state`` for
ten minutes, send the browser to ``attempt.url``, and on the way back hand the code and the
stored attempt to :meth:`OidcClient.finish`. Every refusal is :class:`SignInRefused`: its
``reason`` is one sentence a clinician can read, its ``detail`` is for the operator's log
(never an email address or a token).

Authlib builds the requests (PKCE, the authorization URL, the token request and its client
authentication); joserfc verifies the ID token against the provider's published keys.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
from authlib.common.security import generate_token
from authlib.oauth2.auth import ClientAuth
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri, prepare_token_request
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.errors import (
    ClaimError,
    ExpiredTokenError,
    InvalidClaimError,
    InvalidKeyIdError,
    JoseError,
)
from joserfc.jwk import KeySet

SCOPE = "openid email profile"
SKEW = 60  # seconds an ID token's "iat" may run ahead of our clock
TIMEOUT = httpx.Timeout(10.0)
# RFC 8176 authentication method references that mean more than one factor
MFA_METHODS = frozenset({"mfa", "otp", "hwk", "swk", "sms", "fpt", "face", "pop"})
# asymmetric signatures only: a provider signs with a private key and publishes the public one
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
              "ES256", "ES384", "ES512", "EdDSA"]
LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})

UNREACHABLE = "the identity provider could not be reached"
MISCONFIGURED = "sign-in is not set up correctly for this program; please tell your administrator"
UNTRUSTED = "the identity provider's answer could not be verified; please sign in again"
EXPIRED = "this sign-in has expired; please sign in again"
CODE_REFUSED = "this sign-in took too long or was already used; please sign in again"
OTHER_APPLICATION = "this sign-in was meant for another application"
REPLAYED = "the sign-in was replayed or came from another tab"
NO_EMAIL = "your identity provider did not share your email address with this program"
UNVERIFIED = "your identity provider has not verified your email address"
NEEDS_MFA = ("this program requires multi-factor sign-in; please sign in again with your "
             "second factor (for example your authenticator app)")
CLAIM_REASONS = {
    "iss": "this sign-in came from an identity provider this program does not use",
    "aud": OTHER_APPLICATION,
    "azp": OTHER_APPLICATION,
    "nonce": REPLAYED,
    "iat": "the identity provider's clock and this program's disagree; "
           "please tell your administrator",
    "nbf": EXPIRED,
}


@dataclass(frozen=True)
class OidcSettings:
    issuer: str
    client_id: str
    client_secret: str
    redirect_uri: str
    require_mfa: bool = False
    # Entra ID sends no email_verified claim: a single-tenant program may accept its absence
    # (an explicit false is refused whatever this says)
    accept_unstated_email: bool = False

    def __post_init__(self) -> None:
        if not _secure(self.issuer):
            raise ValueError("the issuer must be an https:// URL (http:// only on this machine)")


@dataclass(frozen=True)
class Attempt:
    """What the caller keeps, keyed by ``state``, until the provider sends the person back."""

    url: str
    state: str
    nonce: str
    verifier: str


@dataclass(frozen=True)
class Identity:
    email: str
    subject: str
    name: str | None
    amr: tuple[str, ...]
    acr: str | None


class SignInRefused(Exception):
    """``reason``: one plain sentence a clinician can read; ``detail``: for the log."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class _Endpoints:
    authorization: str
    token: str
    jwks: str
    auth_method: str  # client_secret_basic or client_secret_post


class OidcClient:
    """One per program: discovery and the provider's keys are cached for its lifetime
    (the keys are fetched again once when a token names a key we do not know)."""

    def __init__(self, settings: OidcSettings, http: httpx.AsyncClient) -> None:
        self._settings = settings
        self._http = http
        self._endpoints: _Endpoints | None = None
        self._keys: KeySet | None = None

    @property
    def settings(self) -> OidcSettings:
        return self._settings

    async def begin(self) -> Attempt:
        endpoints = await self._discover()
        state, nonce, verifier = generate_token(32), generate_token(32), generate_token(64)
        url = prepare_grant_uri(
            endpoints.authorization, self._settings.client_id, "code",
            redirect_uri=self._settings.redirect_uri, scope=SCOPE, state=state, nonce=nonce,
            code_challenge=create_s256_code_challenge(verifier), code_challenge_method="S256")
        return Attempt(url=str(url), state=state, nonce=nonce, verifier=verifier)

    async def finish(self, code: str, attempt: Attempt, now: float) -> Identity:
        """Redeem the code the provider sent back, then check the ID token it answers with."""
        id_token = await self.redeem(code, attempt)
        return await self.identity_from(id_token, attempt.nonce, now)

    async def redeem(self, code: str, attempt: Attempt) -> str:
        """The code exchange alone: the ID token, unchecked."""
        endpoints = await self._discover()
        body = prepare_token_request("authorization_code", code=code,
                                     redirect_uri=self._settings.redirect_uri,
                                     code_verifier=attempt.verifier)
        auth = ClientAuth(self._settings.client_id, self._settings.client_secret,
                          endpoints.auth_method)
        headers = {"Content-Type": "application/x-www-form-urlencoded",
                   "Accept": "application/json"}
        url, headers, body = auth.prepare("POST", endpoints.token, headers, body)
        answer = await self._request("POST", url, headers=headers, content=body)
        return _id_token_of(answer)

    async def identity_from(self, id_token: str, nonce: str, now: float) -> Identity:
        """Check an ID token: the provider's signature, issuer, audience, times (by ``now``,
        the caller's clock), nonce, a verified email, and multi-factor when required."""
        claims = await self._verified_claims(id_token)
        _check_claims(claims, self._settings, nonce, now)
        identity = _identity(claims, self._settings.accept_unstated_email)
        if self._settings.require_mfa and not MFA_METHODS.intersection(identity.amr):
            raise SignInRefused(NEEDS_MFA, f"amr {list(identity.amr)} has no second factor")
        return identity

    async def _discover(self) -> _Endpoints:
        if self._endpoints is None:
            url = self._settings.issuer.rstrip("/") + "/.well-known/openid-configuration"
            answer = await self._request("GET", url)
            self._endpoints = _endpoints(_json_object(answer, "discovery"), self._settings.issuer)
        return self._endpoints

    async def _key_set(self, refresh: bool) -> KeySet:
        if self._keys is None or refresh:
            endpoints = await self._discover()
            jwks = _json_object(await self._request("GET", endpoints.jwks), "jwks")
            try:
                self._keys = KeySet.import_key_set(jwks)  # type: ignore[arg-type]
            except (JoseError, ValueError, TypeError, KeyError) as exc:
                raise SignInRefused(MISCONFIGURED, f"unusable jwks: {exc!r}") from None
        return self._keys

    async def _verified_claims(self, id_token: str) -> dict[str, Any]:
        try:
            return await self._decode(id_token, refresh=False)
        except InvalidKeyIdError:
            pass  # the provider may have rotated its keys since we fetched them
        try:
            return await self._decode(id_token, refresh=True)
        except InvalidKeyIdError:
            detail = "signed by a key the provider does not publish"
            raise SignInRefused(UNTRUSTED, detail) from None

    async def _decode(self, id_token: str, refresh: bool) -> dict[str, Any]:
        keys = await self._key_set(refresh)
        try:
            return jwt.decode(id_token, keys, algorithms=ALGORITHMS).claims
        except InvalidKeyIdError:
            raise
        except (JoseError, ValueError) as exc:
            raise SignInRefused(UNTRUSTED, f"id token not verified: {type(exc).__name__}") from None

    async def _request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        try:
            return await self._http.request(method, url, timeout=TIMEOUT, **kwargs)
        except httpx.HTTPError as exc:
            raise SignInRefused(UNREACHABLE, f"{method} {url}: {type(exc).__name__}") from None


def _secure(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in LOOPBACK)


def _json_object(answer: httpx.Response, what: str) -> dict[str, Any]:
    if answer.status_code != 200:
        raise SignInRefused(MISCONFIGURED, f"{what}: HTTP {answer.status_code}")
    try:
        document = answer.json()
    except ValueError:
        document = None
    if not isinstance(document, dict):
        raise SignInRefused(MISCONFIGURED, f"{what}: not a JSON object")
    return document


def _endpoints(metadata: Mapping[str, Any], issuer: str) -> _Endpoints:
    if metadata.get("issuer") != issuer:
        raise SignInRefused(MISCONFIGURED, "discovery names another issuer")
    urls = [metadata.get(k) for k in ("authorization_endpoint", "token_endpoint", "jwks_uri")]
    if not all(isinstance(url, str) and _secure(url) for url in urls):
        raise SignInRefused(MISCONFIGURED, "discovery lacks an endpoint, or one is not https")
    methods = metadata.get("token_endpoint_auth_methods_supported", ["client_secret_basic"])
    usable = [m for m in ("client_secret_basic", "client_secret_post") if m in methods]
    if not usable:
        raise SignInRefused(MISCONFIGURED, f"no client secret method among {methods!r}")
    return _Endpoints(str(urls[0]), str(urls[1]), str(urls[2]), usable[0])


def _id_token_of(answer: httpx.Response) -> str:
    if answer.status_code != 200:
        error = _token_error(answer)
        reason = CODE_REFUSED if error == "invalid_grant" else MISCONFIGURED
        raise SignInRefused(reason, f"token endpoint: HTTP {answer.status_code} {error}")
    id_token = _json_object(answer, "token response").get("id_token")
    if not isinstance(id_token, str):
        raise SignInRefused(MISCONFIGURED, "token response without an id_token")
    return id_token


def _token_error(answer: httpx.Response) -> str:
    try:
        error = answer.json().get("error")
    except (ValueError, AttributeError):
        return "(no error code)"
    return error if isinstance(error, str) else "(no error code)"


def _check_claims(claims: dict[str, Any], settings: OidcSettings, nonce: str,
                  now: float) -> None:
    rules = jwt.JWTClaimsRegistry(
        now=int(now), leeway=SKEW,
        iss={"essential": True, "value": settings.issuer},
        aud={"essential": True, "value": settings.client_id},
        sub={"essential": True}, exp={"essential": True}, iat={"essential": True},
        nonce={"essential": True, "value": nonce})
    try:
        rules.validate(claims)
        _check_expiry(claims["exp"], now)
        _check_azp(claims, settings.client_id)
    except ClaimError as exc:
        reason = EXPIRED if isinstance(exc, ExpiredTokenError) else CLAIM_REASONS.get(
            exc.claim, UNTRUSTED)
        raise SignInRefused(reason, f"claim {exc.claim}: {exc.error}") from None


def _check_expiry(exp: float, now: float) -> None:
    """No leeway for ``exp``: the registry's allows for ``iat`` running ahead only."""
    if exp <= now:
        raise ExpiredTokenError("exp")


def _check_azp(claims: Mapping[str, Any], client_id: str) -> None:
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    azp = claims.get("azp")
    if (len(audiences) > 1 or azp is not None) and azp != client_id:
        raise InvalidClaimError("azp")


def _identity(claims: Mapping[str, Any], accept_unstated: bool = False) -> Identity:
    email = claims.get("email")
    if not isinstance(email, str) or not email.strip():
        raise SignInRefused(NO_EMAIL, "id token without an email claim")
    stated = claims.get("email_verified")
    if stated not in (True, "true") and not (accept_unstated and stated is None):
        raise SignInRefused(UNVERIFIED, "email_verified is not true")
    amr = claims.get("amr")
    name, acr = claims.get("name"), claims.get("acr")
    return Identity(
        email=email.strip(), subject=str(claims["sub"]),
        name=name if isinstance(name, str) else None,
        amr=tuple(m for m in amr if isinstance(m, str)) if isinstance(amr, list) else (),
        acr=acr if isinstance(acr, str) else None)
