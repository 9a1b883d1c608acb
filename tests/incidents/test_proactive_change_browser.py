"""Moving and cancelling a proactive check-in in the incident view, in real headless
Chromium against the real sidecar: the new time shows, a cancelled check-in reads
"Cancelled by <name>" with the reason, and both survive a reload. 400, 1280 and 375 px,
axe clean, screenshots in artifacts/."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from tests.checkin.test_checkin import browser  # noqa: F401  (the Chromium fixture)
from tests.conftest import Harness
from tests.incidents.test_incident_browser import opened, page_for, text
from tests.incidents.test_proactive import ZONE
from tests.incidents.test_proactive_browser import look, shows


@pytest.mark.parametrize("width", [400, 1280, 375])
async def test_move_then_cancel(harness: Harness, browser: Any,  # noqa: F811
                                width: int) -> None:
    h = harness
    incident = await opened(h)
    page = await page_for(h, browser, incident, width)
    await page.click("button.open-schedule")
    await page.click("button.schedule-checkin")
    await shows(page, "scheduled")

    later = datetime.fromtimestamp(h.clock.now(), tz=ZONE).date() + timedelta(days=2)
    await page.get_by_role("button", name="Move to another time").click()
    await page.get_by_label("New time").fill(f"{later.isoformat()}T15:30")
    await look(page, "move-form", width)
    await page.click("button.save-move")
    await page.locator("li.checkin .due", has_text="15:30").wait_for()
    assert f"{later.day} " in await text(page, "li.checkin .due")

    await page.get_by_role("button", name="Cancel: Call from").click()
    await page.get_by_label("Why is it no longer needed?").fill("Seen in person today.")
    await look(page, "cancel-form", width)
    await page.click("button.save-cancel")
    await shows(page, "cancelled")
    line = await text(page, "li.checkin")
    assert "Cancelled by Avery Lindqvist" in line and "Seen in person today." in line
    assert await page.locator("li.checkin button").count() == 0  # nothing left to do
    await look(page, "cancelled", width)
    await page.reload()
    await shows(page, "cancelled")
