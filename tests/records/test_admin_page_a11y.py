"""The admin page at 375, 400 and 1280 px in real headless Chromium, signed in: loaded, and
with a client edit refused; every field named, no sideways scrolling of the page, no
critical or serious axe finding."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.checkin.test_checkin import browser  # noqa: F401  (the Chromium fixture)
from tests.checkin.test_checkin_pages import WIDTHS, looked_at
from tests.conftest import Harness, signed_in_page

LABELLED = ("client-json", "directory-json", "new-id")


@pytest.mark.parametrize("width", WIDTHS)
async def test_the_admin_page_loaded_and_with_an_edit_error(
        harness: Harness, browser: Any, width: int) -> None:  # noqa: F811
    h = harness
    page = await signed_in_page(h, browser, "clinlead-sasha",
                                viewport={"width": width, "height": 900})
    await page.goto(f"{h.base}/admin")
    await page.wait_for_selector("body[data-ready=yes]")
    await looked_at(page, f"admin-loaded-{width}")

    await page.click("#clients tr[data-client='client-001'] button")
    editor = page.locator("#client-json")
    await page.wait_for_function("() => document.getElementById('client-json').value.length > 0")
    for field in LABELLED:  # a name a screen reader says, from a real <label>
        named = await page.evaluate(
            "id => Array.from(document.getElementById(id).labels).map(l => l.textContent)"
            ".join(' ').trim()", field)
        assert named, f"#{field} has no label"
    record = json.loads(await editor.input_value())
    record["callback_phone"] = "call me"
    await editor.fill(json.dumps(record, indent=2))
    await page.click("#client-save")
    await page.wait_for_selector("#client-errors li")
    assert await editor.get_attribute("aria-invalid") == "true"
    await looked_at(page, f"admin-edit-error-{width}")
