"""Signing in through a real OpenID provider (``oidc-provider`` in Node) into the real
sidecar: a person in Chromium, and refusals said in plain words."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.checkin.test_checkin import browser  # noqa: F401  (the Playwright fixture)
from tests.conftest import TwilioStandIn, free_port, running_sidecar
from tests.signin.oidc_provider import (
    CLIENT_SECRET,
    MFA_PASSWORD,
    OidcProvider,
    available,
    login,
    require_in_ci,
)

PORT = free_port()  # the sidecar's port: the provider knows its redirect URI in advance


@pytest.fixture(scope="module")
def idp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OidcProvider]:
    require_in_ci()
    if available():
        pytest.skip(f"no test OpenID provider: {available()}")
    provider = OidcProvider(log=tmp_path_factory.mktemp("idp") / "provider.log",
                            redirect_uri=f"http://127.0.0.1:{PORT}/auth/callback")
    provider.start()
    yield provider
    provider.stop()


@pytest.fixture
def require_mfa() -> bool:
    return False


@pytest.fixture
async def site(redis_url: str, tmp_path: Path, standin: tuple[TwilioStandIn, str],
               idp: OidcProvider, require_mfa: bool) -> AsyncIterator[Any]:
    settings = {"tether_oidc_issuer": idp.issuer, "tether_oidc_client_id": "tether",
                "tether_oidc_client_secret": CLIENT_SECRET,
                "tether_oidc_require_mfa": require_mfa}
    # the provider's tokens carry real times, so this sidecar's clock starts at real now
    async with running_sidecar(redis_url, tmp_path, standin, {}, port=PORT,
                               clock_start=time.time(), settings=settings) as h:
        yield h


async def _audit(h: Any, prefix: str) -> list[dict[str, str]]:
    return [e for _, e in await h.tether.redis.xrange("{tether}:audit")
            if e["action"].startswith(prefix)]


async def test_an_admin_signs_in_in_the_browser_and_out_again(site: Any,
                                                              browser: Any) -> None:  # noqa: F811
    h = site
    context = await browser.new_context()
    page = await context.new_page()
    await page.goto(f"{h.base}/admin")
    await page.wait_for_selector("input[name=login]")  # the provider's own login page
    assert not page.url.startswith(h.base)
    await page.fill("input[name=login]", "jordan@example.org")
    await page.fill("input[name=password]", "a password")
    await page.click("button[type=submit]")
    await page.wait_for_selector("body[data-ready=yes]")
    assert page.url == f"{h.base}/admin"
    assert "Signed in as Jordan Pell" in (await page.text_content("header") or "")
    cookie = next(c for c in await context.cookies() if c["name"] == "__Host-tether")
    assert cookie["httpOnly"] and cookie["secure"] and cookie["sameSite"] == "Lax"
    started = await _audit(h, "session.started:signin")
    assert started and started[0]["actor"] == "admin-jordan" and started[0]["source"]

    await page.click("#sign-out")
    await page.wait_for_url("**/auth/signed-out")
    assert "You are signed out" in (await page.text_content("h1") or "")
    old = {"Cookie": f"__Host-tether={cookie['value']}"}
    assert (await h.http.get(f"{h.base}/auth/me", headers=old)).status_code == 401
    assert await _audit(h, "session.signed_out")
    await context.close()


async def _callback(h: Any, idp_browser: httpx.AsyncClient, email: str,
                    password: str = "pw") -> str:
    """Start a sign-in at the sidecar, log in at the provider; the URL it sends us back to."""
    start = await h.http.get(f"{h.base}/auth/login?next=/admin")
    assert start.status_code == 302
    return await login(idp_browser, start.headers["location"], email, password)


@pytest.fixture
async def idp_browser() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(follow_redirects=False) as client:
        yield client


async def test_a_person_not_on_staff_is_told_whom_to_ask(
        site: Any, idp_browser: httpx.AsyncClient) -> None:
    h = site
    back = await h.http.get(await _callback(h, idp_browser, "stranger@example.org"))
    assert back.status_code == 403 and "set-cookie" not in back.headers
    assert "stranger@example.org" in back.text and "not on the staff list" in back.text
    assert "Jordan Pell" in back.text  # the program's admin, by name
    refused = await _audit(h, "signin.refused:unknown")
    assert refused and refused[0]["actor"] == "stranger@example.org"


async def test_an_unverified_address_is_refused(site: Any,
                                                idp_browser: httpx.AsyncClient) -> None:
    back = await site.http.get(await _callback(site, idp_browser, "unverified@example.org"))
    assert back.status_code == 403 and "has not verified your email address" in back.text


async def test_a_sign_in_cannot_be_replayed(site: Any, idp_browser: httpx.AsyncClient) -> None:
    h = site
    url = await _callback(h, idp_browser, "avery@example.org")
    first = await h.http.get(url)
    assert first.status_code == 302 and first.headers["location"] == "/admin"
    assert first.headers["set-cookie"].startswith("__Host-tether=")
    again = await h.http.get(url)
    assert again.status_code == 400 and "already used" in again.text
    assert await _audit(h, "signin.refused:state")


async def test_an_expired_id_token_is_refused(site: Any,
                                              idp_browser: httpx.AsyncClient) -> None:
    h = site
    url = await _callback(h, idp_browser, "avery@example.org")
    h.clock.advance(2 * 3600)  # the provider's ID tokens last an hour
    back = await h.http.get(url)
    assert back.status_code == 403 and "expired" in back.text
    assert "set-cookie" not in back.headers


async def test_a_sign_in_from_another_tab_is_refused(site: Any,
                                                     idp_browser: httpx.AsyncClient) -> None:
    h = site
    url = await _callback(h, idp_browser, "avery@example.org")
    state = httpx.URL(url).params["state"]
    key = f"{{tether}}:signin:{state}"
    stored = json.loads(await h.tether.redis.get(key))
    stored["nonce"] = "a-nonce-from-another-attempt"  # as if another tab's sign-in came back
    await h.tether.redis.set(key, json.dumps(stored))
    back = await h.http.get(url)
    assert back.status_code == 403 and "replayed or came from another tab" in back.text


async def test_a_next_page_elsewhere_is_not_followed(site: Any,
                                                     idp_browser: httpx.AsyncClient) -> None:
    h = site
    start = await h.http.get(f"{h.base}/auth/login?next=//evil.example.org/")
    url = await login(idp_browser, start.headers["location"], "avery@example.org")
    back = await h.http.get(url)
    assert back.status_code == 302 and back.headers["location"] == "/auth/signed-in"


@pytest.mark.parametrize("require_mfa", [True])
async def test_multi_factor_when_the_program_requires_it(
        site: Any, idp_browser: httpx.AsyncClient) -> None:
    h = site
    without = await h.http.get(await _callback(h, idp_browser, "avery@example.org"))
    assert without.status_code == 403 and "requires multi-factor sign-in" in without.text
    with_mfa = await h.http.get(await _callback(h, idp_browser, "avery@example.org",
                                                MFA_PASSWORD))
    assert with_mfa.status_code == 302 and "set-cookie" in with_mfa.headers


async def test_without_an_identity_provider_the_page_says_so(harness: Any) -> None:
    h = harness
    r = await h.http.get(f"{h.base}/auth/login?next=/admin")
    assert r.status_code == 503 and "Sign-in is not set up" in r.text
    assert "Jordan Pell" in r.text and "TETHER_OIDC_ISSUER" in r.text
