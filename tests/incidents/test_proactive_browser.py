"""Proactive check-ins in the incident view (sidecar/web/static/panel/proactive.js) in real
headless Chromium against the real sidecar: after a moderate screen the form is open with
tomorrow at 10:00; scheduling shows the call, the fake clock makes it due then overdue, and
the outcome is recorded in plain words. Each state at 400, 1280 and 375 px: no overflow, axe
clean, a screenshot in artifacts/."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.checkin.test_checkin import browser  # noqa: F401  (the Chromium fixture)
from tests.conftest import Harness, eventually
from tests.incidents.test_incident_browser import check_screen, opened, page_for, text
from tests.incidents.test_proactive import MODERATE, until

SECTION = ".checkins"
RAW = ("needs_follow_up", "not_reached", "lead-avery", "client-001", "proactive", "overdue_")


async def shows(page: Any, state: str) -> None:
    await page.locator(f"li.checkin[data-state='{state}']").first.wait_for(state="visible")


async def again(h: Harness, browser: Any, page: Any, incident: str,  # noqa: F811
                width: int) -> Any:
    """The clock moved past the session's idle time: sign in again on a fresh page."""
    await page.context.close()
    return await page_for(h, browser, incident, width)


async def look(page: Any, name: str, width: int) -> None:
    words = await text(page, SECTION)
    assert not any(r in words for r in RAW), words  # plain words, no ids or enum values
    await check_screen(page, f"checkin-{name}", width)


@pytest.mark.parametrize("width", [400, 1280, 375])
async def test_schedule_due_overdue_outcome(harness: Harness, browser: Any,  # noqa: F811
                                            width: int) -> None:
    h = harness
    incident = await opened(h)
    r = await h.http.post(f"{h.base}/api/incidents/{incident}/screens",
                          json={"answers": MODERATE}, headers=h.token())
    assert r.json()["level"] == "moderate"
    page = await page_for(h, browser, incident, width)
    when = page.locator(f"#schedule-{incident}-at")
    await when.wait_for(state="visible")
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T10:00", await when.input_value())
    assert "suggested" in await text(page, SECTION)
    await look(page, "form", width)

    await page.get_by_label("Who calls").select_option(label="Morgan Ostrander")
    await page.click("button.schedule-checkin")
    await shows(page, "scheduled")
    line = await text(page, "li.checkin")
    assert "Call from Morgan Ostrander" in line and "10:00" in line and "Scheduled" in line
    await look(page, "scheduled", width)

    got = (await h.http.get(f"{h.base}/api/incidents/{incident}/check-ins",
                            headers=h.token())).json()["check_ins"][0]
    await until(h, got["due_ms"])
    page = await again(h, browser, page, incident, width)  # a day later: a new session
    await shows(page, "due")
    assert "Due now" in await text(page, "li.checkin")
    task = await text(page, "li.checkin-due")  # and in the incident's task list
    assert "Check-in due: Morgan Ostrander, call Casey Brightwater now" in task
    await until(h, got["due_ms"] + 120 * 60_000)

    async def overdue() -> bool:
        body = (await h.http.get(f"{h.base}/api/incidents/{incident}/check-ins",
                                 headers=h.token())).json()
        return bool(body["check_ins"][0]["state"] == "overdue")

    await eventually(overdue)
    page = await again(h, browser, page, incident, width)
    await shows(page, "overdue")
    await look(page, "overdue", width)

    await page.click("button.record-outcome")
    await page.get_by_label("Reached: needs follow-up").check()
    await page.get_by_label("Note (optional)").fill("Rough night; booked an extra session.")
    await look(page, "outcome-form", width)
    await page.click("button.save-outcome")
    await shows(page, "done")
    line = await text(page, "li.checkin")
    assert "Reached: needs follow-up (recorded by Avery Lindqvist)" in line
    assert "booked an extra session" in line
    await look(page, "done", width)
    await page.reload()
    await shows(page, "done")  # from the server: survives a reload
