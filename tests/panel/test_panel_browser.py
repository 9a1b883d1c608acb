"""The clinicians' panel in real headless Chromium: roster from the live stream, the
disconnect countdown and its acknowledgement, hostile names shown as text, a text back
from the client in words."""

from __future__ import annotations

from typing import Any

from tests import zoom_payloads as zp
from tests.callbacks.test_callback_ladder import CASEY, T0, join_group
from tests.checkin.test_checkin import browser  # noqa: F401  (the Chromium fixture)
from tests.conftest import TWILIO_TOKEN, Harness
from tests.panel.flow import LADDER, drive_until, open_panel, shot

HOSTILE = '<img src=x onerror="window.__pwned=1">'


async def test_panel_roster_countdown_and_ack(harness: Harness, browser: Any) -> None:  # noqa: F811
    h = harness
    await join_group(h)
    await h.zoom(zp.joined(T0 - 50_000, "pu-hostile", HOSTILE))
    await h.settle()
    page = await open_panel(h, browser, width=480)
    names = await page.locator("#roster tbody td:first-child .name").all_text_contents()
    assert HOSTILE in names and "Casey B" in names
    assert await page.evaluate("window.__pwned") is None
    assert await page.locator("#roster img").count() == 0
    first_paint = await page.evaluate("window.tetherFirstPaint")

    await page.evaluate("""window.__seen = {}; window.addEventListener('tether:entry',
        e => { window.__seen[e.detail.kind] = performance.now(); });""")
    sent = await page.evaluate("performance.now()")
    await h.zoom(zp.disconnected(T0, *CASEY))
    card = page.locator(LADDER)
    await card.wait_for(state="visible")
    await page.wait_for_function("window.__seen['alert.disconnected'] !== undefined")
    update_ms = await page.evaluate("window.__seen['alert.disconnected']") - sent
    assert "Casey Brightwater (\u201cCasey B\u201d on the call) dropped off: connection lost" in (
        await card.text_content() or "")
    # the number comes with the dispatch card, a moment after the alert itself
    await card.locator(".countdown", has_text="Tether will call Casey Brightwater at "
                       "(312) 555-0111 in").wait_for()
    row = page.locator("#roster tr[data-participant='pu-casey-1']")
    assert "gone" in (await row.get_attribute("class") or "")
    await shot(page, "panel-disconnect")

    await card.locator("button.ack").click()
    await page.wait_for_function(f"document.querySelector(\"{LADDER}\").classList.contains('done')")
    assert "Avery Lindqvist is calling them" in (await card.text_content() or "")
    assert await card.locator("button.ack").count() == 0
    assert "ladder.acknowledged" in await h.kinds()
    await shot(page, "panel-acknowledged")
    print(f"panel first paint {first_paint:.0f} ms after navigation start; "
          f"disconnect webhook to alert {update_ms:.0f} ms")


async def test_panel_without_a_session_says_why(harness: Harness, browser: Any) -> None:  # noqa: F811
    h = harness
    page = await open_panel(h, browser, meeting="")
    await page.goto(f"{h.base}/panel#meeting=no-such-meeting")
    await page.wait_for_function("document.getElementById('error') && "
                                 "document.getElementById('error').textContent.length > 0")
    assert "There is no meeting at this link" in (await page.text_content("#error") or "")


async def test_the_card_says_what_became_of_each_call(harness: Harness, browser: Any) -> None:  # noqa: F811
    h = harness
    h.standin.behaviour["+13125550111"] = "machine"  # Casey's voicemail picks up
    await join_group(h)
    await h.settle()
    page = await open_panel(h, browser, width=480)
    await h.zoom(zp.disconnected(T0, *CASEY))
    await page.locator(LADDER).wait_for(state="visible")
    said = await drive_until(h, page, "Calling Dana Brightwater (support person)")
    assert "Calling Casey Brightwater at (312) 555-0111 (attempt 1 of 2)" in said
    assert "Casey Brightwater: Voicemail (no message about them was left)" in said
    assert "client:" not in said and "support:" not in said
    # Casey texts back "2": the panel says so in words
    url = f"{h.tether.settings.tether_public_url}/webhooks/telephony/sms"
    from sidecar.infra.telephony.signature import twilio_signature

    form = {"MessageSid": "SM" + "1" * 32, "From": "+13125550111", "To": "+13125550199",
            "Body": "2"}
    await h.http.post(url, data=form, headers={
        "X-Twilio-Signature": twilio_signature(TWILIO_TOKEN, url, form)})
    reply = page.locator(".alert[data-kind='sms-reply']")
    await reply.wait_for(state="visible")
    assert "Casey Brightwater texted back asking for a call" in (await reply.text_content()
                                                                 or "")
    await shot(page, "panel-call-outcome")
