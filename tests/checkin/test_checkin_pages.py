"""The check-in page as a distressed person on a phone meets it, in real headless Chromium
at 375, 400 and 1280 px: help first (the crisis line, "I need a moment"), the usual address
filled in from the record, errors on their fields, success said aloud, the expired-link
page; no sideways scrolling and no critical or serious axe finding in any state."""

from __future__ import annotations

from typing import Any

import pytest

from tests import zoom_payloads as zp
from tests.axe import assert_accessible
from tests.checkin.test_checkin import (  # noqa: F401  (the Chromium fixture)
    M,
    browser,
    link,
    started,
)
from tests.conftest import ROOT, Harness
from tests.records.test_admin_api import audit

ARTIFACTS = ROOT / "artifacts"
WIDTHS = (375, 400, 1280)


async def looked_at(page: Any, state: str) -> None:
    """No horizontal overflow, axe clean of critical and serious, a screenshot to look at."""
    width = page.viewport_size["width"]
    scroll = await page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{state}: {scroll} px wide in a {width} px window"
    await assert_accessible(page, state)
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / f"{state}.png"), full_page=True)


async def test_get_checkin_gives_the_client_only_their_address_on_file(
        harness: Harness) -> None:
    h = harness
    await started(h)
    token = (await link(h, "client-001")).split("t=", 1)[1]
    r = await h.http.get(f"{h.base}/api/checkin?t={token}")
    assert r.status_code == 200
    on_file = r.json()["on_file"]
    assert on_file["street"].startswith("1200 Larkspur Lane") and "room" not in on_file
    assert ("client:client-001", f"client.read:checkin-usual-address:{zp.MEETING_UUID}",
            "client-001") in await audit(h)
    other = (await link(h, "client-002")).split("t=", 1)[1]
    theirs = (await h.http.get(f"{h.base}/api/checkin?t={other}")).json()["on_file"]
    assert theirs is None or theirs["street"] != on_file["street"]


@pytest.mark.parametrize("width", WIDTHS)
async def test_the_form_on_a_phone_and_a_desktop(harness: Harness, browser: Any,  # noqa: F811
                                                 width: int) -> None:
    h = harness
    await started(h)
    url = await link(h)
    page = await browser.new_page(viewport={"width": width, "height": 900})
    await page.goto(url)
    await page.locator("#checkin").wait_for(state="visible")
    crisis = page.locator(".crisis a")
    assert await crisis.get_attribute("href") == "tel:988"
    assert "If you are not safe, call or text 988" in (await page.text_content(".crisis") or "")
    moment = page.locator("#moment")
    heading = await page.locator("h1").bounding_box()
    assert (await moment.bounding_box())["y"] < heading["y"]  # help comes first
    assert (await crisis.bounding_box())["y"] < heading["y"]
    assert "(optional)" in (await page.text_content("label:has(input[name=unit])") or "")
    assert "(optional)" in (await page.text_content("label:has(textarea[name=note])") or "")
    await looked_at(page, f"checkin-empty-{width}")

    await page.click("#usual")
    assert (await page.input_value("input[name=street]")).startswith("1200 Larkspur Lane")
    assert await page.input_value("input[name=room]") == ""
    await page.click("#checkin button[type=submit]")
    await page.locator("#error-room").wait_for(state="visible")
    room = page.locator("input[name=room]")
    assert await room.get_attribute("aria-invalid") == "true"
    assert await room.get_attribute("aria-describedby") == "error-room"
    assert await page.evaluate("document.activeElement.name") == "room"  # the first error
    phone = page.locator("input[name=callback_phone]")
    assert await phone.get_attribute("aria-invalid") == "true"
    alone = page.locator("input[name=others_present]").first
    assert await alone.get_attribute("aria-describedby") == "error-others_present"
    assert await page.locator("input[name=street]").get_attribute("aria-invalid") is None
    await looked_at(page, f"checkin-errors-{width}")

    await page.fill("input[name=room]", "kitchen")
    await page.fill("input[name=callback_phone]", "(312) 555-0131")
    await page.click("text=I'm alone")
    await page.click("#checkin button[type=submit]")
    await page.locator("#done").wait_for(state="visible")
    await page.wait_for_function(
        "() => document.getElementById('announce').textContent.includes(\"You're checked in\")")
    assert await page.locator("[aria-invalid]").count() == 0
    await looked_at(page, f"checkin-success-{width}")
    card = (await h.http.get(f"{h.base}/api/meetings/{M}/clients/client-001/dispatch",
                             headers=h.token())).json()
    assert card["address"].startswith("1200 Larkspur Lane") and card["room"] == "kitchen"

    await page.reload()  # what was sent stays: the page opens on "checked in"
    await page.locator("#done").wait_for(state="visible")
    await moment.click()
    await page.locator("#moment-message", has_text="Thanks").wait_for()
    await looked_at(page, f"checkin-moment-{width}")

    h.clock.advance(3 * 3600 + 1)
    response = await page.goto(url)
    assert response is not None and response.status == 403
    text = await page.text_content("main") or ""
    assert "expired" in text and "Ask your care team to text you a new link" in text
    assert await page.get_attribute("html", "lang") == "en"
    assert await page.locator("h1").count() == 1
    assert await page.get_attribute(".crisis a", "href") == "tel:988"
    await looked_at(page, f"checkin-expired-{width}")


ELSEWHERE = {"program": {"name": "Harbor Light Evening IOP", "time_zone": "America/Chicago",
                         "crisis_line": "13 11 14", "callback_number": "+13125550100"}}


@pytest.mark.parametrize("overrides", [ELSEWHERE])
async def test_the_programs_own_crisis_line(harness: Harness) -> None:
    h = harness
    await started(h)
    url = await link(h)
    page = (await h.http.get(url, follow_redirects=True)).text
    assert '<a class="crisis-line" href="tel:131114">13 11 14</a>' in page
    refused = await h.http.get(url[:-3] + "abc")
    assert refused.status_code == 403 and 'href="tel:131114"' in refused.text
