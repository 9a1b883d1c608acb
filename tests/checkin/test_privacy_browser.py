"""Privacy prompts in real headless Chromium at 375, 400 and 1280 px: the client answers them
on the check-in form (large Yes/No targets), the lead's roster row shows the answers live and
after a reload, with a "no" marked; the Jitsi join page lists them before the meeting with
the recording statement. No sideways scrolling, axe clean, a screenshot of each state."""

from __future__ import annotations

from typing import Any

import pytest

from tests.checkin.test_checkin import browser, fill, link, started  # noqa: F401
from tests.checkin.test_checkin_pages import WIDTHS, looked_at
from tests.conftest import Harness, eventually
from tests.jitsi.test_jitsi_join import (  # noqa: F401  (the sidecar fixtures)
    jh,
    jitsi_settings,
    join_link,
)
from tests.panel.flow import open_panel

ROW = "#roster tr[data-participant='pu-casey-1'] td.checkin"


async def answer(page: Any, question: str, choice: str) -> None:
    await page.locator("fieldset.ask", has_text=question).locator(
        "label.choice", has_text=choice).click()


async def roster_says(panel: Any) -> tuple[list[str], list[str]]:
    cell = panel.locator(ROW)
    await cell.locator("li.attention", has_text="Not private").wait_for()
    return (await cell.locator("ul.privacy-answers li").all_text_contents(),
            await cell.locator("li.attention").all_text_contents())


@pytest.mark.parametrize("width", WIDTHS)
async def test_the_client_answers_and_the_roster_shows_it(harness: Harness, browser: Any,  # noqa: F811
                                                          width: int) -> None:
    h = harness
    await started(h)
    panel = await open_panel(h, browser, width=width)  # live before the client checks in
    page = await browser.new_page(viewport={"width": width, "height": 900})
    await page.goto(await link(h))
    await page.locator("#checkin").wait_for(state="visible")
    privacy = page.locator("#privacy")
    assert "You can skip these questions" in (await privacy.text_content() or "")
    assert "This session is never recorded." in (await privacy.text_content() or "")
    for choice in await privacy.locator("label.choice").all():  # a thumb finds them
        box = await choice.bounding_box()
        assert box is not None and box["height"] >= 44 and box["width"] >= 100
    await answer(page, "headphones", "Yes")
    await answer(page, "somewhere private", "No")
    await fill(page, {"street": "48 Marigold Terrace", "city": "Springfield", "region": "IL",
                      "postal_code": "62704", "room": "kitchen",
                      "callback_phone": "(312) 555-0131"})
    await page.click("text=I'm alone")
    await privacy.scroll_into_view_if_needed()
    await looked_at(page, f"checkin-privacy-{width}")
    await page.click("#checkin button[type=submit]")
    await page.locator("#done").wait_for(state="visible")

    said, marked = await roster_says(panel)
    assert said == ["Headphones: yes", "! Not private"] and marked == ["! Not private"]
    await looked_at(panel, f"panel-privacy-{width}")
    await panel.reload()
    await panel.wait_for_function("document.getElementById('conn') && "
                                  "document.getElementById('conn').textContent === 'live'")
    assert await roster_says(panel) == (said, marked)

    await page.reload()  # the client's own answers come back with their check-in
    await page.locator("#done").wait_for(state="visible")
    await page.click("#moved")
    await page.locator("#checkin").wait_for(state="visible")
    yes = page.locator("fieldset.ask", has_text="headphones").locator("input[value=yes]")
    assert await yes.is_checked()


async def test_a_client_who_skips_the_prompts_is_still_checked_in(
        harness: Harness, browser: Any) -> None:  # noqa: F811
    h = harness
    await started(h)
    page = await browser.new_page(viewport={"width": 375, "height": 900})
    await page.goto(await link(h))
    await page.locator("#checkin").wait_for(state="visible")
    await fill(page, {"street": "48 Marigold Terrace", "city": "Springfield", "region": "IL",
                      "postal_code": "62704", "room": "kitchen",
                      "callback_phone": "(312) 555-0131"})
    await page.click("text=I'm alone")
    await page.click("#checkin button[type=submit]")
    await page.locator("#done").wait_for(state="visible")
    row = (await h.roster())["checkins"]["client-001"]
    assert row["checked_in_at"] is not None and row["privacy"] == []


@pytest.mark.parametrize("width", WIDTHS)
async def test_the_join_page_lists_them_before_the_meeting(jh: Harness, browser: Any,  # noqa: F811
                                                           width: int) -> None:
    page = await browser.new_page(viewport={"width": width, "height": 900})
    await page.goto(await join_link(jh))
    before = page.locator("#before-join")
    await before.wait_for(state="visible")
    assert await before.locator("h2").text_content() == "Before you join"
    assert await before.locator("li").all_text_contents() == [
        "Are you wearing headphones?",
        "Are you somewhere private, where nobody else can hear the group?",
        "Turn on a virtual background or blur, so your home stays private."]
    assert await before.locator(".recording-statement").text_content() == (
        "This session is never recorded.")
    # said once on this page: the form's own copy of the reminders is not shown again
    assert await page.locator("#privacy .recording-statement").is_hidden()
    assert await page.locator("#privacy fieldset.ask").count() == 2  # still asked
    await looked_at(page, f"join-privacy-{width}")


async def test_the_in_meeting_form_carries_the_answers(harness: Harness,
                                                       browser: Any) -> None:  # noqa: F811
    """Inside Zoom, after the texted code: the same questions, the same answers stored."""
    from tests.callbacks.test_callback_ladder import T0, join_group
    from tests.zoom.test_zoom_checkin import EMERY_PHONE, newest_code, texts_to
    from tests.zoom.test_zoom_checkin_browser import GUEST, zoom_page
    from tests.zoom_payloads import joined

    h = harness
    await join_group(h)
    assert (await h.zoom(joined(T0 - 30_000, *GUEST))).status_code == 200
    await h.settle()
    page = await zoom_page(h, browser, None, "attendee", GUEST[0], width=375)
    await page.locator("#identify").wait_for(state="visible")
    await fill(page, {"first_name": "Emery", "phone_last4": "0113"})
    await page.click("#identify button[type=submit]")
    await page.wait_for_function(
        "document.getElementById('code-sent').textContent.includes('ending 0113')")

    async def texted() -> bool:
        return len(texts_to(h, EMERY_PHONE)) >= 1
    await eventually(texted)
    await fill(page, {"code": newest_code(h, EMERY_PHONE)})
    await page.click("#code-confirm")
    await page.locator("#checkin").wait_for(state="visible")
    await answer(page, "headphones", "No")
    await answer(page, "somewhere private", "Yes")
    await fill(page, {"street": "9 Ferncliff Court", "city": "Springfield", "region": "IL",
                      "postal_code": "62703", "room": "den", "callback_phone": "312 555 0113"})
    await page.click("text=I'm alone")
    await page.click("#checkin button[type=submit]")
    await page.locator("#done").wait_for(state="visible")
    said = (await h.roster())["checkins"]["client-003"]["privacy"]
    assert [(a["words"], a["attention"]) for a in said] == [
        ("No headphones", True), ("Private spot: yes", False)]
