"""The admin page in real headless Chromium: the shell (who is signed in, the sections),
the client list with its flags, who is on call, break-glass openings, names as text, and
what someone without the role or without a session sees. The forms themselves are in
test_admin_forms_browser.py."""

from __future__ import annotations

from typing import Any

from sidecar.web.pages import STATIC
from tests.checkin.test_checkin import browser  # noqa: F401  (the Chromium fixture)
from tests.conftest import ROOT, Harness, signed_in_page

ARTIFACTS = ROOT / "artifacts"
ADMIN = "admin-jordan"
SECTIONS = ["On call now", "Staff", "Groups", "On-call schedule", "Policies", "Clients",
            "Coaching pages",
            "Locale directory", "Import people", "Break-glass openings", "Incidents"]


async def open_admin(h: Harness, chromium: Any, staff: str = ADMIN, where: str = "") -> Any:
    page = await signed_in_page(h, chromium, staff, viewport={"width": 1200, "height": 1000})
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}")
            if r.status > 400 and not r.url.endswith("/favicon.ico") else None)
    await page.goto(f"{h.base}/admin" + (f"#{where}" if where else ""))
    await page.wait_for_selector("body[data-ready=yes]")
    page.problems = problems
    return page


async def row_text(page: Any, client: str) -> str:
    row = page.locator(f"#clients tr[data-client='{client}']")
    await row.wait_for()
    return str(await row.text_content())


async def test_the_shell_names_the_program_the_person_and_every_section(
        harness: Harness, browser: Any) -> None:  # noqa: F811
    page = await open_admin(harness, browser)
    assert "Harbor Light" in str(await page.text_content("#program"))
    assert "Signed in as Jordan Pell" in str(await page.text_content("header"))
    links = await page.locator("nav a").all_text_contents()
    assert [t.strip() for t in links] == SECTIONS
    assert await page.get_attribute("nav a[href='#now']", "aria-current") == "page"
    await page.click("nav >> text=Break-glass openings")
    await page.wait_for_selector("#breakglass li")
    assert "None in the last 30 days" in str(await page.text_content("#breakglass"))
    assert await page.evaluate("document.activeElement.tagName") == "H2"
    assert await page.get_attribute("nav a[href='#break-glass']", "aria-current") == "page"
    assert page.problems == []


async def test_the_list_shows_flags_and_who_is_on_call(harness: Harness,
                                                       browser: Any) -> None:  # noqa: F811
    page = await open_admin(harness, browser)
    await page.wait_for_selector("#oncall li")
    assert "Riley Fenwick" in str(await page.text_content("#oncall"))
    assert "on-call role" in str(await page.text_content("#oncall-source"))
    await page.click("nav >> text=Clients")
    casey = await row_text(page, "client-001")
    assert "overdue since 2026-12-30" in casey and "no 911 center (PSAP) on file" in casey
    assert "May be called when we cannot reach the client" in casey
    assert "not reviewed yet" in await row_text(page, "client-002")
    assert "no consent on file" in await row_text(page, "client-002")
    assert "blue umbrella" not in str(await page.text_content("#clients"))
    assert await page.locator("#clients tbody tr").count() == 3
    await page.click("#clients tr[data-client='client-001'] >> text=Open")
    await page.wait_for_url("**/admin#clients/client-001")
    assert await page.locator("#client-name").input_value() == "Casey Brightwater"
    assert page.problems == []


async def test_names_are_text_never_markup(harness: Harness, browser: Any) -> None:  # noqa: F811
    h = harness
    odd = {"id": "client-009", "name": "<img src=x onerror=alert(1)>Zed",
           "callback_phone": "+13125550119"}
    r = await h.http.put(f"{h.base}/api/admin/clients/client-009", json=odd,
                         headers={**h.token(ADMIN), "If-None-Match": "*"})
    assert r.status_code == 201
    page = await open_admin(h, browser, where="clients")
    assert "<img src=x" in await row_text(page, "client-009")
    assert await page.locator("main img").count() == 0
    await page.goto(f"{h.base}/admin#clients/client-009")
    await page.wait_for_selector("#client-name")
    assert await page.input_value("#client-name") == odd["name"]
    assert await page.locator("main img").count() == 0
    for module in (STATIC / "admin").iterdir():
        text = module.read_text()
        assert "innerHTML" not in text and "dangerouslySetInnerHTML" not in text, module.name


async def test_without_a_session_or_the_role(harness: Harness, browser: Any) -> None:  # noqa: F811
    h = harness
    page = await browser.new_page()
    await page.goto(f"{h.base}/admin")  # not signed in: off to sign in (none set up here)
    await page.wait_for_url("**/auth/login?next=%2Fadmin")
    assert "Sign-in is not set up" in str(await page.text_content("h1"))
    page = await signed_in_page(h, browser, "lead-avery")
    await page.goto(f"{h.base}/admin")
    await page.wait_for_function(
        "() => document.getElementById('error').textContent.includes('admin')")
    assert await page.locator("nav").count() == 0
    r = await h.http.get(f"{h.base}/static/admin.css")
    assert r.status_code == 200 and "text/css" in r.headers["content-type"]
    r = await h.http.get(f"{h.base}/static/admin/app.js")
    assert r.status_code == 200 and "javascript" in r.headers["content-type"]
