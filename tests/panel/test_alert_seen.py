"""A silent alert put away with "Seen" stays away: after a reload, and in every other
clinician's panel; a new alert of the same kind shows again."""

from __future__ import annotations

from typing import Any

from tests.callbacks.test_callback_ladder import join_group
from tests.checkin.test_checkin import (
    browser,  # noqa: F401  (the Chromium fixture)
    link,
)
from tests.conftest import Harness
from tests.panel.flow import open_panel

MOMENT = ".alert[data-kind='need-moment']"


async def test_seen_is_for_everyone_and_survives_a_reload(harness: Harness,
                                                          browser: Any) -> None:  # noqa: F811
    h = harness
    await join_group(h)
    await h.settle()
    token = (await link(h, "client-001")).split("t=")[1]
    lead = await open_panel(h, browser, "lead-avery")
    cofac = await open_panel(h, browser, "cofac-morgan")
    assert (await h.http.post(f"{h.base}/api/checkin/moment?t={token}")).status_code == 200
    await lead.locator(MOMENT).wait_for()
    await cofac.locator(MOMENT).wait_for()
    await lead.click(f"{MOMENT} button.seen")
    await cofac.locator(MOMENT).wait_for(state="detached")  # put away in the other panel
    seen = [e for e in await h.timeline() if e["kind"] == "alert.seen"]
    assert seen and seen[0]["data"]["by"] == "lead-avery"
    await lead.reload()
    await lead.wait_for_function("document.getElementById('conn').textContent === 'live'")
    assert await lead.locator(MOMENT).count() == 0  # still away after a reload
    assert (await h.http.post(f"{h.base}/api/checkin/moment?t={token}")).status_code == 200
    await lead.locator(MOMENT).wait_for()  # a new one shows again
