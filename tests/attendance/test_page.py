"""The attendance report in real headless Chromium at 375, 400 and 1280 px, signed in as
the group's lead: names and plain words, never ids or enum values; every table in its own
scrolling region (never the page); axe clean; a screenshot to look at."""

from __future__ import annotations

from typing import Any

import pytest

from tests.attendance.session import DAY, GROUP, whole_session
from tests.checkin.test_checkin import browser  # noqa: F401  (the Chromium fixture)
from tests.checkin.test_checkin_pages import WIDTHS, looked_at
from tests.conftest import Harness, signed_in_page

NEVER = ("client-00", "lead-avery", "record_on_file", "check_in", "rejoined,", "under_way",
         "81234567890", "mT3x")


@pytest.mark.parametrize("width", WIDTHS)
async def test_the_report_page(harness: Harness, browser: Any, width: int) -> None:  # noqa: F811
    h = harness
    await whole_session(h)
    page = await signed_in_page(h, browser, "lead-avery",
                                viewport={"width": width, "height": 900})
    await page.goto(f"{h.base}/attendance?group={GROUP}&from={DAY}&to={DAY}")
    await page.wait_for_function("() => window.tetherAttendanceReady === true")
    text = await page.text_content("main") or ""
    assert "Tuesday evening group" in text and "Casey Brightwater" in text
    assert "Present 89 of 90 minutes" in text and "Dropped once; rejoined the group" in text
    assert "Did not attend" in text and "2 of 3 clients came" in text
    assert not [w for w in NEVER if w in text], text
    csv = page.get_by_role("link", name="Download as a spreadsheet (CSV)")
    assert f"group={GROUP}" in (await csv.get_attribute("href") or "")
    await looked_at(page, f"attendance-{width}")


async def test_another_groups_lead_sees_no_group_of_ours(harness: Harness,
                                                         browser: Any) -> None:  # noqa: F811
    h = harness
    await whole_session(h)
    page = await signed_in_page(h, browser, "lead-quinn", viewport={"width": 400, "height": 900})
    await page.goto(f"{h.base}/attendance?group={GROUP}&from={DAY}&to={DAY}")
    await page.get_by_role("status").filter(has_text="not one you care for").wait_for()
    text = await page.text_content("main") or ""
    assert "Casey" not in text
    await looked_at(page, "attendance-refused")
