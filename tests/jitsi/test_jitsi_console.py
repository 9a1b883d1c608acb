"""The clinician console for Jitsi in real headless Chromium, against a fake
JitsiMeetExternalAPI that emits the documented events and records commands: the shared
panel fills from the console's events, 1:1 triage issues addBreakoutRoom then
sendParticipantToRoom (client, then lead) with both shapes of breakoutRoomsUpdated, a
knocking client who checked in is admitted, and a leave becomes a callback countdown."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest

from contracts.ids import jitsi_meeting_id
from tests.axe import assert_accessible
from tests.checkin.test_checkin import GOOD, browser  # noqa: F401  (the Chromium fixture)
from tests.conftest import ROOT, Harness, eventually, signed_in_page

ROOM = "tuesday-evening-group"
LOADED = ("document.getElementById('error') && (document.getElementById('conn').textContent "
          "=== 'live' || document.getElementById('error').textContent !== '')")
FAKE_API = """
window.__jitsi = { calls: [], listeners: {}, rooms: null };
window.__emit = function (name, payload) {
  (window.__jitsi.listeners[name] || []).forEach(function (f) { f(payload); });
};
function roomsUpdate() {  // the app wraps the map in {rooms}; the handbook shows it bare
  const map = window.__jitsi.rooms;
  window.__emit("breakoutRoomsUpdated", window.__shape === "bare" ? map : { rooms: map });
}
window.JitsiMeetExternalAPI = function (domain, options) {
  window.__jitsi.domain = domain;
  window.__jitsi.room = options.roomName;
  window.__jitsi.jwt = options.jwt || null;
  window.__jitsi.rooms = { "main-1": { id: "main-1", isMainRoom: true, name: "",
    jid: "main@conference", participants: {} } };
  this.addListener = function (name, f) {
    (window.__jitsi.listeners[name] = window.__jitsi.listeners[name] || []).push(f);
  };
  this.on = this.addListener;
  this.dispose = function () {};
  this.executeCommand = function () {
    const args = Array.prototype.slice.call(arguments);
    window.__jitsi.calls.push(args);
    const rooms = window.__jitsi.rooms;
    if (args[0] === "addBreakoutRoom") {
      rooms["br-1"] = { id: "br-1", name: args[1], jid: "br-1@breakout", participants: {} };
      setTimeout(roomsUpdate, 30);
    } else if (args[0] === "sendParticipantToRoom") {
      for (const k of Object.keys(rooms)) delete rooms[k].participants["x/" + args[1]];
      rooms[args[2]].participants["x/" + args[1]] = { displayName: "", jid: "j", role: "p" };
      if (args[2] !== "main-1" && args[1] !== "lead0001") {
        window.__emit("participantLeft", { id: args[1] });  // as the real API does
      }
      setTimeout(roomsUpdate, 30);
    }
  };
};
"""


def meeting_today(h: Harness) -> str:
    day = datetime.fromtimestamp(h.clock.now(), tz=ZoneInfo(h.tether.config.program.time_zone))
    return jitsi_meeting_id(ROOM, day.date().isoformat())


async def console(h: Harness, browser: Any, shape: str = "wrapped") -> Any:  # noqa: F811
    page = await signed_in_page(h, browser, "lead-avery", viewport={"width": 1280, "height": 900},
                                bypass_csp=True)
    await page.route("https://meet.jit.si/external_api.js", lambda route: route.fulfill(
        status=200, content_type="application/javascript", body=FAKE_API))
    await page.add_init_script(f"window.__shape = {shape!r};")
    await page.goto(f"{h.base}/jitsi/console/{ROOM}")
    await page.wait_for_function(LOADED)
    assert await page.text_content("#error") == ""
    assert await page.evaluate("window.__jitsi.room") == ROOM
    await page.evaluate("window.__emit('videoConferenceJoined', {id: 'lead0001', roomName: "
                        f"{ROOM!r}}})")
    return page


async def row_text(page: Any, participant: str) -> str:
    return str(await page.locator(f"tr[data-participant='{participant}']").text_content())


@pytest.mark.parametrize("shape", ["wrapped", "bare"])
async def test_console_triage_in_order_with_either_rooms_shape(
        harness: Harness, browser: Any, shape: str) -> None:  # noqa: F811
    h = harness
    page = await console(h, browser, shape)
    await page.evaluate("window.__emit('participantJoined', {id: 'casey001', "
                        "displayName: 'Casey B'})")
    await page.locator("tr[data-participant='casey001'] button.triage").wait_for()
    assert "Client" in await row_text(page, "casey001")  # the name on file links the client
    h.clock.advance(60)  # a minute into the group (a leave now is not in the join's second)
    await page.click("tr[data-participant='casey001'] button.triage")
    await page.wait_for_function("window.__jitsi.calls.length >= 3")
    assert await page.evaluate("window.__jitsi.calls") == [
        ["addBreakoutRoom", "Breakout Room 1"],  # neutral: every participant sees names
        ["sendParticipantToRoom", "casey001", "br-1"],
        ["sendParticipantToRoom", "lead0001", "br-1"]]
    await page.wait_for_function(
        "document.querySelector(\"tr[data-participant='casey001'] td.status\")"
        ".textContent === 'In breakout room 1'")
    await page.screenshot(path=str(ROOT / "artifacts" / f"jitsi-console-{shape}.png"))
    await page.wait_for_timeout(2000)  # past the bridge's hold on a leave that is a move
    await h.settle()
    assert "alert.disconnected" not in await h.kinds_of(meeting_today(h))  # a 1:1, no drop
    await page.click(".alert[data-kind='triage'] button")
    await page.wait_for_function("window.__jitsi.calls.length >= 5")
    assert (await page.evaluate("window.__jitsi.calls"))[3:] == [
        ["sendParticipantToRoom", "casey001", "main-1"],
        ["sendParticipantToRoom", "lead0001", "main-1"]]
    kinds = await h.kinds_of(meeting_today(h))
    assert kinds.index("triage.started") < kinds.index("triage.moved") < kinds.index(
        "triage.ended")


async def test_console_admits_a_checked_in_knocker_and_counts_down_a_leave(
        harness: Harness, browser: Any) -> None:  # noqa: F811
    h = harness
    page = await console(h, browser)
    await page.evaluate("window.__emit('participantJoined', {id: 'casey001', "
                        "displayName: 'Casey B'})")
    await page.evaluate("window.__emit('knockingParticipant', {participant: "
                        "{id: 'rowan001', name: 'Rowan T'}})")
    await page.locator("tr[data-participant='rowan001']").wait_for()
    assert "In the waiting room" in await row_text(page, "rowan001")
    m = quote(meeting_today(h), safe="")
    r = await h.http.post(f"{h.base}/api/meetings/{m}/clients/client-002/checkin-link",
                          headers=h.token())
    token = r.json()["url"].split("t=", 1)[1]
    assert (await h.http.post(f"{h.base}/api/checkin?t={token}", json=GOOD)).status_code == 200
    await page.click("tr[data-participant='rowan001'] button.admit")
    await page.wait_for_function(
        "window.__jitsi.calls.some(c => c[0] === 'answerKnockingParticipant')")
    assert ["answerKnockingParticipant", "rowan001", True] in await page.evaluate(
        "window.__jitsi.calls")

    h.clock.advance(30)  # half a minute into the group, Casey's tab goes away
    await page.evaluate("window.__emit('participantLeft', {id: 'casey001'})")
    card = page.locator(".alert[data-subject='client:client-001']")
    await card.wait_for(state="visible")
    assert "Tether will call Casey Brightwater at (312) 555-0111 in" in (
        await card.locator(".countdown").text_content() or "")
    await h.advance(10)
    await eventually(lambda: _dialled(h, "+13125550111"), timeout=5)
    await page.screenshot(path=str(ROOT / "artifacts" / "jitsi-console-leave.png"))


async def _dialled(h: Harness, number: str) -> bool:
    return any(c.to == number for c in h.standin.calls)


async def test_a_group_running_past_midnight_stays_one_session(harness: Harness) -> None:
    """The server names a session by the day its room was created; the console and new
    links follow it past local midnight, and move on once it ends."""
    from datetime import UTC

    from contracts.events import EventEnvelope, MeetingEnded, MeetingStarted

    h = harness
    tz = ZoneInfo(h.tether.config.program.time_zone)
    now = datetime.fromtimestamp(h.clock.now(), tz=tz)
    h.clock.advance(((24 - now.hour) % 24) * 3600 + 30 * 60 - now.minute * 60)  # 00:30 local
    today = datetime.fromtimestamp(h.clock.now(), tz=tz).date()
    yesterday = jitsi_meeting_id(ROOM, date.fromordinal(today.toordinal() - 1).isoformat())

    async def session() -> str:
        r = await h.http.get(f"{h.base}/api/jitsi/rooms/{ROOM}/console", headers=h.token())
        return str(r.json()["meeting"])

    assert await session() == jitsi_meeting_id(ROOM, today.isoformat())  # nothing running
    started = datetime.fromtimestamp(h.clock.now() - 3600, tz=UTC)  # 23:30 yesterday
    await h.tether.inbox.accept([EventEnvelope(
        id="prosody:created:1", platform="jitsi", meeting=yesterday, meeting_number=ROOM,
        occurred_at=started, event=MeetingStarted())])
    await h.settle()
    assert await session() == yesterday  # the group is still on
    link = await h.http.post(f"{h.base}/api/jitsi/rooms/{ROOM}/clients/client-001/join-link",
                             headers=h.token(), json={})
    assert link.json()["meeting"] == yesterday  # a latecomer joins the same session
    await h.tether.inbox.accept([EventEnvelope(
        id="prosody:destroyed:1", platform="jitsi", meeting=yesterday, meeting_number=ROOM,
        occurred_at=datetime.fromtimestamp(h.clock.now(), tz=UTC), event=MeetingEnded())])
    await h.settle()
    assert await session() == jitsi_meeting_id(ROOM, today.isoformat())


async def test_console_events_bad_resent_and_late(harness: Harness) -> None:
    """An impossible id is a 400, not a 500; a resend (same key) is a duplicate; an event
    that waited in the bridge during an outage is dated when it was seen."""
    h = harness
    url = f"{h.base}/api/jitsi/rooms/{ROOM}/console-events"
    await h.http.get(f"{h.base}/api/jitsi/rooms/{ROOM}/console", headers=h.token())
    huge = {"events": [{"type": "breakout.rooms", "main": "m", "members": {"p" * 400: "r"}}]}
    assert (await h.http.post(url, json=huge, headers=h.token())).status_code == 400
    joined = {"events": [{"type": "participant.joined", "id": "casey001",
                          "display_name": "Casey B", "key": "pg1-1"}]}
    first = await h.http.post(url, json=joined, headers=h.token())
    h.clock.advance(5)
    again = await h.http.post(url, json=joined, headers=h.token())
    assert first.json() == {"accepted": 1} and again.json() == {"accepted": 0}
    h.clock.advance(60)
    late = {"events": [{"type": "participant.left", "id": "casey001", "key": "pg1-2",
                        "age_ms": 30_000}]}
    assert (await h.http.post(url, json=late, headers=h.token())).json() == {"accepted": 1}
    await h.settle()
    alert = next(e for e in await h.timeline(meeting_today(h))
                 if e["kind"] == "alert.disconnected")
    assert alert["at"] == int(h.clock.now() * 1000) - 30_000  # seen 30 s before it arrived
    bad_day = await h.http.post(
        f"{h.base}/api/jitsi/rooms/{ROOM}/clients/client-001/join-link",
        json={"day": "9999-12-31"}, headers=h.token())
    assert bad_day.status_code == 400


async def test_the_panel_works_when_the_meeting_cannot_load(harness: Harness,
                                                            browser: Any) -> None:  # noqa: F811
    h = harness
    page = await signed_in_page(h, browser, "lead-avery", viewport={"width": 1280, "height": 900},
                                bypass_csp=True)
    script = {"body": None}

    async def meeting_script(route: Any) -> None:
        if script["body"] is None:
            await route.abort()  # the Jitsi deployment does not answer
        else:
            await route.fulfill(status=200, content_type="application/javascript",
                                body=script["body"])

    await page.route("https://meet.jit.si/external_api.js", meeting_script)
    await page.goto(f"{h.base}/jitsi/console/{ROOM}")
    await page.wait_for_function(LOADED)
    line = page.locator(".meeting-failed")
    await line.wait_for()
    assert await line.text_content() == ("The Jitsi meeting could not load from meet.jit.si: "
                                         "the safety panel still works. Retry")
    assert await page.locator(".meeting-failed").count() == 1
    assert await page.text_content("#meeting-name") == "Tuesday evening group"
    await assert_accessible(page, "jitsi-console-degraded-1280")
    await page.screenshot(path=str(ROOT / "artifacts" / "jitsi-console-degraded.png"))
    script["body"] = FAKE_API
    await line.locator("button").click()
    await line.wait_for(state="detached")
    assert await page.evaluate("window.__jitsi.room") == ROOM
