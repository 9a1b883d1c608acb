"""A client's attendance on their record in the admin page (the clinical lead's view):
the session in words, axe clean; an admin without a clinical role sees no section."""

from __future__ import annotations

from typing import Any

from tests.attendance.session import whole_session
from tests.checkin.test_checkin import browser  # noqa: F401  (the Chromium fixture)
from tests.checkin.test_checkin_pages import looked_at
from tests.conftest import Harness, signed_in_page


async def test_the_history_on_the_record(harness: Harness, browser: Any) -> None:  # noqa: F811
    h = harness
    await whole_session(h)
    page = await signed_in_page(h, browser, "clinlead-sasha",
                                viewport={"width": 375, "height": 900})
    await page.goto(f"{h.base}/admin#clients/client-001")
    history = page.locator("section[aria-labelledby='attendance-title']")
    await history.get_by_text("Present 89 of 90 minutes").wait_for()
    text = await history.text_content() or ""
    assert "Tuesday evening group" in text and "Dropped once; rejoined the group" in text
    assert "client-001" not in text
    await looked_at(page, "attendance-on-the-record")

    admin = await signed_in_page(h, browser, "admin-jordan", viewport={"width": 1280,
                                                                       "height": 900})
    await admin.goto(f"{h.base}/admin#clients/client-001")
    await admin.get_by_label("Callback number").wait_for()
    assert await admin.locator("#attendance-title").count() == 0
