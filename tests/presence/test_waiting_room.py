"""Hold at the door: clients in the waiting room get the check-in link by text, and the
host admits them from the panel once they have checked in."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from tests import zoom_payloads as zp
from tests.callbacks.test_callback_ladder import T0
from tests.checkin.test_checkin import GOOD, browser  # noqa: F401  (the Chromium fixture)
from tests.conftest import Harness
from tests.incidents.test_panel_triage import FAKE_SDK
from tests.zoom.test_zoom_app import context

M = quote(zp.MEETING_UUID, safe="")


async def wait(h: Harness, puuid: str, name: str) -> None:
    await h.zoom(zp.participant_event("meeting.participant_joined_waiting_room", T0,
                                      puuid, name))


async def test_texting_the_link_sends_only_the_link(harness: Harness) -> None:
    h = harness
    await wait(h, "pu-casey-1", "Casey B")
    await h.settle()
    r = await h.http.post(f"{h.base}/api/meetings/{M}/clients/client-001/checkin-link",
                          json={"send_sms": True}, headers=h.token())
    assert r.status_code == 200 and r.json()["sms_sent"] is True
    (sms,) = h.standin.messages
    assert sms["to"] == "+13125550111" and r.json()["url"] in sms["body"]
    assert "Larkspur" not in sms["body"] and "Casey" not in sms["body"]
    assert "checkin.link_sent" in await h.kinds()


async def test_panel_texts_then_admits_from_the_waiting_room(harness: Harness,
                                                              browser: Any) -> None:  # noqa: F811
    h = harness
    await h.zoom(zp.joined(T0 - 60_000, "pu-lead", "Avery (lead)"))
    await wait(h, "pu-casey-1", "Casey B")
    await h.settle()
    ctx = context(h)
    page = await browser.new_page(bypass_csp=True, extra_http_headers={
        "x-zoom-app-context": ctx})
    await page.add_init_script(FAKE_SDK % {"context": json.dumps(ctx), "role": '"host"'}
                               + "window.zoomSdk.admitParticipantFromWaitingRoom = "
                                 "rec('admitParticipantFromWaitingRoom', {});")
    await page.goto(f"{h.base}/zoom/home")
    row = page.locator("tr[data-participant='pu-casey-1']")
    await row.locator("button.sms").click()
    await row.locator("button.sms:has-text('done')").wait_for()
    assert len(h.standin.messages) == 1
    token = h.standin.messages[0]["body"].rsplit("t=", 1)[1]
    assert (await h.http.post(f"{h.base}/api/checkin?t={token}", json=GOOD)).status_code == 200
    await row.locator("button.admit").click()
    await page.wait_for_function(
        "window.__sdkCalls.some(c => c[0] === 'admitParticipantFromWaitingRoom')")
    calls = await page.evaluate("window.__sdkCalls")
    assert ["admitParticipantFromWaitingRoom", {"participantUUID": "pu-casey-1"}] in calls
