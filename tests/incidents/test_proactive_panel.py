"""A proactive check-in coming due, then overdue, on the clinicians' panel in headless
Chromium: the card says whom to call in plain words; axe clean at 400, 1280 and 375 px."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tests.axe import assert_accessible
from tests.checkin.test_checkin import browser  # noqa: F401  (the Chromium fixture)
from tests.conftest import Harness
from tests.incidents.test_incident_browser import opened
from tests.incidents.test_proactive import ZONE
from tests.panel.flow import fits, open_panel, shot

DUE = ".alert[data-kind='checkin-due']"
LATE = ".alert[data-kind='followup-overdue']"


async def every_width(page: Any, name: str) -> None:
    for width in (400, 1280, 375):
        await page.set_viewport_size({"width": width, "height": 800})
        await fits(page, width)
        # the safety check's choices sit beside their words, not stretched across the row
        # (a "Yes" squeezed to one letter a line, seen once in the panel at 375 px)
        for choice in ("input[type=radio]", "input[type=checkbox]"):
            boxes = page.locator(f"#incident form.screener {choice}")
            for i in range(await boxes.count()):
                box = await boxes.nth(i).bounding_box()
                assert box is None or box["width"] < 40, (name, width, choice, box)
        yes = page.locator("#incident form.screener label.choice", has_text="Yes").first
        if await yes.count():
            box = await yes.bounding_box()
            assert box is not None and box["height"] < 40, (name, width, box)
        await assert_accessible(page, f"panel-{name}-{width}")
        await shot(page, f"panel-{name}-{width}")


async def test_the_due_and_overdue_cards(harness: Harness, browser: Any) -> None:  # noqa: F811
    h = harness
    incident = await opened(h)
    at = datetime.fromtimestamp(h.clock.now() + 600, tz=ZONE).strftime("%Y-%m-%dT%H:%M")
    r = await h.http.post(f"{h.base}/api/incidents/{incident}/check-ins",
                          json={"at": at}, headers=h.token())
    assert r.status_code == 201, r.text
    page = await open_panel(h, browser, "lead-avery")
    for _ in range(11):  # a minute at a time: the open panel keeps the session alive
        await h.advance(60)
    await page.locator(DUE).wait_for()
    words = str(await page.locator(DUE).text_content())
    assert "Check-in due: Avery Lindqvist, call Casey Brightwater now." in words
    await page.locator("li.checkin[data-state='due']").wait_for()  # the view follows
    await every_width(page, "checkin-due")
    await page.context.close()
    await h.advance(125 * 60)  # past the two hours' window; a new sign-in opens the panel
    page = await open_panel(h, browser, "lead-avery")  # rebuilt from the timeline
    await page.locator(LATE).wait_for()
    await page.locator("li.checkin[data-state='overdue']").wait_for()
    late = str(await page.locator(LATE).text_content())
    assert "Overdue follow-up for Casey Brightwater: Check-in call." in late
    await every_width(page, "checkin-overdue")
