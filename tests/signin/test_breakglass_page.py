"""A clinician of another group, refused an incident, opens it by break-glass in the
browser: a reason is asked for, then the incident shows."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from tests import zoom_payloads as zp
from tests.axe import assert_accessible
from tests.callbacks.test_callback_ladder import join_group
from tests.checkin.test_checkin import browser  # noqa: F401  (the Playwright fixture)
from tests.conftest import ROOT, Harness, signed_in_page

M = quote(zp.MEETING_UUID, safe="")


async def test_break_glass_from_the_incident_page(harness: Harness,
                                                  browser: Any) -> None:  # noqa: F811
    h = harness
    await join_group(h)
    await h.settle()
    r = await h.http.post(f"{h.base}/api/meetings/{M}/clients/client-001/incidents",
                          json={"trigger": "clinician"}, headers=h.token("lead-avery"))
    incident = r.json()["id"]
    page = await signed_in_page(h, browser, "lead-quinn", viewport={"width": 400,
                                                                    "height": 900})
    await page.goto(f"{h.base}/incidents/{incident}")
    await page.locator("form.break-glass").wait_for()
    assert "Casey" not in (await page.text_content("body") or "")  # nothing before the reason
    await assert_accessible(page, "break-glass-400")
    await page.fill("#bg-reason", "help")
    await page.click("form.break-glass button")
    await page.locator("#bg-said", has_text="why you need").wait_for()
    await page.fill("#bg-reason", "Avery asked me to take over; Casey is not answering")
    await page.click("form.break-glass button")
    await page.locator("#title", has_text="Casey").wait_for()  # the page's CSP stays on
    # the group's live stream stays closed to them: the incident alone, polled
    await page.locator("#conn", has_text="updated every 10 s").wait_for()
    await page.screenshot(path=str(ROOT / "artifacts" / "break-glass-opened-400.png"))
    listing = await h.http.get(f"{h.base}/api/admin/break-glass",
                               headers=h.token("admin-jordan"))
    assert listing.json()["openings"][0]["staff_name"] == "Quinn Hartigan"
