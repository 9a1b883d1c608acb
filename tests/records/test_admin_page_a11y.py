"""The admin page at 375, 400 and 1280 px in real headless Chromium, signed in as the
clinical lead (who sees every form): each section loaded, and a client save refused. Every
control named by a real label, no sideways scrolling of the page, no critical or serious
axe finding, a screenshot of each state."""

from __future__ import annotations

from typing import Any

import pytest

from tests.checkin.test_checkin import browser  # noqa: F401  (the Chromium fixture)
from tests.checkin.test_checkin_pages import WIDTHS, looked_at
from tests.conftest import Harness, signed_in_page

SECTIONS = ("now", "staff", "groups", "schedule", "policies", "clients", "clients/client-001",
            "clients/new", "directory", "import", "break-glass", "incidents")

UNLABELLED = """() => Array.from(document.querySelectorAll('input, textarea, select'))
  .filter(e => !Array.from(e.labels || []).some(l => l.textContent.trim()))
  .map(e => e.id || e.outerHTML.slice(0, 80))"""


@pytest.mark.parametrize("width", WIDTHS)
async def test_every_section_of_the_admin_page(
        harness: Harness, browser: Any, width: int) -> None:  # noqa: F811
    h = harness
    page = await signed_in_page(h, browser, "clinlead-sasha",
                                viewport={"width": width, "height": 900})
    await page.goto(f"{h.base}/admin")
    await page.wait_for_selector("body[data-ready=yes]")
    for where in SECTIONS:
        await page.goto(f"{h.base}/admin#{where}")
        await page.wait_for_function("() => !document.querySelector('main').textContent"
                                     ".includes('Loading')")
        assert await page.evaluate(UNLABELLED) == [], where
        await looked_at(page, f"admin-{where.replace('/', '-')}-{width}")


@pytest.mark.parametrize("width", WIDTHS)
async def test_a_refused_client_save(
        harness: Harness, browser: Any, width: int) -> None:  # noqa: F811
    h = harness
    page = await signed_in_page(h, browser, "clinlead-sasha",
                                viewport={"width": width, "height": 900})
    await page.goto(f"{h.base}/admin#clients/client-001")
    await page.wait_for_selector("#client-callback_phone")
    await page.fill("#client-callback_phone", "call me")
    await page.fill("#client-safety_plan-review_every_days", "3")
    await page.click("text=Save changes")
    await page.wait_for_selector(".error-summary")
    assert await page.get_attribute("#client-callback_phone", "aria-invalid") == "true"
    assert "at least 7" in str(
        await page.text_content("#client-safety_plan-review_every_days-error"))
    await looked_at(page, f"admin-edit-error-{width}")
