"""The OpenID Connect client against a real provider (``oidc-provider`` in Node): a person
signs in through the provider's login form, and what comes back is checked as it would be
at ``/auth/callback``. Each refusal is asserted as the sentence the person would read."""

from __future__ import annotations

import base64
import hashlib
import json
import time
from collections.abc import Awaitable
from dataclasses import replace
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey

from sidecar.signin.oidc import Attempt, Identity, OidcClient, OidcSettings, SignInRefused
from tests.conftest import free_port, program_config
from tests.signin.oidc_provider import CLIENT_SECRET, MFA_PASSWORD, OidcProvider, login

UNREACHABLE = "the identity provider could not be reached"
MISCONFIGURED = "sign-in is not set up correctly for this program; please tell your administrator"
UNTRUSTED = "the identity provider's answer could not be verified; please sign in again"
EXPIRED = "this sign-in has expired; please sign in again"
CODE_REFUSED = "this sign-in took too long or was already used; please sign in again"
CLOCKS = "the identity provider's clock and this program's disagree; please tell your administrator"


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def payload(id_token: str) -> dict[str, Any]:
    """The claims as sent (not verified): to pick times around them."""
    part = id_token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))))


async def refusal(call: Awaitable[object]) -> SignInRefused:
    """The refusal, which carries no chained traceback."""
    with pytest.raises(SignInRefused) as caught:
        await call
    error = caught.value
    assert error.__cause__ is None and (error.__context__ is None or error.__suppress_context__)
    assert str(error) == error.reason
    return error


async def refused(call: Awaitable[object]) -> str:
    """The sentence a person is shown."""
    return (await refusal(call)).reason


async def callback(client: OidcClient, browser_http: httpx.AsyncClient, email: str,
                   password: str = "pw") -> tuple[str, Attempt]:
    """Begin, sign in at the provider, and return the code it sends back with the attempt."""
    attempt = await client.begin()
    back = await login(browser_http, attempt.url, email, password)
    params = query(back)
    assert back.startswith("http://127.0.0.1:8080/auth/callback?")
    assert params["state"] == attempt.state
    return params["code"], attempt


async def id_token(client: OidcClient, browser_http: httpx.AsyncClient, email: str,
                   password: str = "pw") -> tuple[str, Attempt]:
    code, attempt = await callback(client, browser_http, email, password)
    return await client.redeem(code, attempt), attempt


async def test_a_staff_member_signs_in(oidc: OidcClient, browser_http: httpx.AsyncClient) -> None:
    code, attempt = await callback(oidc, browser_http, "avery@example.org")
    identity = await oidc.finish(code, attempt, now=time.time())
    assert identity == Identity(email="avery@example.org", subject="sub-avery",
                                name="Avery Lindqvist", amr=("pwd",),
                                acr="urn:example:acr:password")
    staff = program_config().staff_by_email(identity.email)
    assert staff is not None and staff.id == "lead-avery"


async def test_someone_off_staff_is_identified_and_the_caller_finds_no_staff_member(
        oidc: OidcClient, browser_http: httpx.AsyncClient) -> None:
    code, attempt = await callback(oidc, browser_http, "stranger@example.org")
    identity = await oidc.finish(code, attempt, now=time.time())
    assert identity.email == "stranger@example.org"
    assert program_config().staff_by_email(identity.email) is None


async def test_every_attempt_has_its_own_state_nonce_and_pkce_verifier(oidc: OidcClient) -> None:
    first, second = await oidc.begin(), await oidc.begin()
    assert len({first.state, second.state}) == 2
    assert len({first.nonce, second.nonce}) == 2
    assert len({first.verifier, second.verifier}) == 2
    for attempt in (first, second):
        params = query(attempt.url)
        digest = hashlib.sha256(attempt.verifier.encode()).digest()
        assert params["code_challenge"] == base64.urlsafe_b64encode(digest).decode().rstrip("=")
        assert params["code_challenge_method"] == "S256"
        assert (params["state"], params["nonce"]) == (attempt.state, attempt.nonce)
        assert params["scope"] == "openid email profile"
        assert params["response_type"] == "code" and params["client_id"] == "tether"
        assert 43 <= len(attempt.verifier) <= 128


async def test_a_code_is_redeemed_only_with_its_attempts_verifier_and_only_once(
        oidc: OidcClient, browser_http: httpx.AsyncClient) -> None:
    code, attempt = await callback(oidc, browser_http, "morgan@example.org")
    other = await oidc.begin()
    assert await refused(oidc.finish(code, replace(attempt, verifier=other.verifier),
                                     now=time.time())) == CODE_REFUSED
    code, attempt = await callback(oidc, browser_http, "morgan@example.org")
    assert (await oidc.finish(code, attempt, now=time.time())).email == "morgan@example.org"
    assert await refused(oidc.finish(code, attempt, now=time.time())) == CODE_REFUSED


async def test_a_token_meant_for_another_application_is_refused(
        oidc_provider: OidcProvider, oidc: OidcClient, http: httpx.AsyncClient,
        browser_http: httpx.AsyncClient) -> None:
    other_app = OidcClient(oidc_provider.settings(client_id="other-app"), http)
    token, attempt = await id_token(other_app, browser_http, "riley@example.org")
    assert payload(token)["aud"] == "other-app"
    assert await refused(oidc.identity_from(token, attempt.nonce, now=time.time())) == (
        "this sign-in was meant for another application")


async def test_an_expired_token_is_refused(
        oidc: OidcClient, browser_http: httpx.AsyncClient) -> None:
    token, attempt = await id_token(oidc, browser_http, "jordan@example.org")
    exp = payload(token)["exp"]
    assert (await oidc.identity_from(token, attempt.nonce, now=exp - 1)).subject == "sub-jordan"
    assert await refused(oidc.identity_from(token, attempt.nonce, now=exp)) == EXPIRED
    assert await refused(oidc.identity_from(token, attempt.nonce, now=exp + 3600)) == EXPIRED


async def test_a_token_issued_ahead_of_our_clock_is_accepted_within_a_minute(
        oidc: OidcClient, browser_http: httpx.AsyncClient) -> None:
    token, attempt = await id_token(oidc, browser_http, "jordan@example.org")
    iat = payload(token)["iat"]
    assert (await oidc.identity_from(token, attempt.nonce, now=iat - 60)).email
    assert await refused(oidc.identity_from(token, attempt.nonce, now=iat - 61)) == CLOCKS


async def test_a_token_from_another_attempt_is_refused(
        oidc: OidcClient, browser_http: httpx.AsyncClient) -> None:
    token, _ = await id_token(oidc, browser_http, "sasha@example.org")
    elsewhere = await oidc.begin()
    assert await refused(oidc.identity_from(token, elsewhere.nonce, now=time.time())) == (
        "the sign-in was replayed or came from another tab")


async def test_an_unverified_email_is_refused(oidc: OidcClient,
                                              browser_http: httpx.AsyncClient) -> None:
    code, attempt = await callback(oidc, browser_http, "unverified@example.org")
    assert await refused(oidc.finish(code, attempt, now=time.time())) == (
        "your identity provider has not verified your email address")


async def test_multi_factor_when_the_program_requires_it(
        oidc_provider: OidcProvider, http: httpx.AsyncClient,
        browser_http: httpx.AsyncClient) -> None:
    strict = OidcClient(oidc_provider.settings(require_mfa=True), http)
    code, attempt = await callback(strict, browser_http, "quinn@example.org")
    assert await refused(strict.finish(code, attempt, now=time.time())) == (
        "this program requires multi-factor sign-in; please sign in again with your second "
        "factor (for example your authenticator app)")
    code, attempt = await callback(strict, browser_http, "quinn@example.org", MFA_PASSWORD)
    identity = await strict.finish(code, attempt, now=time.time())
    assert (identity.email, identity.amr, identity.acr) == (
        "quinn@example.org", ("pwd", "mfa"), "urn:example:acr:mfa")


async def test_a_tampered_token_is_refused(
        oidc: OidcClient, browser_http: httpx.AsyncClient) -> None:
    token, attempt = await id_token(oidc, browser_http, "avery@example.org")
    header, body, signature = token.split(".")
    flipped = signature[:10] + ("A" if signature[10] != "A" else "B") + signature[11:]
    claims = payload(token) | {"email": "sasha@example.org"}
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    unsigned = base64.urlsafe_b64encode(b'{"alg":"none"}').decode().rstrip("=")
    for bad in (f"{header}.{body}.{flipped}", f"{header}.{forged}.{signature}",
                f"{unsigned}.{body}.", "not a token"):
        assert await refused(oidc.identity_from(bad, attempt.nonce, now=time.time())) == UNTRUSTED
    assert (await oidc.identity_from(token, attempt.nonce, now=time.time())).email == (
        "avery@example.org")


async def test_a_key_the_provider_does_not_publish_is_looked_up_once_more_then_refused(
        oidc_provider: OidcProvider, browser_http: httpx.AsyncClient) -> None:
    fetched: list[str] = []

    async def count(request: httpx.Request) -> None:
        fetched.append(request.url.path)

    async with httpx.AsyncClient(event_hooks={"request": [count]}) as http:
        client = OidcClient(oidc_provider.settings(), http)
        token, attempt = await id_token(client, browser_http, "riley@example.org")
        foreign = RSAKey.generate_key(2048, parameters={"kid": "rotated-away"})
        forged = jwt.encode({"alg": "RS256", "kid": "rotated-away"}, payload(token), foreign)
        assert await refused(client.identity_from(forged, attempt.nonce, now=time.time())) == (
            UNTRUSTED)
        assert await client.identity_from(token, attempt.nonce, now=time.time())
    jwks = [path for path in fetched if path not in ("/.well-known/openid-configuration",
                                                     "/token")]
    assert len(jwks) == 2  # the first look, one more for the unknown key, then cached


async def test_an_unreachable_provider_is_said_plainly(http: httpx.AsyncClient) -> None:
    settings = OidcSettings(issuer=f"http://127.0.0.1:{free_port()}", client_id="tether",
                            client_secret=CLIENT_SECRET,
                            redirect_uri="http://127.0.0.1:8080/auth/callback")
    assert await refused(OidcClient(settings, http).begin()) == UNREACHABLE


async def test_a_provider_that_names_another_issuer_is_a_configuration_fault(
        oidc_provider: OidcProvider, http: httpx.AsyncClient) -> None:
    # same discovery document, but the program was configured with a trailing slash
    settings = replace(oidc_provider.settings(), issuer=oidc_provider.issuer + "/")
    error = await refusal(OidcClient(settings, http).begin())
    assert (error.reason, error.detail) == (MISCONFIGURED, "discovery names another issuer")
    nowhere = replace(oidc_provider.settings(), issuer=oidc_provider.issuer + "/tenant-x")
    error = await refusal(OidcClient(nowhere, http).begin())
    assert (error.reason, error.detail) == (MISCONFIGURED, "discovery: HTTP 404")


async def test_a_wrong_client_secret_is_a_configuration_fault(
        oidc_provider: OidcProvider, http: httpx.AsyncClient,
        browser_http: httpx.AsyncClient) -> None:
    wrong = OidcClient(replace(oidc_provider.settings(), client_secret="not-the-secret"), http)
    code, attempt = await callback(wrong, browser_http, "avery@example.org")
    error = await refusal(wrong.finish(code, attempt, now=time.time()))
    assert (error.reason, error.detail) == (MISCONFIGURED,
                                            "token endpoint: HTTP 401 invalid_client")


def test_a_plain_http_issuer_is_allowed_only_on_this_machine() -> None:
    with pytest.raises(ValueError, match="https"):
        OidcSettings(issuer="http://idp.example.org", client_id="tether", client_secret="s",
                     redirect_uri="https://tether.example.org/auth/callback")
    assert OidcSettings(issuer="https://idp.example.org", client_id="tether", client_secret="s",
                        redirect_uri="https://tether.example.org/auth/callback")


def test_an_unstated_email_is_accepted_only_when_the_program_says_so() -> None:
    from sidecar.signin.oidc import UNVERIFIED, _identity

    unstated = {"sub": "s1", "email": "avery@example.org"}  # as Microsoft Entra ID sends it
    with pytest.raises(SignInRefused) as refused:
        _identity(unstated)
    assert refused.value.reason == UNVERIFIED
    assert _identity(unstated, accept_unstated=True).email == "avery@example.org"
    with pytest.raises(SignInRefused):  # an explicit "not verified" is never accepted
        _identity({**unstated, "email_verified": False}, accept_unstated=True)
