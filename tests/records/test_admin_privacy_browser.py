"""Policies > Privacy prompts in real headless Chromium at 1280 and 375 px, signed in as the
program admin: a changed, added and removed prompt is saved and asked on the client's form at
once; a bad key is named at its field with the typed text kept; two admins saving the
policies at once see each other's version; the recording statement's hint follows the
recording policy. No sideways scrolling, axe clean."""

from __future__ import annotations

from typing import Any

import pytest

from tests.checkin.test_checkin import ARTIFACTS, browser, link, started  # noqa: F401
from tests.checkin.test_checkin_pages import looked_at
from tests.conftest import Harness
from tests.records.test_admin_config_browser import (
    WIDTHS,
    document,
    field_error,
    open_section,
    save,
)

P = "#policies-privacy_prompts-"


@pytest.mark.parametrize("width", WIDTHS)
async def test_prompts_are_edited_and_asked_at_once(harness: Harness, browser: Any,  # noqa: F811
                                                    width: int) -> None:
    h = harness
    await started(h)
    page = await open_section(h, browser, "policies", width)
    prompts = page.locator("ol.prompts > li")
    assert await prompts.count() == 3
    assert await page.input_value(P + "prompts-0-question") == "Are you wearing headphones?"
    await page.fill(P + "prompts-1-when_no", "Somewhere shared")
    await page.get_by_role("button", name="Remove Virtual background").click()
    await page.get_by_role("button", name="Add a prompt").click()
    await page.fill(P + "prompts-2-question", "Is your door closed?")
    await page.fill(P + "prompts-2-label", "Door")
    await page.fill(P + "prompts-2-when_no", "Door open")
    await page.fill(P + "prompts-2-key", "door")
    await page.locator(P + "prompts-2-key").scroll_into_view_if_needed()
    await looked_at(page, f"admin-privacy-{width}")
    await page.locator(P.rstrip("-")).screenshot(  # the section alone, to look at
        path=str(ARTIFACTS / f"admin-privacy-section-{width}.png"))
    said = await save(page, "Save policies")
    assert said.startswith("Saved"), said
    body = (await document(h, "policies"))["body"]["privacy_prompts"]
    assert [(p["key"], p["when_no"]) for p in body["prompts"]] == [
        ("headphones", "No headphones"), ("private_spot", "Somewhere shared"),
        ("door", "Door open")]
    form = (await h.http.get(await link(h), follow_redirects=True)).text
    assert "Is your door closed?" in form and "virtual background" not in form
    assert page.problems == []


async def test_a_bad_key_is_named_and_kept(harness: Harness, browser: Any) -> None:  # noqa: F811
    h = harness
    page = await open_section(h, browser, "policies", 375)
    await page.fill(P + "prompts-0-key", "Head Phones")
    assert (await save(page, "Save policies")).startswith("Not saved")
    assert "lowercase letters" in await field_error(page, P[1:] + "prompts-0-key")
    assert await page.input_value(P + "prompts-0-key") == "Head Phones"
    assert await page.get_attribute(P + "prompts-0-key", "aria-invalid") == "true"
    await looked_at(page, "admin-privacy-error-375")
    saved = (await document(h, "policies"))["body"]["privacy_prompts"]
    assert saved["prompts"][0]["key"] == "headphones"


async def test_two_admins_edit_the_prompts_at_once(harness: Harness,
                                                   browser: Any) -> None:  # noqa: F811
    h = harness
    first = await open_section(h, browser, "policies", 1280)
    second = await open_section(h, browser, "policies", 375)
    await first.fill(P + "prompts-0-question", "Do you have headphones on?")
    assert (await save(first, "Save policies")).startswith("Saved")
    await second.fill(P + "recording_statement", "We never record our groups.")
    assert (await save(second, "Save policies")).startswith("Not saved")
    conflict = second.locator(".conflict")
    await conflict.wait_for()
    text = await conflict.text_content() or ""
    assert "Do you have headphones on?" in text and "We never record our groups." in text
    await looked_at(second, "admin-privacy-conflict-375")
    await second.get_by_role("button", name="Use their version").click()
    assert await second.input_value(P + "prompts-0-question") == "Do you have headphones on?"


async def test_the_statement_is_said_only_while_recordings_are_stopped(
        harness: Harness, browser: Any) -> None:  # noqa: F811
    h = harness
    page = await open_section(h, browser, "policies", 1280)
    hint = page.locator(P + "recording_statement-hint")
    assert "Shown on the check-in form" in (await hint.text_content() or "")
    await page.select_option("#policies-recording_policy-on_start", label="Tell the clinicians")
    assert "Not shown now" in (await hint.text_content() or "")
    assert (await save(page, "Save policies")).startswith("Saved")
    await started(h)
    form = (await h.http.get(await link(h), follow_redirects=True)).text
    assert "never recorded" not in form and "Are you wearing headphones?" in form
