"""1:1 triage from the panel inside Zoom: the real bridge (plugins/zoom/static) against a
fake zoomSdk that implements the calls used and records them."""

from __future__ import annotations

import json
from typing import Any

from tests.callbacks.test_callback_ladder import join_group
from tests.checkin.test_checkin import browser  # noqa: F401  (the Chromium fixture)
from tests.conftest import ROOT, Harness
from tests.zoom.test_zoom_app import context

FAKE_SDK = """
window.__sdkCalls = [];
const rec = (name, ret) => async (arg) => {
  window.__sdkCalls.push([name, arg === undefined ? null : arg]);
  if (window.__sdkFail && window.__sdkFail[name]) throw window.__sdkFail[name];
  return typeof ret === 'function' ? ret(arg) : ret;
};
window.zoomSdk = {
  config: rec('config', {runningContext: 'inMeeting'}),
  getAppContext: rec('getAppContext', {context: %(context)s}),
  getUserContext: rec('getUserContext', {role: %(role)s, participantUUID: 'pu-lead',
                                         screenName: 'Avery (lead)'}),
  getBreakoutRoomList: rec('getBreakoutRoomList', {rooms: [], state: 'closed'}),
  addBreakoutRoom: rec('addBreakoutRoom', {uuid: 'BR-uuid-1'}),
  assignParticipantToBreakoutRoom: rec('assignParticipantToBreakoutRoom', {}),
  openBreakoutRooms: rec('openBreakoutRooms', {}),
  changeBreakoutRoom: rec('changeBreakoutRoom', {}),
};
"""


async def zoom_panel(h: Harness, browser: Any, uid: str, role: str) -> Any:  # noqa: F811
    ctx = context(h, uid=uid)
    page = await browser.new_page(bypass_csp=True, extra_http_headers={
        "x-zoom-app-context": ctx})
    await page.add_init_script(FAKE_SDK % {"context": json.dumps(ctx),
                                           "role": json.dumps(role)})
    await page.goto(f"{h.base}/zoom/home")
    await page.wait_for_function("document.getElementById('conn').textContent === 'live'")
    return page


async def test_triage_issues_the_sdk_calls_in_order_and_tells_the_cofacilitator(
        harness: Harness, browser: Any) -> None:  # noqa: F811
    h = harness
    await join_group(h)
    await h.settle()
    lead = await zoom_panel(h, browser, "zUidAvery0001", "host")
    cofac = await zoom_panel(h, browser, "zUidMorgan0002", "coHost")
    await lead.locator("tr[data-participant='pu-casey-1'] button.triage").click()
    await lead.wait_for_function(
        "window.__sdkCalls.some(c => c[0] === 'changeBreakoutRoom')")
    calls = [c for c in await lead.evaluate("window.__sdkCalls")
             if c[0] not in ("config", "getAppContext")]
    assert calls == [
        ["getUserContext", None],
        ["getBreakoutRoomList", None],
        ["addBreakoutRoom", {"name": "Breakout Room 1"}],
        ["assignParticipantToBreakoutRoom", {"uuid": "BR-uuid-1",
                                             "participantUUID": "pu-casey-1"}],
        ["assignParticipantToBreakoutRoom", {"uuid": "BR-uuid-1",
                                             "participantUUID": "pu-lead"}],
        ["openBreakoutRooms", None],
        ["changeBreakoutRoom", {"action": "join", "uuid": "BR-uuid-1"}],
    ]
    card = cofac.locator(".alert[data-kind='secure-group']")
    await card.wait_for(state="visible")
    assert "the group is yours" in (await card.text_content() or "")
    assert "Casey" not in (await card.text_content() or "")  # no client named to the group
    await cofac.screenshot(path=str(ROOT / "artifacts" / "panel-cofacilitator.png"))
    kinds = await h.kinds()
    assert kinds.index("triage.started") < kinds.index("triage.moved")

    await lead.locator(".alert[data-kind='triage'] button").click()
    await lead.wait_for_function(
        "window.__sdkCalls.some(c => c[0] === 'changeBreakoutRoom' && c[1].action === 'leave')")
    back = [c for c in await lead.evaluate("window.__sdkCalls")][-2:]
    assert back == [["assignParticipantToBreakoutRoom", {"participantUUID": "pu-casey-1"}],
                    ["changeBreakoutRoom", {"action": "leave"}]]
    await lead.locator(".alert[data-kind='triage']").wait_for(state="detached")
    assert "triage.ended" in await h.kinds()


async def test_triage_without_host_rights_explains_plainly(harness: Harness,
                                                           browser: Any) -> None:  # noqa: F811
    h = harness
    await join_group(h)
    await h.settle()
    page = await zoom_panel(h, browser, "zUidAvery0001", "attendee")
    await page.locator("tr[data-participant='pu-casey-1'] button.triage").click()
    await page.wait_for_function("document.getElementById('error').textContent.length > 0")
    assert "host or co-host" in (await page.text_content("#error") or "")
    names = [c[0] for c in await page.evaluate("window.__sdkCalls")]
    assert "addBreakoutRoom" not in names
    assert "triage.failed" in await h.kinds()




async def test_real_sdk_loads_in_the_panel_under_our_csp(harness: Harness,
                                                         browser: Any) -> None:  # noqa: F811
    h = harness
    page = await browser.new_page(extra_http_headers={"x-zoom-app-context": context(h)})
    await page.goto(f"{h.base}/zoom/home")  # the real @zoom/appssdk module, CSP enforced
    for _ in range(50):  # page.evaluate with a function works under the page's CSP
        if await page.evaluate("() => typeof (window.zoomSdk || {}).config") == "function":
            break
        await page.wait_for_timeout(100)
    assert await page.evaluate("() => typeof window.zoomSdk.config") == "function"
