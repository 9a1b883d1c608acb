"""The admin forms in real headless Chromium at a phone's and a desktop's width: a new client
with two consented contacts, wrong values named at their fields with the typed text kept,
the clinical lead's safety plan and code words, two people saving the same client, the
locale directory's rows and its call format. Every state: no sideways page scroll at 375
px, axe clean of critical and serious findings, a screenshot in artifacts/admin-*.png."""

from __future__ import annotations

from typing import Any

import pytest

from tests.axe import assert_accessible
from tests.checkin.test_checkin import browser  # noqa: F401  (the Chromium fixture)
from tests.conftest import ROOT, Harness, signed_in_page
from tests.records.test_admin_api import get

ARTIFACTS = ROOT / "artifacts"
ADMIN = "admin-jordan"
LEAD = "clinlead-sasha"
WIDTHS = (375, 1280)


async def admin_page(h: Harness, chromium: Any, staff: str, width: int, where: str) -> Any:
    page = await signed_in_page(h, chromium, staff, viewport={"width": width, "height": 900})
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.problems = problems
    await page.goto(f"{h.base}/admin#{where}")
    await page.wait_for_selector("body[data-ready=yes]")
    return page


async def looked_at(page: Any, state: str) -> None:
    """No sideways scroll of the page, axe clean, a screenshot for a person to look at."""
    width = page.viewport_size["width"]
    scroll = await page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{state}: {scroll} px wide in a {width} px window"
    await assert_accessible(page, state)
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / f"{state}.png"), full_page=True)
    assert page.problems == []


async def status(page: Any, starts: str) -> None:
    await page.wait_for_function(
        "s => Array.from(document.querySelectorAll('.savebar .status'))"
        ".some(e => e.textContent.startsWith(s))", arg=starts)


async def add_contact(page: Any, n: int, name: str, phone: str, scopes: list[str]) -> None:
    await page.click("#add-contact")
    row = f"#client-emergency_contacts-{n}"
    await page.fill(f"{row}-name", name)
    await page.fill(f"{row}-relation", "friend")
    await page.fill(f"{row}-phone", phone)
    for scope in scopes:
        await page.check(f"{row}-consent-{scope}")
    await page.fill(f"{row}-consent_given_on", "2026-11-30")


@pytest.mark.parametrize("width", WIDTHS)
async def test_an_admin_adds_a_client_with_two_consented_contacts(
        harness: Harness, browser: Any, width: int) -> None:  # noqa: F811
    h = harness
    page = await admin_page(h, browser, ADMIN, width, "clients")
    await page.click("#new-client")
    await page.get_by_label("Name", exact=True).fill("Jamie Quillfeather")
    assert await page.input_value("#client-id") == "jamie-quillfeather"  # suggested
    await page.get_by_label("Callback number").fill("+13125550141")
    await page.check("#client-sms_consent")
    for field, value in (("street", "18 Birch Court"), ("city", "Springfield"),
                         ("region", "IL"), ("postal_code", "62704"), ("country", "US")):
        await page.fill(f"#client-location-{field}", value)
    await add_contact(page, 0, "Lee Quillfeather", "+13125550142",
                      ["callback_ladder", "notify_crisis"])
    await add_contact(page, 1, "Pat Okafor", "+13125550143", ["responders_may_call"])
    await page.check("#client-emergency_contacts-1-speaks_to_responders")
    assert "clinical lead" in str(await page.text_content("#clinical-note-title ~ p"))
    await looked_at(page, f"admin-new-client-{width}")
    await page.click("text=Save the new client")
    await page.wait_for_url("**/admin#clients/jamie-quillfeather")
    await status(page, "Saved: Jamie Quillfeather was added")
    assert await page.input_value("#client-emergency_contacts-1-name") == "Pat Okafor"

    stored = await get(h, "/api/admin/clients/jamie-quillfeather")
    assert [c["consent"] for c in stored["emergency_contacts"]] == [
        ["callback_ladder", "notify_crisis"], ["responders_may_call"]]
    assert stored["location"]["postal_code"] == "62704" and stored["sms_consent"] is True
    await page.click("text=← All clients")
    row = page.locator("#clients tr[data-client='jamie-quillfeather']")
    await row.wait_for()
    text = str(await row.text_content())
    assert "2 contacts" in text and "Responders may phone them" in text
    await looked_at(page, f"admin-client-list-{width}")


@pytest.mark.parametrize("width", WIDTHS)
async def test_wrong_values_are_named_at_their_fields_and_the_text_is_kept(
        harness: Harness, browser: Any, width: int) -> None:  # noqa: F811
    h = harness
    page = await admin_page(h, browser, ADMIN, width, "clients/client-002")
    await page.wait_for_selector("#client-name")
    await page.fill("#client-name", "")
    await page.fill("#client-callback_phone", "312")
    await page.fill("#client-emergency_contacts-0-phone", "call Sam")
    await page.click("text=Save changes")
    summary = page.locator(".error-summary")
    await summary.wait_for()
    assert await page.evaluate("document.activeElement.classList.contains('error-summary')")
    assert "3 things to fix" in str(await summary.text_content())
    phone_error = str(await page.text_content("#client-callback_phone-error"))
    assert "international format, like +12175550142" in phone_error
    assert "cannot be empty" in str(await page.text_content("#client-name-error"))
    assert "international format" in str(
        await page.text_content("#client-emergency_contacts-0-phone-error"))
    field = page.locator("#client-callback_phone")
    assert await field.get_attribute("aria-invalid") == "true"
    assert "client-callback_phone-error" in str(await field.get_attribute("aria-describedby"))
    assert await field.input_value() == "312"  # what the admin typed stays
    assert await page.input_value("#client-name") == ""
    await status(page, "Not saved: fix the 3 problems")
    await looked_at(page, f"admin-client-errors-{width}")

    assert "Contact 1: Sam Tidewell, phone" in str(await summary.text_content())
    await summary.get_by_role("link", name="Callback number").click()
    assert await page.evaluate("document.activeElement.id") == "client-callback_phone"
    assert (await get(h, "/api/admin/clients/client-002"))["callback_phone"] == "+13125550112"
    await page.fill("#client-name", "Rowan Tidewell")
    await page.fill("#client-callback_phone", "+13125550132")
    await page.fill("#client-emergency_contacts-0-phone", "+13125550122")
    await page.click("text=Save changes")
    await status(page, "Saved at")
    assert await page.locator(".error-summary").count() == 0
    assert (await get(h, "/api/admin/clients/client-002"))["callback_phone"] == "+13125550132"


@pytest.mark.parametrize("width", WIDTHS)
async def test_the_clinical_lead_edits_the_safety_plan_and_shows_the_code_words(
        harness: Harness, browser: Any, width: int) -> None:  # noqa: F811
    h = harness
    page = await admin_page(h, browser, LEAD, width, "clients/client-001")
    signs = page.get_by_label("Warning signs that a crisis may be coming")
    await signs.wait_for()
    assert "not sleeping for two nights" in await signs.input_value()
    assert "1 code word on file" in str(await page.text_content("#code-words-masked"))
    assert "blue umbrella" not in str(await page.text_content("body"))
    await signs.fill("not sleeping for two nights\nskipping meals\ncancelling plans")
    await page.fill("#client-safety_plan-last_reviewed", "2027-01-14")
    await page.click("#show-code-words")
    words = page.locator("#client-code_words")
    await words.wait_for()
    assert await words.input_value() == "blue umbrella"
    assert "recorded" in str(await page.text_content("#client-code_words-box"))
    await words.fill("blue umbrella\ngreen door")
    await looked_at(page, f"admin-clinical-{width}")
    await page.click("text=Save changes")
    await status(page, "Saved at")
    stored = await get(h, "/api/admin/clients/client-001", LEAD)
    assert stored["safety_plan"]["warning_signs"][-1] == "cancelling plans"
    assert stored["safety_plan"]["last_reviewed"] == "2027-01-14"
    record = await h.tether.clients.get("client-001", actor="test", purpose="test")
    assert record is not None and record.code_words == ["blue umbrella", "green door"]
