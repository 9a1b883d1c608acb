"""A program set up in the browser alone, then a real drop in the new group: the admin adds
a person and three clients with consented contacts, the clinical lead writes their safety
plans, the admin makes a Zoom group with a weekly schedule, the on-call week and a
two-attempt ladder; no YAML, no restart. A signed Zoom webhook for that group then gets
the new client called back at the number typed into the form, twice, then responders."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from tests import zoom_payloads as zp
from tests.callbacks.test_callback_ladder import T0, calls_to
from tests.checkin.test_checkin import browser  # noqa: F401  (the Chromium fixture)
from tests.conftest import Harness, eventually
from tests.records.test_admin_config_browser import go, open_section, save
from tests.records.test_admin_forms_browser import (
    ADMIN,
    LEAD,
    add_contact,
    admin_page,
    looked_at,
    status,
)

MEETING = "81234567899"
UUID = "sEtUp/InTheBrowser+1=="
CLIENTS = (("Jamie Quillfeather", "+13125550161", "Jamie Q"),
           ("Noor Ashdown", "+13125550162", "Noor A"),
           ("Tam Villaret", "+13125550163", "Tam V"))


async def new_client(page: Any, name: str, phone: str, zoom_name: str, n: int) -> None:
    await page.click("#new-client")
    await page.get_by_label("Name", exact=True).fill(name)
    await page.get_by_label("Callback number").fill(phone)
    for field, value in (("street", f"{n + 1}0 Birch Court"), ("city", "Springfield"),
                         ("region", "IL"), ("postal_code", "62704"), ("country", "US")):
        await page.fill(f"#client-location-{field}", value)
    await page.fill("#client-zoom_display_names", zoom_name)
    await add_contact(page, 0, f"Support for {name.split()[0]}", f"+1312555017{n}",
                      ["callback_ladder", "notify_crisis"])
    await page.click("text=Save the new client")
    await status(page, f"Saved: {name} was added")
    await page.click("text=← All clients")


async def safety_plan(page: Any, client_id: str) -> None:
    await page.goto(page.url.split("#")[0] + f"#clients/{client_id}")
    signs = page.get_by_label("Warning signs that a crisis may be coming")
    await signs.wait_for()
    await signs.fill("stops answering texts\nsleeps all day")
    await page.click("text=Save changes")
    await status(page, "Saved at")


async def timeline_kinds(h: Harness) -> list[str]:
    """The new group's timeline, as the clinical lead (who cares for every group) reads it."""
    r = await h.http.get(f"{h.base}/api/meetings/{quote(UUID, safe='')}/timeline",
                         headers=h.token(LEAD))
    r.raise_for_status()
    return [e["kind"] for e in r.json()["entries"]]


def dropped(body: dict[str, Any]) -> dict[str, Any]:
    body["payload"]["object"].update({"id": MEETING, "uuid": UUID})
    return body


async def test_a_program_set_up_in_the_browser_calls_back_a_dropped_client(
        harness: Harness, browser: Any) -> None:  # noqa: F811
    h = harness
    admin = await admin_page(h, browser, ADMIN, 1280, "clients")
    for n, (name, phone, zoom_name) in enumerate(CLIENTS):
        await new_client(admin, name, phone, zoom_name, n)
    ids = [name.lower().replace(" ", "-") for name, _, _ in CLIENTS]

    lead = await admin_page(h, browser, LEAD, 375, "clients")  # clinical sections: the lead
    for client_id in ids:
        await safety_plan(lead, client_id)
    plans = [await h.tether.clients.get(i, actor="test", purpose="test") for i in ids]
    assert all(p is not None and p.safety_plan.warning_signs for p in plans)

    page = await open_section(h, browser, "staff", 1280)
    await page.get_by_role("button", name="Add a person").click()
    await page.fill("#staff-6-name", "Taylor Brooks")
    await page.fill("#staff-6-email", "taylor@example.org")
    await page.fill("#staff-6-phone", "+13125550107")
    await page.locator("#staff-6-roles").get_by_label("Leads groups").check()
    assert (await save(page, "Save staff")).startswith("Saved")

    await go(page, "groups")
    await page.get_by_role("button", name="Add a group").click()
    g = "#groups-2-"
    await page.fill(g + "name", "Friday evening group")
    await page.fill(g + "zoom_meeting_id", MEETING)
    await page.get_by_role("button", name="Add a session").nth(2).click()
    await page.locator(g + "schedule-0-days").get_by_label("Friday").check()
    await page.fill(g + "schedule-0-start", "18:30")
    await page.fill(g + "schedule-0-end", "20:00")
    await page.select_option(g + "lead", label="Taylor Brooks")
    for name, _, _ in CLIENTS:
        await page.locator(g + "expected_clients").get_by_label(name).check()
    assert (await save(page, "Save groups")).startswith("Saved")

    await go(page, "schedule")
    await page.get_by_role("button", name="Add a shift").click()
    await page.select_option("#on_call-0-staff", label="Taylor Brooks")
    await page.locator("#on_call-0-days").get_by_label("Friday").check()
    await page.fill("#on_call-0-start", "00:00")
    await page.fill("#on_call-0-end", "08:00")
    assert (await save(page, "Save the schedule")).startswith("Saved")
    await page.wait_for_function("() => document.getElementById('oncall-now')"
                                 ".textContent.includes('On call now: Taylor Brooks')")

    await go(page, "policies")
    await page.get_by_role("button", name="Remove step 2").click()  # no support call
    await page.fill("#policies-callback_policy-steps-0-attempts", "2")
    assert (await save(page, "Save policies")).startswith("Saved")
    await looked_at(page, "admin-setup-policies-1280")

    # the group meets: Noor drops off; the sidecar was never restarted
    noor = ("pu-noor-1", "Noor A")
    assert (await h.zoom(dropped(zp.joined(T0 - 60_000, *noor)))).status_code == 200
    assert (await h.zoom(dropped(zp.disconnected(T0, *noor)))).status_code == 200
    await h.settle()
    await h.advance(10)

    async def twice() -> bool:
        if all(c.status not in ("ringing", "in-progress") for c in h.standin.calls):
            await h.advance(5)
        return await calls_to(h, "+13125550162") >= 2

    await eventually(twice, timeout=20)
    assert await calls_to(h, "+13125550172") == 0  # the support step was removed
    kinds = await timeline_kinds(h)
    assert "alert.disconnected" in kinds and "ladder.dialing" in kinds

    async def responders() -> bool:
        if all(c.status not in ("ringing", "in-progress") for c in h.standin.calls):
            await h.advance(5)
        return "ladder.responders_prompt" in await timeline_kinds(h)

    await eventually(responders, timeout=20)
    texted = {m["to"] for m in h.standin.messages}
    assert "+13125550107" in texted  # Taylor: the group's lead, and on call tonight
