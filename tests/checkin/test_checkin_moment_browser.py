"""The check-in form's note and its "I need a moment" button (at the top), in real headless
Chromium: the client sees only a calm acknowledgement; the clinicians get the alerts."""

from __future__ import annotations

from typing import Any

from tests import zoom_payloads as zp
from tests.checkin.test_checkin import browser, fill, link, started  # noqa: F401  (the Chromium fixture)
from tests.conftest import ROOT, Harness, eventually

ARTIFACTS = ROOT / "artifacts"


async def test_note_and_need_a_moment_in_chromium(harness: Harness, browser: Any  # noqa: F811
                                                  ) -> None:
    h = harness
    await started(h)
    page = await browser.new_page(viewport={"width": 420, "height": 1100})
    await page.goto(await link(h))
    moment = page.locator("#moment")
    await moment.wait_for(state="visible")
    heading = await page.locator("h1").bounding_box()
    assert (await moment.bounding_box())["y"] < heading["y"]  # at the top, found at once
    submit = page.locator("#checkin button[type=submit]")
    primary = await submit.evaluate("b => getComputedStyle(b).backgroundColor")
    assert await moment.evaluate("b => getComputedStyle(b).backgroundColor") != primary
    await fill(page, {"street": "48 Marigold Terrace", "city": "Springfield", "region": "IL",
                      "postal_code": "62704", "room": "kitchen",
                      "callback_phone": "(312) 555-0131"})
    await page.click("text=I'm alone")
    await page.fill("textarea[name=note]", "All good. My blue umbrella is by the door.")
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / "checkin-note.png"), full_page=True)
    await page.click("#checkin button[type=submit]")
    await page.locator("#done").wait_for(state="visible")
    await moment.click()
    said = page.locator("#moment-message", has_text="Thanks")
    await said.wait_for(state="visible")
    assert await said.text_content() == ("Thanks. Your care team will check in with you "
                                         "quietly.")
    done = await page.text_content("#done") or ""
    assert "You're checked in" in done and "team" not in done  # no sign of the code word
    await page.screenshot(path=str(ARTIFACTS / "checkin-need-a-moment.png"), full_page=True)

    async def both_alerts() -> bool:
        kinds = await h.kinds()
        return "alert.need_moment" in kinds and "alert.code_word" in kinds

    await eventually(both_alerts, timeout=5)
    stored = await h.tether.checkins.get(zp.MEETING_UUID, "client-001", "test", "test")
    assert stored is not None and stored.note == "All good. My blue umbrella is by the door."
