"""The safety check and the emergency protocol in real headless Chromium: the lead screens
a client (items verbatim, skip logic), starts the protocol; the co-facilitator's panel gets
the emergency card and ticks a step the lead then sees; the incident closes with
documentation and prints as a report. Screenshots in artifacts/."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from sidecar.clinical.cssrs import COPYRIGHT, ITEMS
from tests import zoom_payloads as zp
from tests.callbacks.test_callback_ladder import join_group
from tests.checkin.test_checkin import GOOD, browser, link  # noqa: F401  (the Chromium fixture)
from tests.conftest import ROOT, Harness, signed_in_page

ARTIFACTS = ROOT / "artifacts"


async def panel(h: Harness, browser: Any, staff: str) -> Any:  # noqa: F811
    page = await signed_in_page(h, browser, staff, viewport={"width": 480, "height": 1400},
                                bypass_csp=True)
    await page.goto(f"{h.base}/panel#meeting={quote(zp.MEETING_UUID)}")
    await page.wait_for_function("document.getElementById('conn').textContent === 'live'")
    return page


async def answer(page: Any, item: int, yes: bool) -> None:
    choice = "yes" if yes else "no"
    await page.check(f"#incident fieldset[data-item='{item}'] input[value='{choice}']")


async def test_safety_check_to_emergency_to_close(harness: Harness, browser: Any) -> None:  # noqa: F811
    h = harness
    await join_group(h)
    await h.settle()
    token = (await link(h, "client-001")).split("t=", 1)[1]
    await h.http.post(f"{h.base}/api/checkin?t={token}", json=GOOD)
    lead = await panel(h, browser, "lead-avery")
    cofac = await panel(h, browser, "cofac-morgan")

    await lead.locator("tr[data-participant='pu-casey-1'] button.screen").click()
    screener = lead.locator("#incident form.screener")
    await screener.wait_for(state="visible")
    text = await screener.text_content() or ""
    assert all(item.text in text for item in ITEMS) and COPYRIGHT in text  # verbatim
    item3 = lead.locator("#incident fieldset[data-item='3']")
    assert await item3.is_hidden()  # skip logic: 3-5 only after a yes to 2
    await answer(lead, 1, True)
    await answer(lead, 2, True)
    await item3.wait_for(state="visible")
    for n, yes in ((3, False), (4, True), (5, False), (6, False)):
        await answer(lead, n, yes)
    for flag in ("plan", "means", "intent"):
        await lead.check(f"#incident input[name={flag}]")
    ARTIFACTS.mkdir(exist_ok=True)
    await lead.screenshot(path=str(ARTIFACTS / "triage-form.png"), full_page=True)
    await lead.click("#incident button.primary")
    await lead.locator("#incident .level.emergency").wait_for(state="visible")
    assert await lead.locator("#incident ul.checklist li").count() > 0
    await lead.click("#incident button.start-emergency")
    await lead.locator("#incident .role.lead").wait_for(state="visible")
    assert "on screen" in (await lead.locator("#incident .role").text_content() or "")

    # the co-facilitator's panel opens the playbook by itself, with the card
    whom = cofac.locator("#incident .card .whom")
    await whom.wait_for(state="visible")
    card = await cofac.locator("#incident .card").text_content() or ""
    assert "48 Marigold Terrace" in card and "kitchen" in card and "overdose" in card
    assert "Juniper" in card  # pets, from the record's considerations
    assert "Safety plan (reviewed 2026-10-01)" in card  # the plan, one click away
    assert await cofac.locator("#incident .role.caller").count() == 1
    secure = await cofac.locator("#incident .secure-group").text_content() or ""
    assert "Secure the group" in secure and "Casey" not in secure  # no name to the group
    await cofac.screenshot(path=str(ARTIFACTS / "emergency-card.png"), full_page=True)
    await cofac.locator("#incident li[data-step='call_responders'] button").click()
    await lead.wait_for_function(
        "(document.querySelector(\"#incident li[data-step='call_responders']\") || {})"
        ".className === 'done'")
    await cofac.locator("#incident .contact button.notify").first.click()
    await cofac.wait_for_function(
        "document.querySelector('#incident .contact .said').textContent.includes('+1312555')")

    for name, text in (("risk_assessment", "high, imminent"), ("interventions", "EMS"),
                       ("outcome", "transported")):
        await lead.fill(f"#incident textarea[name={name}]", text)
    await lead.click("#incident .close button")
    await lead.locator("#incident ul.followups").wait_for(state="visible")
    assert "Team huddle" in (await lead.locator("#incident ul.followups").text_content() or "")

    href = await lead.locator("#incident a.report").get_attribute("href")
    report = await lead.context.new_page()  # the same browser: the same signed-in session
    await report.goto(h.base + href)
    await report.wait_for_function("window.tetherReportReady === true")
    body = await report.text_content("main") or ""
    assert "emergency.started" in body and "call responders" in body and "transported" in body
    await report.screenshot(path=str(ARTIFACTS / "incident-report.png"), full_page=True)
