"""A crisis from first alert to the dispatch card, in real headless Chromium at Zoom's
sidebar width, a laptop and a phone: every call and its outcome in words with names and
numbers, "nobody answered" turning into the dispatch card in place, the same after a
reload, and no serious accessibility finding in any of those states."""

from __future__ import annotations

from typing import Any

import pytest

from tests import zoom_payloads as zp
from tests.axe import assert_accessible
from tests.callbacks.test_callback_ladder import CASEY, T0, join_group
from tests.checkin.test_checkin import browser  # noqa: F401  (the Chromium fixture)
from tests.conftest import Harness, eventually
from tests.panel.flow import LADDER, card_text, drive_until, fits, load_directory, open_panel, shot

HOSTILE = '<img src=x onerror="window.__pwned=1">'


async def same_text(page: Any, text: str) -> bool:
    return await card_text(page) == text


async def same_after_reload(page: Any, text: str, width: int, state: str) -> None:
    await page.reload()
    await page.wait_for_function("document.getElementById('conn') && "
                                 "document.getElementById('conn').textContent === 'live'")
    # the number on the card comes with the dispatch card, a moment after the page is live
    await eventually(lambda: same_text(page, text), timeout=10)
    await fits(page, width)
    await assert_accessible(page, f"panel-{state}-reload-{width}")


@pytest.mark.parametrize("width", [400, 1280, 375])
async def test_a_drop_in_words_to_the_dispatch_card(harness: Harness, browser: Any,  # noqa: F811
                                                    width: int) -> None:
    h = harness
    await load_directory(h)
    h.standin.behaviour["+13125550111"] = "silent"  # rings until the ring deadline
    h.standin.behaviour["+13125550121"] = "busy"
    await join_group(h)
    await h.zoom(zp.joined(T0 - 50_000, "pu-hostile", HOSTILE))
    await h.settle()
    page = await open_panel(h, browser, width=width)
    assert await page.locator("#meeting-name").text_content() == "Tuesday evening group"
    assert HOSTILE in await page.locator("#roster .name").all_text_contents()
    await fits(page, width)
    await assert_accessible(page, f"panel-normal-{width}")
    await page.evaluate("Object.defineProperty(document, 'hidden', {value: true, "
                        "configurable: true})")

    await h.zoom(zp.disconnected(T0, *CASEY))
    await page.locator(LADDER).wait_for()
    text = await drive_until(h, page, "Tether will call Casey Brightwater at (312) 555-0111 in",
                             step=0)
    assert "Casey Brightwater (\u201cCasey B\u201d on the call) dropped off" in text
    assert "Casey Brightwater dropped off" in await page.text_content("#announce-alert") or ""
    assert (await page.title()).startswith("\u26a0")
    assert await page.locator(f"{LADDER} .countdown[aria-live], [aria-live] .countdown"
                              ).count() == 0
    first = page.locator("#roster tbody tr").first
    assert await first.get_attribute("data-participant") == "pu-casey-1"
    assert "dropped" in (await first.get_attribute("class") or "")
    await fits(page, width)
    await assert_accessible(page, f"panel-alert-{width}")
    await shot(page, f"panel-alert-{width}")

    text = await drive_until(h, page, "Calling Casey Brightwater at (312) 555-0111 "
                             "(attempt 1 of 2)")
    h.standin.behaviour["+13125550111"] = "machine"  # the second call gets the voicemail
    await same_after_reload(page, text, width, "calling")
    text = await drive_until(h, page, "Casey Brightwater: No answer")
    text = await drive_until(h, page, "Casey Brightwater: Voicemail")
    text = await drive_until(h, page, "Dana Brightwater (support person): Busy")
    assert "Calling Dana Brightwater (support person) at (312) 555-0121 (attempt 1 of 1)" in text
    text = await drive_until(h, page, "Nobody answered: send responders")
    await page.locator(f"{LADDER} .dispatch").wait_for()
    text = await card_text(page)
    for words in ("Calling Casey Brightwater at (312) 555-0111 (attempt 2 of 2)",
                  "Prairie Junction Emergency Communications Center (fictional)",
                  "(217) 555-0142", "1200 Larkspur Lane, Apt 4", "on file, not confirmed today",
                  "previous overdose", "side door on Larkspur Lane", "Juniper"):
        assert words in text, (words, text)
    assert "client:" not in text and "support:" not in text
    for words in ("(217) 555-0142", "1200 Larkspur Lane"):
        seen = page.locator(f"{LADDER} .dispatch").get_by_text(words, exact=False).first
        assert await seen.is_visible()
    assert await page.locator(f"{LADDER} a[href='tel:+12175550142']").count() == 1
    await fits(page, width)
    await assert_accessible(page, f"panel-nobody-answered-{width}")
    await shot(page, f"panel-nobody-answered-{width}")
    await same_after_reload(page, text, width, "nobody-answered")
    await shot(page, f"panel-nobody-answered-reload-{width}")

    assert await page.locator(f"{LADDER} button.ack").count() == 1
    for _ in range(40):  # three reminders two minutes apart, then the ladder ends
        if not await page.locator(f"{LADDER} button.ack").count():
            break
        await h.advance(30)
    await page.locator(f"{LADDER} button.ack").wait_for(state="detached")  # a busy machine lags
    assert "Nobody answered: send responders" in await card_text(page)
    assert await page.evaluate("window.__pwned") is None


@pytest.mark.parametrize("staff,words", [("lead-avery", "You lead this group"),
                                         ("cofac-morgan", "You co-facilitate this group")])
async def test_each_clinician_sees_their_own_role(harness: Harness, browser: Any,  # noqa: F811
                                                  staff: str, words: str) -> None:
    h = harness
    await join_group(h)
    await h.settle()
    page = await open_panel(h, browser, staff)
    assert (await page.text_content("#role") or "").startswith(words)
    assert await page.locator("#meeting-name").text_content() == "Tuesday evening group"


async def test_the_meeting_picker_and_a_wrong_link(harness: Harness, browser: Any  # noqa: F811
                                                  ) -> None:
    h = harness
    # the program's clock reads Friday 2 AM in Chicago: the group also meets Fridays at 6 PM
    r = await h.http.get(f"{h.base}/api/admin/config/groups", headers=h.token("admin-jordan"))
    groups = r.json()["body"]
    groups[0]["schedule"] = [{"days": ["tue", "fri"], "start": "18:00", "end": "21:00"}]
    groups[1]["co_facilitator"] = "lead-avery"  # a second group, not meeting today
    saved = await h.http.put(f"{h.base}/api/admin/config/groups", json=groups, headers={
        **h.token("admin-jordan"), "If-Match": r.headers["ETag"]})
    assert saved.status_code == 200, saved.text
    page = await open_panel(h, browser, meeting=None)
    group = page.locator(".picker li", has_text="Tuesday evening group")
    await group.wait_for()
    said = await group.text_content() or ""
    assert "not started yet" in said and "today 6:00 PM to 9:00 PM" in said
    other = page.locator(".other-groups li", has_text="Thursday morning group")
    assert await other.count() == 1 and not await other.is_visible()  # folded away
    await page.click(".other-groups summary")
    assert await other.is_visible()
    await assert_accessible(page, "panel-picker-400")
    await join_group(h)
    await h.settle()
    await page.reload()
    await group.locator("a", has_text="Tuesday evening group").click()
    await page.wait_for_function("document.getElementById('conn') && "
                                 "document.getElementById('conn').textContent === 'live'")
    assert await page.locator("#meeting-name").text_content() == "Tuesday evening group"

    wrong = await open_panel(h, browser, meeting="", width=400)
    await wrong.goto(f"{h.base}/panel#meeting=no-such-meeting")
    await wrong.wait_for_function("document.getElementById('error') && "
                                  "document.getElementById('error').textContent.length > 0")
    said = await wrong.text_content("#error") or ""
    assert said.startswith("There is no meeting at this link") and "404" not in said
    await shot(wrong, "panel-wrong-meeting-400")
