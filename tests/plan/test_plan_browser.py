"""The plan pages and their sending in real headless Chromium: the client's page and a
caregiver's at 375, 400 and 1280 px (with the plan, without it, code words only when
shared), on paper (print emulation), the refusal page; "Send safety plan" on the panel's
roster (kept over a reload) and on the admin page with its list and withdraw. Every state:
no sideways scroll, axe clean of critical and serious findings, a screenshot in
artifacts/plan-*.png."""

from __future__ import annotations

from typing import Any

import pytest

from tests.axe import assert_accessible
from tests.callbacks.test_callback_ladder import join_group
from tests.checkin.test_checkin import browser  # noqa: F401  (the Chromium fixture)
from tests.conftest import ROOT, Harness, signed_in_page
from tests.panel.flow import open_panel
from tests.plan.flow import CASEY, CASEY_PHONE, DANA, listing, prepared, send, texted

ARTIFACTS = ROOT / "artifacts"
WIDTHS = (375, 400, 1280)


async def looked_at(page: Any, state: str) -> None:
    width = page.viewport_size["width"]
    scroll = await page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{state}: {scroll} px wide in a {width} px window"
    await assert_accessible(page, state)
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / f"{state}.png"), full_page=True)


async def phone(browser: Any, width: int) -> Any:  # noqa: F811
    context = await browser.new_context(viewport={"width": width, "height": 800})
    return await context.new_page()


@pytest.mark.parametrize("width", WIDTHS)
async def test_the_clients_page_and_a_caregivers_with_the_plan(
        harness: Harness, browser: Any, width: int) -> None:  # noqa: F811
    h = harness
    dana = await prepared(h, dana_words=True)
    await send(h, ["client", dana])
    [mine] = await texted(h, CASEY_PHONE)
    [hers] = await texted(h, DANA)

    page = await phone(browser, width)
    await page.goto(mine)
    assert "?t=" not in page.url and "link=" in page.url  # the token left the address bar
    crisis = page.locator(".crisis a")
    assert await crisis.get_attribute("href") == "tel:988"
    assert await page.text_content("h1") == "Casey's safety plan"
    assert "walk around the block" in (await page.text_content("section.plan") or "")
    assert "Lincoln Trail Mobile Crisis Team" in (await page.text_content("section.resources")
                                                  or "")
    lost = await page.text_content("section.connection") or ""
    assert "we call you within 60 seconds" in lost and "Dana Brightwater" in lost
    assert await page.locator("section.code-words").count() == 0
    await looked_at(page, f"plan-client-{width}")
    await page.reload()  # a reload keeps the page (the cookie, not the token)
    assert await page.text_content("h1") == "Casey's safety plan"

    page = await phone(browser, width)
    await page.goto(hers)
    assert await page.text_content("h1") == "Supporting Casey"
    assert "not sleeping for two nights" in (await page.text_content("section.plan") or "")
    assert "blue umbrella" in (await page.text_content("section.code-words") or "")
    assert await page.locator("section.coaching[data-slot=coaching]").count() == 1
    await looked_at(page, f"plan-caregiver-{width}")
    if width == 375:
        await page.emulate_media(media="print")
        assert await page.locator("section.coaching").is_hidden()
        assert await page.locator("section.plan").is_visible()
        await page.screenshot(path=str(ARTIFACTS / "plan-caregiver-print.png"), full_page=True)
    assert (await listing(h))["links"][0]["opens"] >= 1


async def test_a_caregiver_without_the_scope_sees_nothing_of_the_plan(
        harness: Harness, browser: Any) -> None:  # noqa: F811
    h = harness
    dana = await prepared(h, dana_plan=False)
    await send(h, [dana])
    [hers] = await texted(h, DANA)
    page = await phone(browser, 375)
    await page.goto(hers)
    text = await page.text_content("body") or ""
    assert await page.locator("section.plan").count() == 0
    assert "safety plan" not in text.lower() and "walk around the block" not in text
    assert await page.locator("section.code-words").count() == 0 and "blue umbrella" not in text
    assert "We may tell you if Casey is in crisis." in text
    await looked_at(page, "plan-caregiver-no-plan-375")


async def test_an_expired_link_gets_the_plain_page_with_the_crisis_line(
        harness: Harness, browser: Any) -> None:  # noqa: F811
    h = harness
    await prepared(h)
    await send(h, ["client"])
    [mine] = await texted(h, CASEY_PHONE)
    h.clock.advance(31 * 86400)
    page = await phone(browser, 375)
    response = await page.goto(mine)
    assert response.status == 403
    assert "has expired" in (await page.text_content("main") or "")
    assert await page.locator(".crisis a").get_attribute("href") == "tel:988"
    await looked_at(page, "plan-refused-375")


@pytest.mark.parametrize("width", WIDTHS)
async def test_send_safety_plan_from_the_panel(harness: Harness, browser: Any,  # noqa: F811
                                               width: int) -> None:
    h = harness
    await prepared(h)
    await join_group(h)
    page = await open_panel(h, browser, width=width)
    row = page.locator("#roster tr[data-participant='pu-casey-1']")
    await row.locator("button.send-plan-open").click()
    box = page.locator("#plan-send")
    await box.locator(".recipient").first.wait_for()
    said = await box.text_content() or ""
    assert "Dana's page holds the safety plan" in said
    await box.get_by_label("Casey Brightwater (the client)").check()
    await box.get_by_label("Dana Brightwater (sibling)").check()
    await box.locator("button.send-plan").click()
    await box.locator(".plan-link.send-sent").nth(1).wait_for()
    assert "Sending to Casey Brightwater and Dana Brightwater" in (
        await box.locator(".said").text_content() or "")
    await texted(h, CASEY_PHONE)
    await texted(h, DANA)
    await page.reload()  # the dialog comes back with its list
    await page.locator("#plan-send .plan-link.send-sent").nth(1).wait_for()
    await looked_at(page, f"plan-panel-{width}")
    await page.locator("#plan-send").screenshot(path=str(ARTIFACTS / f"plan-panel-box-{width}.png"))
    await page.locator("#plan-send button.close-plan").click()
    assert await page.locator("#plan-send").count() == 0
    await page.reload()
    await page.locator("#roster button.send-plan-open").first.wait_for()
    assert await page.locator("#plan-send").count() == 0


async def test_the_admin_lists_and_withdraws_links(harness: Harness, browser: Any  # noqa: F811
                                                   ) -> None:
    h = harness
    dana = await prepared(h)
    await send(h, ["client", dana])
    [hers] = await texted(h, DANA)
    h.http.cookies.clear()
    opened = await h.http.get(hers, follow_redirects=True)
    assert opened.status_code == 200
    page = await signed_in_page(h, browser, "admin-jordan", viewport={"width": 375,
                                                                      "height": 900})
    await page.goto(f"{h.base}/admin#clients/{CASEY}")
    box = page.locator("#plan-send")
    await box.locator(".plan-link").nth(1).wait_for()
    line = box.locator(".plan-link", has_text="Dana Brightwater")
    assert "Opened once, last" in (await line.text_content() or "")
    assert await page.locator("#client-emergency_contacts-0-shares_code_words").count() == 1
    await looked_at(page, "plan-admin-375")
    await line.locator("button.withdraw").click()
    await box.locator(".plan-link.revoked").wait_for()
    assert "Withdrawn" in (await box.locator(".plan-link.revoked").text_content() or "")
    h.http.cookies.clear()
    assert (await h.http.get(hers)).status_code == 403
    await box.locator("button.withdraw").first.wait_for()
    await looked_at(page, "plan-admin-withdrawn-375")
    await box.screenshot(path=str(ARTIFACTS / "plan-admin-box-375.png"))


async def test_send_safety_plan_from_an_open_incident(harness: Harness,
                                                      browser: Any) -> None:  # noqa: F811
    from tests.incidents.test_incident_browser import opened as incident_opened
    from tests.incidents.test_incident_browser import page_for

    h = harness
    dana = await prepared(h)
    incident = await incident_opened(h)
    page = await page_for(h, browser, incident, 400)
    await page.locator(".send-plan-box summary").click()
    box = page.locator(".send-plan-box .plan-send")
    await box.get_by_label("Dana Brightwater (sibling)").check()
    await box.locator("button.send-plan").click()
    await box.locator(".plan-link.send-sent").wait_for()
    [hers] = await texted(h, DANA)
    assert (await listing(h))["links"][0]["person"] == dana and hers
    await looked_at(page, "plan-incident-400")


async def test_the_admin_records_shared_code_words_and_an_e_mail(
        harness: Harness, browser: Any) -> None:  # noqa: F811
    h = harness
    await prepared(h)
    page = await signed_in_page(h, browser, "admin-jordan", viewport={"width": 375,
                                                                      "height": 900})
    await page.goto(f"{h.base}/admin#clients/{CASEY}")
    row = "#client-emergency_contacts-0"
    await page.locator(f"{row}-shares_code_words").check()
    await page.fill(f"{row}-email", "not an address")
    await page.get_by_role("button", name="Save changes").click()
    await page.locator(f"{row}-email[aria-invalid=true]").wait_for()
    assert "an e-mail address, like name@example.org" in (await page.text_content("body") or "")
    await page.fill(f"{row}-email", "dana.brightwater@example.org")
    await page.get_by_role("button", name="Save changes").click()
    await page.wait_for_function("Array.from(document.querySelectorAll('.savebar .status'))"
                                 ".some(e => e.textContent.startsWith('Saved at'))")
    record = await h.tether.clients.get(CASEY, actor="test", purpose="test")
    assert record is not None
    dana = record.emergency_contacts[0]
    assert dana.shares_code_words and dana.email == "dana.brightwater@example.org"
    await looked_at(page, "plan-admin-contact-375")
    await page.locator(f"fieldset.row:has({row}-email)").screenshot(
        path=str(ARTIFACTS / "plan-admin-contact-row-375.png"))


@pytest.mark.parametrize("width", WIDTHS)
async def test_a_caregiver_reads_a_guide_from_their_page(harness: Harness, browser: Any,  # noqa: F811
                                                        width: int) -> None:
    h = harness
    dana = await prepared(h)
    r = await h.http.put(f"{h.base}/api/clients/{CASEY}/contacts/{dana}/coaching/what-to-say",
                         headers=h.token("lead-avery"))
    assert r.status_code == 201, r.text
    await send(h, [dana])
    [hers] = await texted(h, DANA)
    page = await phone(browser, width)
    await page.goto(hers)
    guide = page.locator("section.coaching a", has_text="What to say, and what to avoid")
    assert "New" in (await page.text_content("section.coaching") or "")
    await looked_at(page, f"plan-coaching-list-{width}")
    await guide.click()
    await page.locator("h1", has_text="What to say, and what to avoid").wait_for()
    assert await page.locator(".crisis a").get_attribute("href") == "tel:988"
    await looked_at(page, f"plan-coaching-guide-{width}")
    await page.click("text=Back to your page")
    await page.locator("h1", has_text="Supporting Casey").wait_for()
    assert "New" not in (await page.text_content("section.coaching") or "")
    got = await h.http.get(f"{h.base}/api/clients/{CASEY}/contacts/{dana}/coaching",
                           headers=h.token("lead-avery"))
    assert got.json()["attached"][0]["read_words"].startswith("read ")
