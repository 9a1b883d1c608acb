"""What draws a clinician's attention, and what must not: the countdown is read out at
most every 10 s while the visible number ticks each second; an optional tone when an alert
arrives while the tab is hidden; and a roster in the words a clinician reads, whole at a
phone's width."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.async_api import expect

from tests import zoom_payloads as zp
from tests.axe import assert_accessible
from tests.callbacks.test_callback_ladder import CASEY, T0, join_group
from tests.checkin.test_checkin import (
    GOOD,
    browser,  # noqa: F401  (the Chromium fixture)
    link,
)
from tests.conftest import Harness
from tests.panel.flow import LADDER, fits, load_directory, open_panel, shot

ROWAN = ("pu-rowan-1", "Rowan T")
ROWAN_LADDER = ".alert[data-subject='client:client-002']"

# Each change of the polite live region and of the visible countdown, with the page's time
WATCH = """() => {
  window.__said = []; window.__ticks = [];
  const text = (sel) => (document.querySelector(sel) || {}).textContent || "";
  new MutationObserver(() => {
    const said = text("#announce"), shown = text(".alert .countdown");
    const last = window.__said[window.__said.length - 1];
    if (said && (!last || last.text !== said)) window.__said.push({ text: said, shown: shown,
      at: Date.now() });
    const tick = window.__ticks[window.__ticks.length - 1];
    if (shown && tick !== shown) window.__ticks.push(shown);
  }).observe(document.body, { subtree: true, childList: true, characterData: true });
}"""

# A tab the test hides, and a count of the tones the page starts (with their length)
HIDDEN_TAB_AND_TONES = """
window.__tones = [];
let hidden = false;
Object.defineProperty(Document.prototype, "hidden", { configurable: true, get: () => hidden });
Object.defineProperty(Document.prototype, "visibilityState", { configurable: true,
  get: () => (hidden ? "hidden" : "visible") });
window.__hide = (h) => { hidden = h; document.dispatchEvent(new Event("visibilitychange")); };
const Real = window.AudioContext;
window.AudioContext = class extends Real {
  createOscillator() {
    const osc = super.createOscillator();
    const start = osc.start.bind(osc), stop = osc.stop.bind(osc);
    let at = 0;
    osc.start = (when) => { at = when || 0; window.__tones.push(null); return start(when); };
    osc.stop = (when) => {
      window.__tones[window.__tones.length - 1] = when - at;
      return stop(when);
    };
    return osc;
  }
};
"""


async def test_the_countdown_ticks_each_second_but_is_read_out_at_most_every_10_s(
        harness: Harness, browser: Any) -> None:  # noqa: F811
    h = harness
    await load_directory(h)
    await join_group(h)
    await h.settle()
    page = await open_panel(h, browser, clock=True)
    await page.evaluate(WATCH)
    # stop the page's time a little ahead of now (pausing in its past is refused); seconds
    await page.clock.pause_at((await page.evaluate("Date.now()") + 1000) / 1000)
    await h.zoom(zp.disconnected(T0, *CASEY))
    countdown = page.locator(f"{LADDER} .countdown")
    await countdown.filter(has_text="Tether will call Casey Brightwater at (312) 555-0111 in"
                           ).wait_for()
    for _ in range(12):  # 12 s of the page's time, a second at a time
        await page.clock.run_for(1000)
    await expect(countdown).to_have_text(re.compile("Tether is calling Casey Brightwater"))
    ticks = await page.evaluate("window.__ticks")
    said = await page.evaluate("window.__said")
    assert len(ticks) >= 5, ticks  # the number on the card ticks
    assert 1 <= len(said) <= 2, said  # read out when it starts, then at most every 10 s
    assert re.fullmatch(r"Tether will call Casey Brightwater at \(312\) 555-0111 in \d+ s",
                        said[0]["text"]), said
    if len(said) == 2:
        assert said[1]["at"] - said[0]["at"] >= 10_000, said


async def test_a_tone_when_an_alert_arrives_in_a_hidden_tab_only_if_asked(
        harness: Harness, browser: Any) -> None:  # noqa: F811
    h = harness
    await join_group(h)
    await h.settle()
    page = await open_panel(h, browser, init=HIDDEN_TAB_AND_TONES)
    sound = page.get_by_label("Sound when an alert arrives while this tab is hidden")
    assert await sound.is_visible() and not await sound.is_checked()  # off at first
    await fits(page, 400)
    await assert_accessible(page, "panel-sound-choice-400")
    await sound.check()
    await page.reload()
    await page.locator("#conn", has_text="live").wait_for()
    assert await sound.is_checked()  # remembered

    await page.evaluate("window.__hide(true)")
    await h.zoom(zp.disconnected(T0, *CASEY))
    await page.locator(LADDER).wait_for()
    await expect(page).to_have_title(re.compile("^\u26a0 Casey Brightwater dropped off"))
    tones = await page.evaluate("window.__tones")
    assert len(tones) == 1 and 0.3 <= tones[0] <= 0.5, tones

    await page.evaluate("window.__hide(false)")
    await sound.uncheck()
    await expect(page).to_have_title("Tether: Tuesday evening group")
    await page.evaluate("window.__hide(true)")
    await h.zoom(zp.disconnected(T0 + 2000, *ROWAN))
    await page.locator(ROWAN_LADDER).wait_for()
    await expect(page).to_have_title(re.compile("^\u26a0 Rowan Tidewell dropped off"))
    assert len(await page.evaluate("window.__tones")) == 1  # no tone with the box off


async def test_a_tone_needs_the_tab_hidden(harness: Harness, browser: Any) -> None:  # noqa: F811
    h = harness
    await join_group(h)
    await h.settle()
    page = await open_panel(h, browser, init=HIDDEN_TAB_AND_TONES)
    await page.get_by_label("Sound when an alert arrives while this tab is hidden").check()
    await h.zoom(zp.disconnected(T0, *CASEY))
    await page.locator(LADDER).wait_for()
    await expect(page.locator("#announce-alert")).to_contain_text("dropped off the call")
    assert await page.evaluate("window.__tones") == []
    assert not (await page.title()).startswith("\u26a0")


RAW = re.compile(r"\b(unknown|present|gone|missing|stale)\b|_|\(disconnected\)")
RAW_CELL = {"client", "staff", "unknown", "present", "waiting", "gone", "disconnected", "left"}


async def full_roster(h: Harness) -> None:
    """Someone in each state: present, in a breakout room, in the waiting room, left,
    dropped; a client, a clinician and someone not matched to a client."""
    await load_directory(h)
    lead = zp.joined(T0 - 60_000, "pu-lead", "Avery (lead)")
    lead["payload"]["object"]["participant"]["email"] = "avery@example.org"  # on file
    for body in (lead, zp.joined(T0 - 60_000, *CASEY), zp.joined(T0 - 60_000, *ROWAN),
                 zp.joined(T0 - 50_000, "pu-guest-7", "Jordan (guest)"),
                 zp.joined(T0 - 50_000, "pu-guest-8", "Sam from example.org")):
        await h.zoom(body)
    await h.zoom(zp.left(T0 - 20_000, "pu-guest-8", "Sam from example.org"))
    await h.zoom(zp.participant_event("meeting.participant_joined_waiting_room", T0 - 10_000,
                                      "pu-emery-1", "Emery"))
    await h.zoom(zp.participant_event("meeting.participant_joined_breakout_room", T0 - 5000,
                                      *ROWAN, breakout_room_uuid="BrZ=="))
    token = (await link(h, "client-001")).split("t=")[1]
    assert (await h.http.post(f"{h.base}/api/checkin?t={token}", json=GOOD)).status_code == 200
    await h.zoom(zp.disconnected(T0, *CASEY))
    await h.settle()


async def row_text(page: Any, participant: str) -> str:
    return str(await page.locator(f"#roster tr[data-participant='{participant}']").inner_text())


@pytest.mark.parametrize("width", [400, 1280, 375])
async def test_the_roster_in_plain_words_at_every_width(harness: Harness, browser: Any,  # noqa: F811
                                                        width: int) -> None:
    h = harness
    await full_roster(h)
    page = await open_panel(h, browser, width=width)
    await page.locator(LADDER).wait_for()
    expected = {"pu-casey-1": ("Client", "Dropped off the call", "Checked in "),
                "pu-rowan-1": ("Client", "In breakout room 1", "Not checked in yet"),
                "pu-emery-1": ("Client", "In the waiting room", "Not checked in yet"),
                "pu-lead": ("Staff", "In the meeting"),
                "pu-guest-7": ("Not matched to a client yet", "In the meeting"),
                "pu-guest-8": ("Not matched to a client yet", "Left the meeting")}
    for participant, words in expected.items():
        text = await row_text(page, participant)
        for w in words:
            assert w in text, (participant, w, text)
    roster = page.locator("#roster tbody")
    said = str(await roster.inner_text())
    assert not RAW.search(said), said
    for cell in await roster.locator("td.who .badge, td.status, td.checkin").all_text_contents():
        assert cell.strip() not in RAW_CELL, cell
    await fits(page, width)
    for cell in await roster.locator(".name, td.status, td.checkin:not(:empty)").all():
        box = await cell.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= width, (
            await cell.text_content(), box)
    await assert_accessible(page, f"panel-roster-{width}")
    await shot(page, f"panel-roster-{width}")
