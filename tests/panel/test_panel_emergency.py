"""From a dropped client nobody could reach to the emergency view in the panel itself:
one click on the card starts the protocol without a screen (the reason recorded), the lead
and the co-facilitator each see it in their own panel, and closing it ends it for both."""

from __future__ import annotations

from typing import Any

from tests import zoom_payloads as zp
from tests.axe import assert_accessible
from tests.callbacks.test_callback_ladder import CASEY, T0, join_group
from tests.checkin.test_checkin import browser  # noqa: F401  (the Chromium fixture)
from tests.conftest import Harness
from tests.panel.flow import LADDER, drive_until, fits, load_directory, open_panel, shot


async def test_nobody_answered_to_the_emergency_view_in_both_panels(
        harness: Harness, browser: Any) -> None:  # noqa: F811
    h = harness
    await load_directory(h)
    for number in ("+13125550111", "+13125550121"):
        h.standin.behaviour[number] = "busy"
    await join_group(h)
    await h.settle()
    lead = await open_panel(h, browser, "lead-avery", width=400)
    cofac = await open_panel(h, browser, "cofac-morgan", width=400)
    await h.zoom(zp.disconnected(T0, *CASEY))
    await lead.locator(LADDER).wait_for()
    await drive_until(h, lead, "Nobody answered: send responders")
    await lead.click(f"{LADDER} button.emergency")
    view = lead.locator("#incident .incident-view")
    await view.wait_for()
    await lead.locator("#incident", has_text="EMERGENCY").wait_for()
    await cofac.locator("#incident", has_text="EMERGENCY").wait_for()  # live, no reload
    await fits(lead, 400)
    await assert_accessible(lead, "panel-emergency-400")
    await shot(lead, "panel-emergency-400")
    opened = [e for e in await h.timeline() if e["kind"] == "emergency.started"]
    assert opened and "nobody answered" in opened[0]["data"]["reason"]
    await lead.reload()  # the emergency is rebuilt from the API
    await lead.locator("#incident", has_text="EMERGENCY").wait_for()
