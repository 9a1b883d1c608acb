"""The client's Jitsi join page in real headless Chromium (its own CSP, not bypassed),
against a fake JitsiMeetExternalAPI served for the deployment's external_api.js: check in,
get the token, join, heartbeat; a cut network becomes a callback within the gap plus the
grace on the fake clock; a deliberate leave starts nothing."""

from __future__ import annotations

import json
import re
from typing import Any

from plugins.jitsi.tokens import verify
from tests.callbacks.test_callback_ladder import calls_to
from tests.checkin.test_checkin import browser, fill  # noqa: F401  (the Chromium fixture)
from tests.conftest import ROOT, Harness, eventually
from tests.jitsi.test_jitsi_join import (  # noqa: F401  (the sidecar fixtures)
    ACCEPT,
    DOMAIN,
    ROOM,
    jh,
    jitsi_settings,
    join_link,
    session,
)

ARTIFACTS = ROOT / "artifacts"
P = "f00dcafe"
TODAY_PHONE = "+13125550131"
FAKE_API = """
window.__jitsi = { listeners: {}, commands: [], disposed: false };
window.__emit = function (name, payload) {
  (window.__jitsi.listeners[name] || []).forEach(function (f) { f(payload); });
};
window.JitsiMeetExternalAPI = function (domain, options) {
  const j = window.__jitsi;
  j.domain = domain; j.room = options.roomName; j.jwt = options.jwt || null;
  j.name = options.userInfo && options.userInfo.displayName;
  const frame = document.createElement("div");
  frame.id = "fake-meeting"; frame.textContent = "(the meeting)"; frame.style.color = "#fff";
  options.parentNode.appendChild(frame);
  this.addListener = function (name, f) { (j.listeners[name] = j.listeners[name] || []).push(f); };
  this.on = this.addListener;
  this.executeCommand = function () { j.commands.push(Array.prototype.slice.call(arguments)); };
  this.dispose = function () { j.disposed = true; frame.remove(); };
  setTimeout(function () {
    window.__emit("videoConferenceJoined", { roomName: options.roomName, id: "__P__",
      displayName: j.name, breakoutRoom: false, visitor: false });
  }, 50);
};
""".replace("__P__", P)


async def open_and_join(h: Harness, browser: Any) -> Any:  # noqa: F811
    page = await browser.new_page(viewport={"width": 900, "height": 1000})
    await page.route(f"https://{DOMAIN}/external_api.js", lambda route: route.fulfill(
        status=200, content_type="application/javascript", body=FAKE_API))
    await page.goto(await join_link(h))
    await fill(page, {"street": "48 Marigold Terrace", "city": "Springfield", "region": "IL",
                      "postal_code": "62704", "room": "kitchen",
                      "callback_phone": "(312) 555-0131"})
    await page.click("text=I'm alone")
    assert await page.evaluate("typeof window.JitsiMeetExternalAPI") == "undefined"  # gated
    await page.click("#checkin button[type=submit]")
    await page.locator("#join-status", has_text="You're in the group").wait_for()
    await eventually(lambda: _beats(h, 1), timeout=5)
    return page


async def _record(h: Harness) -> dict[str, str]:
    return await h.tether.heartbeats.record(session(h), P)


async def _beats(h: Harness, n: int) -> bool:
    rec = await _record(h)
    return bool(rec) and rec["state"] == "live" and int(rec["seq"]) >= n


async def _kinds(h: Harness) -> list[str]:
    await h.settle()
    return await h.kinds_of(session(h))


async def test_check_in_join_heartbeat_then_a_cut_network_calls_back(
        jh: Harness, browser: Any) -> None:  # noqa: F811
    h = jh
    page = await open_and_join(h, browser)
    fake = await page.evaluate("({domain: __jitsi.domain, room: __jitsi.room, "
                               "jwt: __jitsi.jwt, name: __jitsi.name})")
    assert fake["domain"] == DOMAIN and fake["room"] == ROOM and fake["name"] == "Casey"
    user = verify(fake["jwt"], ACCEPT, room=ROOM, now=h.clock.now())["context"]["user"]
    assert await h.tether.redis.hget("{tether}:platform-users", user["id"]) == "client:client-001"
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / "join-in-meeting.png"), full_page=True)
    await eventually(lambda: _beats(h, 2), timeout=8)  # every 3 s
    await h.settle()
    roster = await h.roster(session(h))
    casey = next(p for p in roster["people"] if p["participant"] == P)
    assert casey["status"] == "present" and casey["client"] == "client-001"

    await page.route(re.compile(r"/api/jitsi/heartbeat"), lambda route: route.abort())
    last = int((await _record(h))["last"])
    gap = h.tether.settings.jitsi_heartbeat_gap_seconds
    grace = h.tether.config.callback_policy.grace_seconds
    await h.advance(gap)
    await eventually(lambda: calls_to(h, TODAY_PHONE), timeout=5)
    dial = next(e for e in await h.timeline(session(h)) if e["kind"] == "ladder.dialing")
    assert dial["at"] - last <= (gap + grace) * 1000
    assert "alert.disconnected" in await _kinds(h)
    await page.screenshot(path=str(ARTIFACTS / "join-network-cut.png"), full_page=True)


async def test_a_deliberate_leave_starts_no_ladder(jh: Harness, browser: Any  # noqa: F811
                                                   ) -> None:
    h = jh
    page = await open_and_join(h, browser)
    await page.evaluate(f"__emit('videoConferenceLeft', {{roomName: {json.dumps(ROOM)}}})")
    await eventually(lambda: _state(h, "left"), timeout=8)  # no join followed: not a move
    await page.evaluate("__emit('readyToClose', {})")
    await page.locator("#rejoin").wait_for(state="visible")
    assert await page.evaluate("__jitsi.disposed") is True
    assert await page.text_content("#join-status") == "You have left the group."
    await page.screenshot(path=str(ARTIFACTS / "join-left.png"), full_page=True)
    for _ in range(4):
        await h.advance(30)
    assert h.standin.calls == []
    kinds = await _kinds(h)
    assert "alert.disconnected" not in kinds and "roster" in kinds
    people = (await h.roster(session(h)))["people"]
    assert next(p for p in people if p["participant"] == P)["reason"] == "left"


async def test_a_move_to_a_breakout_room_is_not_a_leave(jh: Harness, browser: Any  # noqa: F811
                                                       ) -> None:
    h = jh
    page = await open_and_join(h, browser)
    seq = int((await _record(h))["seq"])
    await page.evaluate(f"__emit('videoConferenceLeft', {{roomName: {json.dumps(ROOM)}}}); "
                        f"setTimeout(() => __emit('videoConferenceJoined', {{id: {P!r}, "
                        "roomName: 'abc-uuid', breakoutRoom: true}), 300)")
    await eventually(lambda: _beats(h, seq + 1), timeout=5)  # beating again, same episode
    await page.wait_for_timeout(4500)  # past the move window: still no leave
    record = await _record(h)
    assert record["state"] == "live" and record["episode"] == "1"
    await h.settle()
    rows = [e["data"] for e in await h.timeline(session(h)) if e["kind"] == "roster"]
    assert rows and all(r["status"] == "present" for r in rows)
    people = (await h.roster(session(h)))["people"]
    assert next(p for p in people if p["participant"] == P)["status"] == "present"


async def test_leaving_the_page_is_a_deliberate_leave(jh: Harness, browser: Any  # noqa: F811
                                                      ) -> None:
    h = jh
    page = await open_and_join(h, browser)
    await page.goto("about:blank")  # pagehide: the leave goes by sendBeacon
    await eventually(lambda: _state(h, "left"), timeout=5)
    for _ in range(3):
        await h.advance(30)
    assert h.standin.calls == [] and "alert.disconnected" not in await _kinds(h)


async def _state(h: Harness, state: str) -> bool:
    return (await _record(h)).get("state") == state
