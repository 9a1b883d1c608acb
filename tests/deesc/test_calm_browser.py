"""Calm & ground in the clinicians' panel, in headless Chromium: the tools open from a
client's row and from an open incident, the paced timer runs on the page's own clock (moved
by the test, never waited for), its shared page shows only the timer, and an agreement's
countdown and its "has ended: check in" reminder reach both facilitators' panels and
survive a reload. Screenshots and axe at 400, 1280 and 375 px."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from tests import zoom_payloads as zp
from tests.axe import assert_accessible
from tests.callbacks.test_callback_ladder import CASEY, join_group
from tests.checkin.test_checkin import browser  # noqa: F401  (the Chromium fixture)
from tests.conftest import Harness, eventually
from tests.incidents.test_incident_browser import opened
from tests.panel.flow import fits, open_panel, shot

M = quote(zp.MEETING_UUID, safe="")
ROW = f"tr[data-participant='{CASEY[0]}']"
SHEET = "#calm"
AGREEMENT = "#agreements .alert.agreement"


async def every_width(page: Any, name: str) -> None:
    """Screenshots and axe at each width; the page's time runs meanwhile (a screenshot
    waits for a frame), then stops again."""
    await page.clock.resume()
    for width in (400, 1280, 375):
        await page.set_viewport_size({"width": width, "height": 800})
        await fits(page, width)
        await assert_accessible(page, f"calm-{name}-{width}")
        await shot(page, f"calm-{name}-{width}")
    await page.set_viewport_size({"width": 400, "height": 800})
    await paused(page)


async def paused(page: Any) -> None:
    """Stop the page's time where it is: from here it moves only when the test says (so
    buttons are pressed by their click event: a paused page draws no frames, and
    Playwright's ordinary click waits for frames)."""
    await page.clock.pause_at((await page.evaluate("Date.now()") + 1000) / 1000)


async def text(page: Any, selector: str) -> str:
    return str(await page.locator(selector).first.text_content()).strip()


async def pacer(page: Any, where: str = SHEET) -> tuple[str, str, str]:
    return (await text(page, f"{where} .pacer .phase"),
            await text(page, f"{where} .pacer .seconds"),
            await text(page, f"{where} .pacer .round"))


async def uses(h: Harness) -> list[dict[str, Any]]:
    return [e["data"] for e in await h.timeline() if e["kind"] == "calming.used"]


async def test_the_paced_timer_from_a_roster_row(harness: Harness, browser: Any) -> None:  # noqa: F811
    h = harness
    await join_group(h)
    await h.settle()
    page = await open_panel(h, browser, "lead-avery", clock=True)
    await paused(page)
    await page.locator(f"{ROW} button.calm").dispatch_event("click")
    await page.locator(SHEET).wait_for()
    await page.clock.run_for(100)  # the page's effects wait for a frame
    assert await text(page, "#calm-title") == "Calm & ground: Casey Brightwater"
    assert await page.evaluate("document.activeElement.id") == "calm-title"
    await page.get_by_role("button", name="Said it: Name what is happening").dispatch_event("click")
    await page.locator(".calm-said", has_text="Used: Name what is happening").wait_for()
    await every_width(page, "say")

    await page.get_by_role("button", name="Breathe & ground").dispatch_event("click")
    assert await pacer(page) == ("Ready when you are", "", "Round 1 of 4")
    await page.get_by_role("button", name="Start").dispatch_event("click")
    assert await pacer(page) == ("Breathe in", "4 s", "Round 1 of 4")
    await page.clock.run_for(1_100)  # the display ticks every 200 ms after the first frame
    assert await pacer(page) == ("Breathe in", "3 s", "Round 1 of 4")
    await page.clock.run_for(3_000)
    assert await pacer(page) == ("Hold", "4 s", "Round 1 of 4")
    await page.clock.run_for(4_000)
    assert (await pacer(page))[0] == "Breathe out"
    await page.clock.run_for(8_000)
    assert await pacer(page) == ("Breathe in", "4 s", "Round 2 of 4")
    await page.get_by_role("button", name="Pause").dispatch_event("click")
    await page.clock.run_for(30_000)  # paused: the timer keeps its place
    assert await pacer(page) == ("Breathe in", "4 s", "Round 2 of 4")
    await every_width(page, "breathe-paused")
    assert await pacer(page) == ("Breathe in", "4 s", "Round 2 of 4")
    await page.get_by_role("button", name="Go on").dispatch_event("click")
    await page.clock.run_for(48_000)
    await page.clock.run_for(400)  # the timer's next tick sees the end and records it
    assert await pacer(page) == ("Well done", "", "All 4 rounds done")
    await page.locator(".calm-said", has_text="Used: Box breathing, 4 rounds").wait_for()
    await every_width(page, "breathe-done")

    await page.select_option("#calm-exercise", label="Paced exhale", force=True)
    await page.get_by_role("button", name="Start").dispatch_event("click")
    await page.clock.run_for(4_100)
    assert await pacer(page) == ("Breathe out slowly", "7 s", "Round 1 of 6")
    await page.clock.run_for(7_000 + 11_000 + 2_000)  # two rounds and a bit
    await page.get_by_role("button", name="Stop").dispatch_event("click")
    await page.locator(".calm-said", has_text="Used: Paced exhale, 2 rounds").wait_for()
    got = await uses(h)
    assert [(u["title"], u["rounds"], u["by"]) for u in got] == [
        ("Name what is happening", None, "lead-avery"), ("Box breathing", 4, "lead-avery"),
        ("Paced exhale", 2, "lead-avery")]
    assert all(u["client"] == "client-001" for u in got)

    share = await page.locator("#calm-share").get_attribute("href")
    assert share and share.startswith("/grounding#") and "Casey" not in share
    await page.context.close()
    await shared_page(h, browser, share)


async def shared_page(h: Harness, browser: Any, share: str) -> None:  # noqa: F811
    """The page the lead shares on screen: the timer alone, no sign-in, no name."""
    context = await browser.new_context(viewport={"width": 1280, "height": 800})
    page = await context.new_page()
    await page.clock.install()
    await page.goto(h.base + share)
    await page.wait_for_function("document.body.dataset.ready === 'yes'")
    await paused(page)
    body = await page.locator("body").inner_text()
    assert "Paced exhale" in body and "Casey" not in body and "Brightwater" not in body
    await page.get_by_role("button", name="Start").dispatch_event("click")
    await page.clock.run_for(5_100)
    assert await pacer(page, "main") == ("Breathe out slowly", "6 s", "Round 1 of 6")
    await page.get_by_role("button", name="Pause").dispatch_event("click")
    await every_width(page, "shared-timer")
    await context.close()


async def still_here(h: Harness, *pages: Any) -> None:
    """The facilitators are at their panels: the fake clock runs minutes ahead in seconds,
    faster than the stream's keepalives, so each session hears from its browser as it
    would in those minutes (or it would end after 15 idle minutes)."""
    for page in pages:
        r = await page.context.request.get(f"{h.base}/api/meetings/{M}/agreements")
        assert r.ok


async def seconds_left(page: Any) -> int:
    found = re.search(r"(\d+):(\d\d) left", await agreement_in(page))
    assert found, await agreement_in(page)
    return int(found[1]) * 60 + int(found[2])


async def agreement_in(page: Any) -> str:
    return " ".join((await page.locator(AGREEMENT).first.inner_text()).split())


async def test_an_agreement_counts_down_and_reminds_both_facilitators(
        harness: Harness, browser: Any) -> None:  # noqa: F811
    h = harness
    incident = await opened(h)
    lead = await open_panel(h, browser, "lead-avery", clock=True)
    co = await open_panel(h, browser, "cofac-morgan", clock=True, width=375)
    await paused(lead)
    await paused(co)
    # from the incident's view this time
    await lead.locator("#incident .incident-view button.calm").dispatch_event("click")
    await lead.clock.run_for(100)
    await lead.get_by_role("button", name="Agreement").dispatch_event("click")
    await lead.get_by_role("button", name="Record the agreement").dispatch_event("click")
    await lead.locator(".agreement-form .error-line", has_text="Say what was agreed").wait_for()
    await lead.get_by_label("Stay on video together").dispatch_event("click")
    await lead.get_by_label("Lock away medicines").dispatch_event("click")
    await lead.fill("#agree-note", "Pills into the lockbox in the hall", force=True)
    await lead.fill("#agree-minutes", "20", force=True)
    await every_width(lead, "agreement-form")
    await lead.get_by_role("button", name="Record the agreement").dispatch_event("click")
    before = {}
    for page in (lead, co):
        await page.locator(AGREEMENT).wait_for()
        words = await agreement_in(page)
        assert "Agreement with Casey Brightwater" in words and "Pills into the lockbox" in words
        before[page] = await seconds_left(page)
        assert 19 * 60 - 5 <= before[page] <= 20 * 60, words

    for _ in range(5):  # five minutes on the server's and on both pages' clocks
        await h.advance(60)
        await lead.clock.run_for(60_000)
        await co.clock.run_for(60_000)
    await still_here(h, lead, co)
    for page in (lead, co):
        assert before[page] - await seconds_left(page) in range(299, 302)
    await every_width(co, "agreement-running")
    await co.clock.resume()
    await co.reload()  # the co-facilitator reloads mid-countdown: rebuilt from the API
    await co.wait_for_function("document.getElementById('conn').textContent === 'live'")
    await co.locator(AGREEMENT).wait_for()
    assert "Lock away medicines" in await agreement_in(co)

    for minute in range(16):
        await h.advance(60)
        await lead.clock.run_for(60_000)
        if minute % 5 == 4:
            await still_here(h, lead, co)
    due = "#agreements .alert.agreement.due"
    for page in (lead, co):
        await page.locator(due).wait_for()
        assert "The 20-minute agreement with Casey Brightwater has ended: check in" in (
            await agreement_in(page))
    await every_width(lead, "agreement-due")
    await every_width(co, "agreement-due-co")
    await co.get_by_role("button", name="Checked in: close it (the agreement with Casey "
                         "Brightwater)").dispatch_event("click")
    for page in (lead, co):
        await page.locator(AGREEMENT).wait_for(state="detached")

    async def reported() -> bool:
        got = (await h.http.get(f"{h.base}/api/incidents/{incident}", headers=h.token())).json()
        return [e["what"] for e in got["log"] if "agreement" in e["what"]] == [
            "agreement made", "agreement ran out", "agreement ended"]

    await eventually(reported)
    report = await lead.context.new_page()
    await report.goto(f"{h.base}/incidents/{incident}/report")
    await report.wait_for_function("window.tetherReportReady === true")
    table = await report.locator("table").first.inner_text()
    assert "agreement ran out" in table and "Pills into the lockbox" in table
