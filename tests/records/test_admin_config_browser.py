"""The program configuration forms (staff, groups, on-call schedule, policies) in real
headless Chromium at 1280 and 375 px, signed in as the program admin: what is saved reaches
the server's live configuration, wrong values are named at their fields with the typed text
kept, two people saving the same document see each other's version, no sideways scrolling
and no critical or serious axe finding in any state."""

from __future__ import annotations

from typing import Any

import pytest

from tests.checkin.test_checkin import browser  # noqa: F401  (the Chromium fixture)
from tests.checkin.test_checkin_pages import looked_at
from tests.conftest import Harness, signed_in_page

ADMIN = "admin-jordan"
WIDTHS = (1280, 375)
TITLES = {"staff": "staff-title", "groups": "groups-title", "schedule": "oncall-title",
          "policies": "policies-title"}


async def open_section(h: Harness, chromium: Any, section: str, width: int,
                       staff: str = ADMIN, timers: bool = False) -> Any:
    """The admin page at a section; ``timers``: the page's clock is the test's to move."""
    page = await signed_in_page(h, chromium, staff, viewport={"width": width, "height": 900})
    if timers:
        await page.clock.install()
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}")
            if r.status >= 400 and r.request.method == "GET"
            and not r.url.endswith("/favicon.ico") else None)
    page.problems = problems
    await page.goto(f"{h.base}/admin#{section}")
    await page.wait_for_selector("body[data-ready=yes]")
    await page.wait_for_selector(f"h2#{TITLES[section]}")
    await page.wait_for_selector(".savebar")
    return page


async def go(page: Any, section: str) -> None:
    await page.click(f"nav a[href='#{section}']")
    await page.wait_for_selector(f"h2#{TITLES[section]}")
    await page.wait_for_selector(".savebar")


async def save(page: Any, label: str) -> str:
    await page.get_by_role("button", name=label).click()
    status = page.locator(".savebar .status")
    await page.wait_for_function(
        "() => /^(Saved|Not saved)/.test(document.querySelector('.savebar .status')"
        ".textContent)")
    said = str(await status.text_content())
    if said.startswith("Not saved") and await page.locator(".error-summary").count():
        said += " " + str(await page.text_content(".error-summary"))  # shown when a test fails
    return said


async def document(h: Harness, name: str) -> Any:
    r = await h.http.get(f"{h.base}/api/admin/config/{name}", headers=h.token(ADMIN))
    r.raise_for_status()
    return r.json()


async def add_person(page: Any) -> None:
    await page.get_by_role("button", name="Add a person").click()
    await page.fill("#staff-6-name", "Taylor Brooks")
    assert await page.input_value("#staff-6-id") == "taylor-brooks"  # suggested from the name
    await page.fill("#staff-6-email", "taylor@example.org")
    await page.fill("#staff-6-phone", "+13125550107")
    await page.locator("#staff-6-roles").get_by_label("Leads groups").check()


@pytest.mark.parametrize("width", WIDTHS)
async def test_a_new_person_leads_a_new_zoom_group(harness: Harness, browser: Any,  # noqa: F811
                                                  width: int) -> None:
    h = harness
    page = await open_section(h, browser, "staff", width)
    assert "Admin" not in await page.text_content("#staff-0-roles")  # roles in words
    assert "Program admin (no clinical content)" in await page.text_content("#staff-3-roles")
    await looked_at(page, f"admin-config-staff-{width}")
    await add_person(page)
    assert (await save(page, "Save staff")).startswith("Saved")
    staff = (await document(h, "staff"))["body"]
    assert staff[6]["id"] == "taylor-brooks" and staff[6]["roles"] == ["lead_clinician"]

    await go(page, "groups")
    await page.get_by_role("button", name="Add a group").click()
    g = "#groups-2-"
    lead_names = await page.locator(g + "lead option").all_text_contents()
    assert "Taylor Brooks" in lead_names  # the person saved a moment ago, by name
    await page.fill(g + "name", "Friday evening group")
    await page.fill(g + "zoom_meeting_id", "81234567892")
    await page.get_by_role("button", name="Add a session").nth(2).click()
    await page.locator(g + "schedule-0-days").get_by_label("Friday").check()
    await page.fill(g + "schedule-0-start", "18:30")
    await page.fill(g + "schedule-0-end", "20:00")
    await page.select_option(g + "lead", label="Taylor Brooks")
    await page.select_option(g + "co_facilitator", label="Morgan Ostrander")
    clients = page.locator(g + "expected_clients")
    await clients.get_by_label("Casey Brightwater").check()
    await clients.get_by_label("Rowan Tidewell").check()
    await page.fill(g + "dial_in", "+13125550151")
    await looked_at(page, f"admin-config-groups-{width}")
    assert (await save(page, "Save groups")).startswith("Saved")
    assert page.problems == []

    group = (await document(h, "groups"))["body"][2]
    assert group == {**group, "name": "Friday evening group", "zoom_meeting_id": "81234567892",
                     "lead": "taylor-brooks", "co_facilitator": "cofac-morgan",
                     "expected_clients": ["client-001", "client-002"], "time_zone": None,
                     "schedule": [{"days": ["fri"], "start": "18:30", "end": "20:00"}]}
    live = h.tether.config.meeting_by_number("81234567892")  # what the sidecar now uses
    assert live is not None and live.lead == "taylor-brooks"


@pytest.mark.parametrize("width", WIDTHS)
async def test_the_on_call_week_with_an_overnight_shift(
        harness: Harness, browser: Any, width: int) -> None:  # noqa: F811
    h = harness  # the clock: Friday 2027-01-15, 02:00 in Chicago
    page = await open_section(h, browser, "schedule", width)
    now = page.locator("#oncall-now")
    await page.wait_for_selector("#oncall-now strong")
    assert "On call now: Riley Fenwick" in await now.text_content()
    assert "Friday 2:00" in await now.text_content()
    assert "America/Chicago" in await now.text_content()
    await page.get_by_role("button", name="Add a shift").click()
    await page.select_option("#on_call-0-staff", label="Avery Lindqvist")
    days = page.locator("#on_call-0-days")
    for day in ("Monday", "Tuesday", "Wednesday", "Thursday"):
        await days.get_by_label(day).check()
    await page.fill("#on_call-0-start", "22:00")
    await page.fill("#on_call-0-end", "06:00")
    assert "Overnight, ends next morning at 6:00" in await page.text_content("#on_call-0-note")
    await page.get_by_role("button", name="Add a shift").click()
    await page.select_option("#on_call-1-staff", label="Quinn Hartigan")
    await page.locator("#on_call-1-days").get_by_label("Friday").check()
    await page.fill("#on_call-1-start", "09:00")
    await page.fill("#on_call-1-end", "17:00")
    assert "Ends the same day" in await page.text_content("#on_call-1-note")
    assert (await save(page, "Save the schedule")).startswith("Saved")
    await page.wait_for_function("() => document.getElementById('oncall-now')"
                                 ".textContent.includes('On call now: Avery Lindqvist')")
    assert "By the schedule" in await now.text_content()
    await looked_at(page, f"admin-config-oncall-{width}")
    shifts = (await document(h, "on_call"))["body"]
    assert shifts[0] == {"staff": "lead-avery", "days": ["mon", "tue", "wed", "thu"],
                         "start": "22:00", "end": "06:00"}
    assert page.problems == []


async def test_on_call_now_is_read_again_every_30_seconds(harness: Harness,
                                                         browser: Any) -> None:  # noqa: F811
    h = harness
    page = await open_section(h, browser, "schedule", 375, timers=True)
    await page.wait_for_selector("#oncall-now strong")
    assert "On call now: Riley Fenwick" in await page.text_content("#oncall-now")
    shifts = await document(h, "on_call")  # another admin, elsewhere: Quinn tonight
    r = await h.http.put(f"{h.base}/api/admin/config/on_call", headers={
        **h.token(ADMIN), "If-Match": f'"{shifts["version"]}"'}, json=[
        {"staff": "lead-quinn", "days": ["thu"], "start": "20:00", "end": "08:00"}])
    assert r.status_code == 200, r.text
    await page.clock.run_for(20_000)  # the page's time also runs on by itself meanwhile
    assert "On call now: Riley Fenwick" in await page.text_content("#oncall-now")
    await page.clock.run_for(11_000)
    await page.wait_for_function("() => document.getElementById('oncall-now')"
                                 ".textContent.includes('On call now: Quinn Hartigan')")


@pytest.mark.parametrize("width", WIDTHS)
async def test_a_two_attempt_ladder(harness: Harness, browser: Any,  # noqa: F811
                                    width: int) -> None:
    h = harness
    page = await open_section(h, browser, "policies", width)
    assert await page.locator(".steps > li").count() == 3
    assert "Call the client" in await page.text_content(".steps > li:nth-child(1) legend")
    await page.get_by_role("button", name="Remove step 2").click()  # their support person
    await page.fill("#policies-callback_policy-steps-0-attempts", "2")
    await page.fill("#policies-callback_policy-steps-0-ring_timeout_seconds", "20")
    assert "responders" in await page.text_content(".steps > li:nth-child(2) legend")
    await page.fill("#policies-callback_policy-steps-1-attempts", "1")
    await page.fill("#policies-callback_policy-grace_seconds", "15")
    await page.check("#policies-callback_policy-reply_ok_stops_ladder")
    await page.select_option("#policies-recording_policy-on_start",
                             label="Tell the clinicians")
    await page.fill("#policies-checkin_policy-licensed_regions", "US-IL\nUS-WI")
    await looked_at(page, f"admin-config-policies-{width}")
    said = await save(page, "Save policies")
    assert said.startswith("Saved"), said
    body = (await document(h, "policies"))["body"]
    ladder = body["callback_policy"]
    assert [(s["action"], s["attempts"], s["ring_timeout_seconds"]) for s in ladder["steps"]] == [
        ("call_client", 2, 20), ("prompt_responders", 1, 120)]
    assert ladder["grace_seconds"] == 15 and ladder["reply_ok_stops_ladder"] is True
    assert body["recording_policy"]["on_start"] == "alert"
    assert body["checkin_policy"]["licensed_regions"] == ["US-IL", "US-WI"]
    assert body["triage_policy"] == h.tether.config.triage_policy.model_dump(mode="json")
    assert h.tether.config.callback_policy.grace_seconds == 15
    assert page.problems == []


async def field_error(page: Any, control: str) -> str:
    """The problem said beside a control (its aria-describedby)."""
    return str(await page.evaluate(
        "id => (document.getElementById(id + '-error') || {}).textContent || ''", control))


@pytest.mark.parametrize("width", WIDTHS)
async def test_wrong_values_are_named_at_their_fields_and_kept(
        harness: Harness, browser: Any, width: int) -> None:  # noqa: F811
    h = harness
    page = await open_section(h, browser, "staff", width)
    await page.fill("#staff-1-phone", "312")
    assert (await save(page, "Save staff")).startswith("Not saved")
    assert "international format" in await field_error(page, "staff-1-phone")
    assert await page.get_attribute("#staff-1-phone", "aria-invalid") == "true"
    assert await page.input_value("#staff-1-phone") == "312"
    assert "Morgan Ostrander, phone" in await page.text_content(".error-summary")
    await looked_at(page, f"admin-config-staff-error-{width}")

    await go(page, "groups")
    await page.fill("#groups-1-zoom_meeting_id", "12")
    assert (await save(page, "Save groups")).startswith("Not saved")
    assert "9 to 12 digits" in await field_error(page, "groups-1-zoom_meeting_id")
    assert await page.input_value("#groups-1-zoom_meeting_id") == "12"
    await looked_at(page, f"admin-config-groups-error-{width}")

    await go(page, "policies")
    await page.select_option("#policies-callback_policy-steps-0-action",
                             label="Call their support person")
    assert (await save(page, "Save policies")).startswith("Not saved")
    assert "Call the client" in await field_error(page, "policies-callback_policy-steps-0-action")
    await page.fill("#policies-callback_policy-steps-1-attempts", "nine")
    await page.select_option("#policies-callback_policy-steps-0-action", label="Call the client")
    assert (await save(page, "Save policies")).startswith("Not saved")  # the server's words
    assert await field_error(page, "policies-callback_policy-steps-1-attempts")
    assert await page.input_value("#policies-callback_policy-steps-1-attempts") == "nine"
    await looked_at(page, f"admin-config-policies-error-{width}")
    assert (await document(h, "staff"))["body"][1]["phone"] == "+13125550102"  # nothing saved


async def test_two_people_edit_staff_at_once(harness: Harness,
                                             browser: Any) -> None:  # noqa: F811
    h = harness
    first = await open_section(h, browser, "staff", 1280)
    second = await open_section(h, browser, "staff", 375, "clinlead-sasha")
    await first.fill("#staff-1-phone", "+13125550112")
    assert (await save(first, "Save staff")).startswith("Saved")
    await second.fill("#staff-1-name", "Morgan Ostrander-Lee")
    assert (await save(second, "Save staff")).startswith("Not saved")
    conflict = second.locator(".conflict")
    await conflict.wait_for()
    text = await conflict.text_content()
    assert "Morgan Ostrander-Lee" in text and "(312) 555-0112" in text  # both versions
    assert await second.input_value("#staff-1-name") == "Morgan Ostrander-Lee"  # kept
    await looked_at(second, "admin-config-staff-conflict-375")
    await second.get_by_role("button", name="Keep mine and save again").click()
    await second.wait_for_function("() => document.querySelector('.savebar .status')"
                                   ".textContent.startsWith('Saved')")
    morgan = (await document(h, "staff"))["body"][1]
    assert morgan["name"] == "Morgan Ostrander-Lee"
    assert morgan["phone"] == "+13125550102"  # "keep mine" is all of mine, said in the diff


async def test_who_a_group_or_shift_names_cannot_be_removed(
        harness: Harness, browser: Any) -> None:  # noqa: F811
    h = harness
    page = await open_section(h, browser, "staff", 1280)
    avery = page.locator("li.card[data-staff='lead-avery']")
    assert await avery.get_by_role("button", name="Remove Avery Lindqvist").count() == 0
    assert "Named by Tuesday evening group (lead)" in await avery.text_content()
    assert await page.get_by_role("button", name="Remove Jordan Pell").count() == 0  # oneself
    shifts = await document(h, "on_call")  # meanwhile, someone gives Sasha a shift
    r = await h.http.put(f"{h.base}/api/admin/config/on_call", headers={
        **h.token(ADMIN), "If-Match": f'"{shifts["version"]}"'}, json=[
        {"staff": "clinlead-sasha", "days": ["sat"], "start": "09:00", "end": "17:00"}])
    assert r.status_code == 200, r.text
    sasha = "li.card[data-staff='clinlead-sasha']"
    await page.get_by_role("button", name="Remove Sasha Okonkwo-Reyes").click()
    assert (await save(page, "Save staff")).startswith("Not saved")
    summary = await page.text_content(".error-summary")
    assert "Sasha Okonkwo-Reyes has on-call shifts" in summary
    assert await page.locator(sasha).count() == 0  # the form stays as the admin left it
    await page.get_by_role("button", name="Discard my changes").click()
    await page.locator(sasha).wait_for()
    await page.uncheck("#staff-4-active")
    assert "Their sessions end at once on save" in await page.text_content(sasha)
