"""The client's Jitsi join page at 375, 400 and 1280 px in real headless Chromium (its own
CSP): before check-in, in the meeting, when the meeting cannot load (the retry shows and
works), and the page for a link past its time; no sideways scrolling and no critical or
serious axe finding in any of them."""

from __future__ import annotations

from typing import Any

import pytest

from tests.checkin.test_checkin import browser, fill  # noqa: F401  (the Chromium fixture)
from tests.checkin.test_checkin_pages import WIDTHS, looked_at
from tests.conftest import Harness
from tests.jitsi.test_jitsi_join import (  # noqa: F401  (the sidecar fixtures)
    DOMAIN,
    jh,
    jitsi_settings,
    join_link,
)
from tests.jitsi.test_jitsi_join_browser import FAKE_API

API = f"https://{DOMAIN}/external_api.js"


async def check_in(page: Any) -> None:
    await fill(page, {"street": "48 Marigold Terrace", "city": "Springfield", "region": "IL",
                      "postal_code": "62704", "room": "kitchen",
                      "callback_phone": "(312) 555-0131"})
    await page.click("text=I'm alone")
    await page.click("#checkin button[type=submit]")


@pytest.mark.parametrize("width", WIDTHS)
async def test_the_join_page_its_error_and_retry(jh: Harness, browser: Any,  # noqa: F811
                                                 width: int) -> None:
    h = jh
    url = await join_link(h)
    page = await browser.new_page(viewport={"width": width, "height": 900})
    loads = {"fail": True}

    async def external_api(route: Any) -> None:
        if loads["fail"]:
            await route.abort()
        else:
            await route.fulfill(status=200, content_type="application/javascript",
                                body=FAKE_API)

    await page.route(API, external_api)
    await page.goto(url)
    await page.locator("#checkin").wait_for(state="visible")
    assert await page.get_attribute(".crisis a", "href") == "tel:988"
    await looked_at(page, f"join-before-checkin-{width}")

    await check_in(page)
    retry = page.locator("#rejoin")
    await retry.wait_for(state="visible")  # the meeting could not load: a way to try again
    assert "could not load" in (await page.text_content("#join-message") or "")
    assert await retry.text_content() == "Try again"
    await looked_at(page, f"join-error-{width}")

    loads["fail"] = False
    await retry.click()
    await page.locator("#join-status", has_text="You're in the group").wait_for()
    assert await retry.is_hidden() and await page.text_content("#join-message") == ""
    await looked_at(page, f"join-in-meeting-{width}")

    h.clock.advance(2 * 86400)  # the link's day is long over
    response = await page.goto(url)
    assert response is not None and response.status == 403
    assert "Ask your care team to text you a new link" in (await page.text_content("main")
                                                            or "")
    await looked_at(page, f"join-expired-{width}")
