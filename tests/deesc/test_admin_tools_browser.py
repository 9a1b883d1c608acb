"""The program's Calm & ground tools on the admin page (Policies), in headless Chromium: a
pace of 0 s and an empty script are named at their fields in sentences, a good change is
saved to the live configuration, and a copy saved meanwhile by someone else is shown beside
the admin's own (412), with axe and screenshots at 400, 1280 and 375 px."""

from __future__ import annotations

from typing import Any

from tests.checkin.test_checkin import browser  # noqa: F401  (the Chromium fixture)
from tests.checkin.test_checkin_pages import looked_at
from tests.conftest import ROOT, Harness
from tests.records.test_admin_config_browser import ADMIN, document, field_error, open_section, save

SECONDS = "policies-deescalation-grounding-0-steps-0-seconds"
TEXT = "policies-deescalation-name_and_normalise-0-text"


async def every_width(page: Any, state: str) -> None:
    for width in (400, 1280, 375):
        await page.set_viewport_size({"width": width, "height": 900})
        await looked_at(page, f"calm-admin-{state}-{width}")
        tools = page.locator("fieldset.policy", has_text="Calm & ground")  # the part to look at
        part = ROOT / "artifacts" / f"calm-admin-{state}-{width}-part.png"
        await tools.screenshot(path=str(part))


async def test_the_tools_are_edited_with_sentences_and_conflicts(
        harness: Harness, browser: Any) -> None:  # noqa: F811
    h = harness
    page = await open_section(h, browser, "policies", 1280)
    tools = page.locator("fieldset.policy", has_text="Calm & ground")
    await tools.wait_for()
    assert await page.input_value("#" + SECONDS) == "4"
    await every_width(page, "form")
    await page.fill("#" + SECONDS, "0")
    await page.fill("#" + TEXT, "   ")
    assert (await save(page, "Save policies")).startswith("Not saved")
    said = await field_error(page, SECONDS)
    assert "A step of 0 s cannot be followed: give each step at least 1 second" in said
    assert "The script is empty: write the words, or remove it" in await field_error(page, TEXT)
    assert await page.input_value("#" + SECONDS) == "0"  # the typed value is kept
    await every_width(page, "problems")

    await page.fill("#" + SECONDS, "5")
    await page.fill("#" + TEXT, "We have time. I am staying right here with you.")
    assert (await save(page, "Save policies")).startswith("Saved")
    body = (await document(h, "policies"))["body"]["deescalation"]
    assert body["grounding"][0]["steps"][0]["seconds"] == 5
    assert h.tether.config.deescalation.name_and_normalise[0].text.startswith("We have time.")
    tools_now = (await h.http.get(f"{h.base}/api/deescalation", headers=h.token())).json()
    assert tools_now["grounding"][0]["steps"][0] == {"words": "Breathe in", "seconds": 5.0}

    current = await document(h, "policies")  # meanwhile another admin changes the length
    theirs = {**current["body"], "deescalation": {**current["body"]["deescalation"],
                                                  "agreement_minutes": 30}}
    r = await h.http.put(f"{h.base}/api/admin/config/policies", json=theirs, headers={
        **h.token(ADMIN), "If-Match": f'"{current["version"]}"'})
    assert r.status_code == 200, r.text
    await page.fill("#policies-deescalation-agreement_terms", "Stay on video together\n"
                    "Put the keys in the car")
    assert (await save(page, "Save policies")).startswith("Not saved")
    conflict = page.locator(".conflict")
    await conflict.wait_for()
    assert "saved a change" in str(await conflict.text_content())
    await every_width(page, "conflict")
    await page.get_by_role("button", name="Keep mine and save again").click()
    await page.wait_for_function(
        "() => /^Saved/.test(document.querySelector('.savebar .status').textContent)")
    saved = (await document(h, "policies"))["body"]["deescalation"]
    assert saved["agreement_terms"] == ["Stay on video together", "Put the keys in the car"]
    assert page.problems == []
