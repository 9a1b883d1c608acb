"""Client check-in by signed link: over HTTP, and the form in real headless Chromium."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote

import pytest

from sidecar.infra import keys
from tests import zoom_payloads as zp
from tests.callbacks.test_callback_ladder import CASEY, T0, calls_to, join_group
from tests.conftest import ROOT, Harness, eventually

M = quote(zp.MEETING_UUID, safe="")
ARTIFACTS = ROOT / "artifacts"
GOOD = {"location": {"street": "48 Marigold Terrace", "unit": "2B", "city": "Springfield",
                     "region": "IL", "postal_code": "62704", "country": "US",
                     "room": "kitchen"},
        "callback_phone": "+13125550131", "emergency_contact_ok": True,
        "others_present": "alone"}


async def link(h: Harness, client: str = "client-001") -> str:
    r = await h.http.post(f"{h.base}/api/meetings/{M}/clients/{client}/checkin-link",
                          headers=h.token())
    assert r.status_code == 200, r.text
    url: str = r.json()["url"]
    assert url.startswith(h.tether.settings.tether_public_url)
    return url


async def started(h: Harness) -> None:
    await join_group(h)
    await h.settle()


async def test_form_page_has_the_headers_zoom_requires(harness: Harness) -> None:
    h = harness
    await started(h)
    r = await h.http.get(await link(h), follow_redirects=True)
    assert r.status_code == 200 and "Where are you right now?" in r.text
    for header in ("X-Content-Type-Options", "Content-Security-Policy", "Referrer-Policy"):
        assert header in r.headers
    assert "Strict-Transport-Security" not in r.headers  # plain HTTP: it would mean nothing
    # a peer that is no trusted proxy cannot claim TLS (tests/infra/test_source.py: one can)
    spoofed = await h.http.get(await link(h), headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in spoofed.headers
    csp = r.headers["Content-Security-Policy"]
    assert "base-uri 'none'" in csp and "form-action 'self'" in csp


async def test_altered_or_expired_links_are_refused(harness: Harness) -> None:
    h = harness
    await started(h)
    url = await link(h)
    token = url.split("t=", 1)[1]
    body, mac, kid = token.split(".")
    forged = f"{body[:-2]}xx.{mac}.{kid}"
    assert (await h.http.get(f"{h.base}/checkin?t={forged}")).status_code == 403
    r = await h.http.post(f"{h.base}/api/checkin?t={forged}", json=GOOD)
    assert r.status_code == 403 and "not valid" in r.json()["error"]
    h.clock.advance(3 * 3600 + 1)
    r = await h.http.post(f"{h.base}/api/checkin?t={token}", json=GOOD)
    assert r.status_code == 403 and "expired" in r.json()["error"]


async def test_links_only_for_clients_of_the_meeting(harness: Harness) -> None:
    h = harness
    await started(h)
    r = await h.http.post(f"{h.base}/api/meetings/{M}/clients/client-999/checkin-link",
                          headers=h.token())
    assert r.status_code == 404


async def test_incomplete_address_names_the_missing_fields(harness: Harness) -> None:
    h = harness
    await started(h)
    token = (await link(h)).split("t=", 1)[1]
    bad: dict[str, Any] = {**GOOD, "location": {**GOOD["location"], "postal_code": "",
                                                "city": ""}}
    r = await h.http.post(f"{h.base}/api/checkin?t={token}", json=bad)
    assert r.status_code == 400
    fields = {e["field"] for e in r.json()["errors"]}
    assert fields == {"location.postal_code", "location.city"}
    assert (await h.roster())["checkins"]["client-001"]["checked_in_at"] is None


async def test_checkin_updates_dispatch_card_roster_and_callback_number(
        harness: Harness) -> None:
    h = harness
    h.standin.behaviour["+13125550131"] = "silent"
    await started(h)
    token = (await link(h)).split("t=", 1)[1]
    r = await h.http.post(f"{h.base}/api/checkin?t={token}", json=GOOD)
    assert r.status_code == 200
    assert "checkin.submitted" in await h.kinds()
    assert (await h.roster())["checkins"]["client-001"]["checked_in_at"] is not None
    card = (await h.http.get(f"{h.base}/api/meetings/{M}/clients/client-001/dispatch",
                             headers=h.token())).json()
    assert card["address"] == "48 Marigold Terrace, 2B, Springfield, IL 62704, US"
    assert card["room"] == "kitchen" and card["location_source"] == "this session's check-in"
    assert card["location_on_file"].startswith("1200 Larkspur Lane")
    raw = await h.tether.redis.hgetall(keys.checkins(zp.MEETING_UUID))
    assert "Marigold" not in " ".join(raw.values())  # encrypted at rest
    await h.zoom(zp.disconnected(T0, *CASEY))
    await h.settle()
    await h.advance(10)
    await eventually(lambda: calls_to(h, "+13125550131"), timeout=5)  # today's number first


# ---- in a real browser ----------------------------------------------------------------

@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    chromium = shutil.which("chromium")
    if chromium is None:
        if os.environ.get("CI"):
            raise RuntimeError("CI needs Debian's chromium")
        pytest.skip("no chromium on this machine")
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        b = await p.chromium.launch(executable_path=chromium, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield b
        await b.close()


async def fill(page: Any, values: dict[str, str]) -> None:
    for name, value in values.items():
        await page.fill(f"input[name={name}]", value)


async def test_the_form_in_chromium(harness: Harness, browser: Any) -> None:
    h = harness
    await started(h)
    page = await browser.new_page(viewport={"width": 420, "height": 900})
    await page.goto(await link(h))
    await fill(page, {"street": "48 Marigold Terrace", "city": "Springfield", "region": "IL",
                      "callback_phone": "(312) 555-0131"})
    await page.click("text=I'm alone")
    await page.click("#checkin button[type=submit]")
    message = page.locator("#message")
    await message.wait_for(state="visible")
    await page.wait_for_function("document.getElementById('message').textContent.length > 0")
    assert "postal code" in (await message.text_content() or "")
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / "checkin-incomplete.png"), full_page=True)
    await fill(page, {"postal_code": "62704", "room": "kitchen"})
    await page.click("#checkin button[type=submit]")
    await page.locator("#done").wait_for(state="visible")
    await page.screenshot(path=str(ARTIFACTS / "checkin-done.png"), full_page=True)
    card = (await h.http.get(f"{h.base}/api/meetings/{M}/clients/client-001/dispatch",
                             headers=h.token())).json()
    assert card["callback_phone"] == "+13125550131" and card["room"] == "kitchen"


async def test_an_altered_link_in_chromium_says_so(harness: Harness, browser: Any) -> None:
    h = harness
    await started(h)
    page = await browser.new_page()
    await page.goto((await link(h))[:-3] + "abc")
    assert "not valid" in (await page.text_content("body") or "")


