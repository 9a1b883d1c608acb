"""The in-meeting check-in in real headless Chromium: a client opens Tether from Zoom's
invitation (the real bridge against a fake zoomSdk), says who they are, types the code
texted to them (read from the Twilio stand-in), checks in, moves rooms; at 400 and 375 px.
The clinician's panel invites everyone, sees the check-in go stale, and stops a cloud
recording through the SDK."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from tests import zoom_payloads as zp
from tests.callbacks.test_callback_ladder import T0, join_group
from tests.checkin.test_checkin import browser, fill, link  # noqa: F401  (the Chromium fixture)
from tests.conftest import ROOT, Harness, eventually
from tests.incidents.test_panel_triage import FAKE_SDK
from tests.zoom.test_zoom_app import context
from tests.zoom.test_zoom_checkin import EMERY_PHONE, newest_code, other_than, texts_to

ARTIFACTS = ROOT / "artifacts"
GUEST = ("pu-guest-7", "iPad")
INVITE = ("window.zoomSdk.sendAppInvitationToAllParticipants = "
          "rec('sendAppInvitationToAllParticipants', {});")
FITS = "document.documentElement.scrollWidth <= window.innerWidth"  # no sideways scrolling


async def zoom_page(h: Harness, browser: Any, uid: str | None, role: str,  # noqa: F811
                    participant: str, extra: str = INVITE, width: int = 420) -> Any:
    ctx = context(h, uid=uid, attendrole="participant" if role == "attendee" else "host")
    page = await browser.new_page(bypass_csp=True, viewport={"width": width, "height": 900},
                                  extra_http_headers={"x-zoom-app-context": ctx})
    script = FAKE_SDK % {"context": json.dumps(ctx), "role": json.dumps(role)}
    script = script.replace("'pu-lead'", json.dumps(participant)) + extra
    await page.add_init_script(script)
    await page.goto(f"{h.base}/zoom/home")
    return page


async def _texts(h: Harness, n: int) -> None:
    async def arrived() -> bool:
        return len(texts_to(h, EMERY_PHONE)) >= n
    await eventually(arrived)


@pytest.mark.parametrize("width", [400, 375])
async def test_a_client_checks_in_from_the_invitation_with_a_texted_code(
        harness: Harness, browser: Any, width: int) -> None:  # noqa: F811
    h = harness
    await join_group(h)
    assert (await h.zoom(zp.joined(T0 - 30_000, *GUEST))).status_code == 200
    await h.settle()
    page = await zoom_page(h, browser, None, "attendee", GUEST[0], width=width)
    asked: list[str] = []  # every address the page asked: the token must be in none
    page.on("request", lambda r: asked.append(r.url))
    who = page.locator("#identify")
    await who.wait_for(state="visible")  # Guest Mode: no uid, so who are you?
    # inside Zoom too, the way to help comes first, before anything is asked
    crisis = page.locator("a.crisis-line")
    assert await crisis.get_attribute("href") == "tel:988"
    crisis_box, form_box = await crisis.bounding_box(), await who.bounding_box()
    assert crisis_box and form_box and crisis_box["y"] < form_box["y"]
    assert crisis_box["y"] + crisis_box["height"] <= 900  # on screen without scrolling
    assert await page.locator("#checkin").is_hidden()  # nothing asked before identity
    await page.click("#identify button[type=submit]")
    assert "first name" in (await page.locator("#who-message").text_content() or "")

    await fill(page, {"first_name": "Emery", "phone_last4": "9999"})  # a wrong digit
    await page.click("#identify button[type=submit]")
    sent = page.locator("#code-sent")
    await sent.wait_for(state="visible")
    assert "number ending 9999" in (await sent.text_content() or "")
    assert texts_to(h, EMERY_PHONE) == []  # matched nobody: nobody texted
    await page.click("#change-details")
    await fill(page, {"phone_last4": "0113"})
    await page.click("#identify button[type=submit]")
    await page.wait_for_function(
        "document.getElementById('code-sent').textContent.includes('ending 0113')")
    await _texts(h, 1)
    await fill(page, {"code": other_than(newest_code(h, EMERY_PHONE))})
    await page.click("#code-confirm")
    await page.wait_for_function(
        "document.getElementById('code-message').textContent.includes('not right')")
    assert await page.evaluate(FITS)
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / f"zoom-checkin-code-{width}.png"),
                          full_page=True)

    # a new code replaces the first; the page clears the box when it hears of the new
    # code, so type only after that (on a loaded machine the text can arrive first)
    await fill(page, {"code": "000000"})
    await page.click("#new-code")
    await page.wait_for_function("document.querySelector('input[name=code]').value === ''")
    await _texts(h, 2)
    await fill(page, {"code": newest_code(h, EMERY_PHONE)})
    await page.click("#code-confirm")
    await page.locator("#checkin").wait_for(state="visible")
    assert await page.locator("#hello").text_content() == "Hi Emery."
    await fill(page, {"street": "9 Ferncliff Court", "city": "Springfield", "region": "IL",
                      "postal_code": "62703", "room": "den", "callback_phone": "312 555 0113"})
    await page.click("text=Someone else is here")
    assert await page.evaluate(FITS)
    await page.click("#checkin button[type=submit]")
    await page.locator("#done").wait_for(state="visible")
    await page.screenshot(path=str(ARTIFACTS / f"zoom-checkin-done-{width}.png"),
                          full_page=True)
    await h.settle()
    guest = next(p for p in (await h.roster())["people"] if p["participant"] == GUEST[0])
    assert guest["client"] == "client-003"  # the roster row is Emery now

    await page.click("#moved")
    await page.locator("#checkin").wait_for(state="visible")
    assert await page.input_value("input[name=street]") == "9 Ferncliff Court"  # kept
    assert await page.input_value("input[name=room]") == ""  # the room is asked again
    assert (await h.roster())["checkins"]["client-003"]["stale"] is True
    await fill(page, {"room": "car, parked outside"})
    await page.click("#checkin button[type=submit]")
    await page.locator("#done").wait_for(state="visible")
    card = (await h.http.get(
        f"{h.base}/api/meetings/{quote(zp.MEETING_UUID, safe='')}/clients/client-003/dispatch",
        headers=h.token())).json()
    assert card["room"] == "car, parked outside" and card["stale"] is False
    assert card["others_present"] == "others"
    checkin_calls = [u for u in asked if urlsplit(u).path.startswith("/api/checkin")]
    assert len(checkin_calls) >= 3  # the form's own calls went by, and none named the token
    assert not [u for u in checkin_calls if "t" in parse_qs(urlsplit(u).query)]


async def test_a_signed_in_client_on_a_second_device_confirms_with_a_code(
        harness: Harness, browser: Any) -> None:  # noqa: F811
    """Zoom names Emery, but Emery already checked in from another participant: the form
    asks for the code before it shows or replaces that check-in."""
    h = harness
    await join_group(h)
    for who in (GUEST, ("pu-emery-laptop", "Laptop")):
        assert (await h.zoom(zp.joined(T0 - 30_000, *who))).status_code == 200
    await h.settle()
    first = await zoom_page(h, browser, None, "attendee", GUEST[0], width=375)
    await fill(first, {"first_name": "Emery", "phone_last4": "0113"})
    await first.click("#identify button[type=submit]")
    await _texts(h, 1)
    await fill(first, {"code": newest_code(h, EMERY_PHONE)})
    await first.click("#code-confirm")
    await first.locator("#checkin").wait_for(state="visible")
    await fill(first, {"street": "9 Ferncliff Court", "city": "Springfield", "region": "IL",
                       "postal_code": "62703", "room": "den", "callback_phone": "312 555 0113"})
    await first.click("text=I'm alone")
    await first.click("#checkin button[type=submit]")
    await first.locator("#done").wait_for(state="visible")
    await h.settle()

    second = await zoom_page(h, browser, "zUidEmery0003", "attendee", "pu-emery-laptop",
                             width=375)
    message = second.locator("#code-message")
    await second.wait_for_function(
        "document.getElementById('code-message').textContent.includes('another device')")
    assert await second.locator("#code-entry").is_hidden()  # no code asked for yet
    assert await second.locator("#change-details").is_hidden()  # Zoom said who
    assert "Ferncliff" not in (await second.content())
    await second.click("#new-code")  # "Text me a code"
    await _texts(h, 2)
    assert await message.text_content() == ""
    await fill(second, {"code": newest_code(h, EMERY_PHONE)})
    await second.click("#code-confirm")
    await second.locator("#done").wait_for(state="visible")  # their own check-in, now shown
    await second.screenshot(path=str(ARTIFACTS / "zoom-checkin-second-device-375.png"),
                            full_page=True)


async def test_the_panel_invites_everyone_and_shows_a_stale_checkin(
        harness: Harness, browser: Any) -> None:  # noqa: F811
    h = harness
    await join_group(h)
    await h.settle()
    panel = await zoom_page(h, browser, "zUidAvery0001", "host", "pu-lead")
    await panel.wait_for_function("document.getElementById('conn').textContent === 'live'")
    await panel.click("#invite")
    await panel.wait_for_function(
        "window.__sdkCalls.some(c => c[0] === 'sendAppInvitationToAllParticipants')")
    await panel.wait_for_function("document.getElementById('invite').textContent === 'invited'")
    invited = [e for e in await h.timeline() if e["kind"] == "checkin.invited"]
    assert invited and invited[0]["data"]["by"] == "lead-avery"

    token = (await link(h, "client-001")).split("t=", 1)[1]
    good = {"location": {"street": "48 Marigold Terrace", "city": "Springfield",
                         "region": "IL", "postal_code": "62704", "country": "US",
                         "room": "kitchen"},
            "callback_phone": "+13125550131", "emergency_contact_ok": True,
            "others_present": "alone"}
    await h.http.post(f"{h.base}/api/checkin?t={token}", json=good)
    row = panel.locator("tr[data-participant='pu-casey-1'] td.checkin")
    await row.filter(has_text="Checked in").wait_for()
    await h.http.post(f"{h.base}/api/checkin/moved?t={token}")
    card = panel.locator(".alert[data-kind='checkin-moved']")
    await card.wait_for(state="visible")
    assert "Casey Brightwater says they moved" in (await card.text_content() or "")
    assert await row.text_content() == "Said they moved: address may be out of date"
    await panel.screenshot(path=str(ARTIFACTS / "panel-stale-checkin.png"), full_page=True)
    await h.http.post(f"{h.base}/api/checkin?t={token}", json=good)
    await card.wait_for(state="detached")
    assert (await row.text_content() or "").startswith("Checked in ")

    for who, name, room in (("pu-rowan-1", "Rowan T", "BrZ=="), ("pu-casey-1", "Casey B",
                                                                  "BrA==")):
        await h.zoom(zp.participant_event("meeting.participant_joined_breakout_room",
                                          T0 + 1000, who, name, breakout_room_uuid=room))
    await panel.wait_for_function(
        "document.querySelector(\"tr[data-participant='pu-rowan-1'] td.status\")"
        ".textContent === 'In breakout room 2'")  # rooms numbered alike in every panel
    casey_room = panel.locator("tr[data-participant='pu-casey-1'] td.status")
    assert await casey_room.text_content() == "In breakout room 1"


RECORDING = INVITE + "window.zoomSdk.cloudRecording = rec('cloudRecording', {});"


@pytest.mark.parametrize("overrides", [{"recording_policy": {"on_start": "alert"}}])
async def test_the_host_stops_a_recording_from_the_panel(
        harness: Harness, browser: Any) -> None:  # noqa: F811
    h = harness
    await join_group(h)
    await h.zoom(zp.meeting_event("recording.started", T0 + 1000))
    await h.settle()
    panel = await zoom_page(h, browser, "zUidAvery0001", "host", "pu-lead", extra=RECORDING)
    card = panel.locator(".alert[data-kind='recording']")
    await card.wait_for(state="visible")  # the panel opened after it started: still shown
    assert "Cloud recording started" in (await card.text_content() or "")
    await panel.evaluate("window.__sdkFail = {cloudRecording: {code: 10021, "
                         "message: 'no privilege'}}")
    await card.locator("button").click()
    await panel.wait_for_function(
        "document.getElementById('error').textContent.includes('host')")
    await panel.evaluate("window.__sdkFail = {}")
    await card.locator("button").click()
    await panel.wait_for_function(
        "document.querySelector(\".alert[data-kind='recording']\").classList.contains('done')")
    stops = [c for c in await panel.evaluate("window.__sdkCalls") if c[0] == "cloudRecording"]
    assert stops == [["cloudRecording", {"action": "stop"}]] * 2
    kinds = await h.kinds()
    assert kinds.index("recording.panel_failed") < kinds.index("recording.panel_stopped")
    await h.zoom(zp.meeting_event("recording.stopped", T0 + 5000))
    await h.settle()
    await panel.wait_for_function(
        "document.querySelector(\".alert[data-kind='recording'] .what\").textContent"
        " === 'Recording stopped.'")


async def test_the_panel_shows_a_code_that_could_not_be_texted(
        harness: Harness, browser: Any) -> None:  # noqa: F811
    from tests.zoom.test_zoom_checkin import ask

    h = harness
    await join_group(h)
    assert (await h.zoom(zp.joined(T0 - 30_000, *GUEST))).status_code == 200
    await h.settle()
    panel = await zoom_page(h, browser, "zUidAvery0001", "host", "pu-lead")
    await panel.wait_for_function("document.getElementById('conn').textContent === 'live'")
    h.standin.sms_behaviour[EMERY_PHONE] = "refused"
    assert (await ask(h, first_name="Emery", phone_last4="0113")).status_code == 502
    card = panel.locator(".alert[data-kind='checkin-code-unsent']")
    await card.wait_for(state="visible")
    assert (await card.locator(".what").text_content() or "") == (
        "A check-in code could not be texted to Emery Holloway: text them a check-in link.")
    assert (await ask(h, first_name="Nobody", phone_last4="0000")).status_code == 200
    unmatched = panel.locator(".alert[data-kind='checkin-unmatched']")
    await unmatched.wait_for(state="visible")
    assert "iPad gave a name and digits that match no client" in (
        await unmatched.text_content() or "")
