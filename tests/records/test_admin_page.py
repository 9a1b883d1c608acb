"""The admin page in real headless Chromium: the list, a client edit that goes wrong and
is then fixed without losing the text, the directory editor, who is on call."""

from __future__ import annotations

import json
from typing import Any

from sidecar.web.pages import STATIC
from tests.checkin.test_checkin import browser  # noqa: F401  (the Chromium fixture)
from tests.conftest import ROOT, Harness, signed_in_page
from tests.records.test_admin_api import example_directory, get

ARTIFACTS = ROOT / "artifacts"
ADMIN = "admin-jordan"


async def open_admin(h: Harness, chromium: Any, staff: str = ADMIN) -> Any:
    page = await signed_in_page(h, chromium, staff, viewport={"width": 1200, "height": 1000})
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}")
            if r.status > 400 and not r.url.endswith("/favicon.ico") else None)
    await page.goto(f"{h.base}/admin")
    await page.wait_for_selector("body[data-ready=yes]")
    page.problems = problems
    return page


async def row_text(page: Any, client: str) -> str:
    return str(await page.text_content(f"#clients tr[data-client='{client}']"))


async def test_the_page_shows_clients_flags_and_who_is_on_call(harness: Harness,
                                                               browser: Any) -> None:  # noqa: F811
    page = await open_admin(harness, browser)
    assert await page.locator("#clients tbody tr").count() == 3
    casey = await row_text(page, "client-001")
    assert "overdue since 2026-12-30" in casey and "no 911 center (PSAP) on file" in casey
    assert "blue umbrella" not in await page.text_content("#clients")
    assert "not reviewed yet" in await row_text(page, "client-002")
    assert "Riley Fenwick" in await page.text_content("#oncall")
    assert "on-call role" in await page.text_content("#oncall-source")
    assert "Harbor Light" in await page.text_content("#program")
    assert page.problems == []


async def test_a_client_edit_with_an_error_then_fixed(harness: Harness,
                                                      browser: Any) -> None:  # noqa: F811
    h = harness
    page = await open_admin(h, browser, "clinlead-sasha")  # reviews the safety plan too
    await page.click("#clients tr[data-client='client-001'] button")
    editor = page.locator("#client-json")
    await page.wait_for_function("() => document.getElementById('client-json').value.length > 0")
    record = json.loads(await editor.input_value())
    assert record["id"] == "client-001"
    record["callback_phone"] = "312 555 0119"
    record["emergency_contacts"][0]["phone"] = "call Dana"
    bad_text = json.dumps(record, indent=2)
    await editor.fill(bad_text)
    await page.click("#client-save")
    await page.wait_for_selector("#client-errors li")
    errors = await page.text_content("#client-errors")
    assert "Callback phone: a phone number in international format" in errors
    assert "Emergency contacts, item 1, phone" in errors and "emergency_contacts.0.phone" in errors
    assert "Not saved" in await page.text_content("#client-status")
    assert await editor.input_value() == bad_text  # the admin's text is kept
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / "admin-client-error.png"), full_page=True)
    assert (await get(h, "/api/admin/clients/client-001"))["callback_phone"] == "+13125550111"

    record["callback_phone"] = "+13125550119"
    record["emergency_contacts"][0]["phone"] = "+13125550121"
    record["safety_plan"]["last_reviewed"] = "2027-01-14"
    await editor.fill(json.dumps(record, indent=2))
    await page.click("#client-save")
    await page.wait_for_function(
        "() => document.getElementById('client-status').textContent.startsWith('Saved')")
    assert await page.locator("#client-errors li").count() == 0
    await page.wait_for_function("() => !document.querySelector(\"#clients tr[data-client="
                                 "'client-001']\").textContent.includes('overdue')")
    await page.screenshot(path=str(ARTIFACTS / "admin-client-saved.png"), full_page=True)
    assert (await get(h, "/api/admin/clients/client-001"))["callback_phone"] == "+13125550119"
    assert page.problems == []


async def test_text_that_is_not_json_is_kept_and_explained(harness: Harness,
                                                           browser: Any) -> None:  # noqa: F811
    page = await open_admin(harness, browser)
    await page.click("#clients tr[data-client='client-002'] button")
    await page.wait_for_function("() => document.getElementById('client-json').value.length > 0")
    broken = (await page.locator("#client-json").input_value())[:-3]
    await page.locator("#client-json").fill(broken)
    await page.click("#client-save")
    await page.wait_for_selector("#client-errors li")
    assert "not valid JSON, nothing was saved" in await page.text_content("#client-errors")
    assert await page.locator("#client-json").input_value() == broken


async def test_the_directory_editor(harness: Harness, browser: Any) -> None:  # noqa: F811
    h = harness
    page = await open_admin(h, browser)
    assert json.loads(await page.locator("#directory-json").input_value()) == {
        "countries": [], "regions": []}
    directory = example_directory()
    directory["countries"][1]["emergency_numbers"] = [0]  # a bare 000
    await page.locator("#directory-json").fill(json.dumps(directory, indent=2))
    await page.click("#directory-save")
    await page.wait_for_selector("#directory-errors li")
    errors = await page.text_content("#directory-errors")
    assert "Countries, item 2, emergency numbers, item 1: write the number in quotes" in errors
    directory["countries"][1]["emergency_numbers"] = ["000"]
    await page.locator("#directory-json").fill(json.dumps(directory, indent=2))
    await page.click("#directory-save")
    await page.wait_for_function(
        "() => document.getElementById('directory-status').textContent.startsWith('Saved')")
    await page.wait_for_function("() => document.querySelector(\"#clients tr[data-client="
                                 "'client-003']\").textContent.includes('postal code')")
    assert "yes (city)" in await row_text(page, "client-001")
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / "admin-directory.png"), full_page=True)
    stored = await get(h, "/api/admin/directory")
    assert stored["countries"][1]["emergency_numbers"] == ["000"]


async def test_names_are_text_never_markup(harness: Harness, browser: Any) -> None:  # noqa: F811
    h = harness
    odd = {"id": "client-009", "name": "<img src=x onerror=alert(1)>Zed",
           "callback_phone": "+13125550119"}
    r = await h.http.put(f"{h.base}/api/admin/clients/client-009", json=odd,
                         headers=h.token(ADMIN))
    assert r.status_code == 201
    page = await open_admin(h, browser)
    assert "<img src=x" in await row_text(page, "client-009")
    assert await page.locator("#clients img").count() == 0
    assert "innerHTML" not in (STATIC / "admin.js").read_text()


async def test_a_missing_or_wrong_token_says_so(harness: Harness,
                                                browser: Any) -> None:  # noqa: F811
    h = harness
    page = await browser.new_page()
    await page.goto(f"{h.base}/admin")  # not signed in: off to sign in (none set up here)
    await page.wait_for_url("**/auth/login?next=%2Fadmin")
    assert "Sign-in is not set up" in await page.text_content("h1")
    page = await signed_in_page(h, browser, "lead-avery")
    await page.goto(f"{h.base}/admin")
    await page.wait_for_function(
        "() => document.getElementById('error').textContent.includes('admin')")
    r = await h.http.get(f"{h.base}/static/admin.css")
    assert r.status_code == 200 and "text/css" in r.headers["content-type"]
