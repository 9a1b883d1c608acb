"""Coaching pages in real headless Chromium: the clinical lead writes a page and sees the
server's preview, attaches it to a client's contact and sees "not read yet", then "read
<time>" once the caregiver has opened it; the page as a caregiver sees it. Each state: no
sideways scroll, axe clean, a screenshot in artifacts/coaching-*.png."""

from __future__ import annotations

from typing import Any

import pytest

from sidecar.coaching.attachments import mark_read
from tests.checkin.test_checkin import browser  # noqa: F401  (the Chromium fixture)
from tests.conftest import ROOT, Harness, signed_in_page
from tests.records.test_admin_forms_browser import looked_at

LEAD = "clinlead-sasha"
BODY = ("## Before bed\n\n- Put the spare keys away\n- Say **goodnight** kindly\n\n"
        "<script>window.hacked = 1</script> [call us](tel:+13125550100) "
        "[bad](javascript:window.hacked=2)")


async def opened(h: Harness, chromium: Any, width: int, where: str) -> Any:
    page = await signed_in_page(h, chromium, LEAD, viewport={"width": width, "height": 900})
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.problems = problems
    await page.goto(f"{h.base}{where}")
    return page


@pytest.mark.parametrize("width", (375, 400, 1280))
async def test_a_page_is_written_attached_and_its_read_receipt_shown(
        harness: Harness, browser: Any, width: int) -> None:  # noqa: F811
    h = harness
    page = await opened(h, browser, width, "/admin#coaching")
    await page.wait_for_selector("body[data-ready=yes]")
    await page.wait_for_selector("#coaching-pages")
    assert await page.locator("#coaching-pages tbody tr").count() == 3
    await looked_at(page, f"coaching-list-{width}")
    await page.click("#new-page")
    await page.click("#section-coaching button.primary:has-text('Add the page')")
    await page.wait_for_selector("#coaching-title-error")  # empty fields named at the field
    assert "cannot be empty" in str(await page.text_content("#coaching-title-error"))
    await page.fill("#coaching-title", "Evenings at home")
    await page.fill("#coaching-summary", "Small things that make nights calmer.")
    await page.fill("#coaching-body", BODY)
    preview = page.locator("#coaching-preview")
    await preview.locator("h2", has_text="Before bed").wait_for()
    assert await preview.locator("strong", has_text="goodnight").count() == 1
    assert await preview.locator("a[href='tel:+13125550100']").count() == 1
    assert await preview.locator("script").count() == 0
    assert await preview.locator("a[href^='javascript']").count() == 0
    assert "<script>window.hacked = 1</script>" in str(await preview.text_content())
    await looked_at(page, f"coaching-edit-{width}")
    page.on("dialog", lambda d: d.accept())  # "leave with unsaved changes?": yes
    await page.reload()  # what was typed comes back
    await page.wait_for_selector("body[data-ready=yes]")
    await preview.locator("h2", has_text="Before bed").wait_for()
    assert await page.input_value("#coaching-body") == BODY
    assert await page.input_value("#coaching-title") == "Evenings at home"
    await page.click("#section-coaching button.primary:has-text('Add the page')")
    await page.wait_for_function("() => location.hash === '#coaching/evenings-at-home'")
    await page.wait_for_selector("h2:has-text('Evenings at home')")
    assert await page.evaluate("window.hacked") is None

    await page.goto(f"{h.base}/admin#clients/client-001")
    box = page.locator(".coaching-for").first
    await box.locator("select").wait_for()
    await box.locator("select").select_option(label="Evenings at home")
    await box.locator("button", has_text="Attach for Dana Brightwater").click()
    line = box.locator("li[data-page=evenings-at-home]")
    await line.wait_for()
    assert "Evenings at home — not read yet" in " ".join(str(await line.text_content()).split())
    await looked_at(page, f"coaching-attached-{width}")

    contact = await page.evaluate(
        "document.querySelector('.coaching-for').id.replace('coaching-for-', '')")
    first = int(h.clock.now() * 1000)
    assert await mark_read(h.tether.redis, "client-001", contact, "evenings-at-home", first)
    await page.reload()  # the record, and its receipts, as stored
    line = page.locator(".coaching-for li[data-page=evenings-at-home]")
    await line.wait_for()
    # the fake clock's now is Fri 15 Jan 2027, 02:00 in the program's zone (Chicago)
    assert "Evenings at home — read Fri 02:00" in " ".join(str(await line.text_content()).split())
    await looked_at(page, f"coaching-read-{width}")
    await page.locator(".coaching-for").first.screenshot(  # the part a person checks
        path=str(ROOT / "artifacts" / f"coaching-read-contact-{width}.png"))


@pytest.mark.parametrize("width", (375, 400, 1280))
async def test_the_staff_preview_reads_well_on_a_phone(harness: Harness, browser: Any,  # noqa: F811
                                                       width: int) -> None:
    h = harness
    page = await opened(h, browser, width, "/coaching/making-home-safer")
    await page.wait_for_selector("h1:has-text('Making home safer')")
    crisis = page.locator("a.crisis-line")
    assert await crisis.get_attribute("href") == "tel:988"
    box = await crisis.bounding_box()
    assert box is not None and box["y"] < 80  # the first thing on the page
    size = await page.evaluate("getComputedStyle(document.querySelector('main p')).fontSize")
    assert float(size.removesuffix("px")) >= 16
    await looked_at(page, f"coaching-page-{width}")


async def test_two_authors_on_one_page_see_the_conflict_and_keep_theirs_or_mine(
        harness: Harness, browser: Any) -> None:  # noqa: F811
    h = harness
    page = await opened(h, browser, 1280, "/admin#coaching/calming-down")
    await page.wait_for_selector("#coaching-body")
    current = (await h.http.get(f"{h.base}/api/admin/coaching/calming-down",
                                headers=h.token("admin-jordan"))).json()
    text = {k: current[k] for k in ("title", "summary", "body", "retired")}
    r = await h.http.put(f"{h.base}/api/admin/coaching/calming-down", headers={
        **h.token("admin-jordan"), "If-Match": '"1"'}, json={**text, "summary": "Theirs."})
    assert r.status_code == 200
    await page.fill("#coaching-summary", "Mine.")
    await page.click("button.primary:has-text('Save changes')")
    conflict = page.locator(".conflict")
    await conflict.wait_for()
    assert "Jordan Pell saved this page" in str(await conflict.text_content())
    assert "Theirs." in str(await conflict.text_content())
    assert await page.input_value("#coaching-summary") == "Mine."  # nothing lost
    await looked_at(page, "coaching-conflict-1280")
    await page.click("button:has-text('Keep mine and save again')")
    await page.wait_for_function(
        "() => document.querySelector('.savebar .status').textContent.startsWith('Saved')")
    saved = (await h.http.get(f"{h.base}/api/admin/coaching/calming-down",
                              headers=h.token("admin-jordan"))).json()
    assert saved["summary"] == "Mine." and saved["version"] == 3
    await page.click("#retire-page")
    await page.wait_for_selector("#retired-note")
    assert "Retired at" in str(await page.text_content(".savebar .status"))
