"""The printable incident report at 375, 400 and 1280 px in real headless Chromium, signed in:
an incident screened, stepped through and closed; each table named and scrolling inside its
own region (never the page); no critical or serious axe finding."""

from __future__ import annotations

from typing import Any

import pytest

from tests.checkin.test_checkin import GOOD, browser, link  # noqa: F401  (the Chromium fixture)
from tests.checkin.test_checkin_pages import WIDTHS, looked_at
from tests.conftest import Harness, signed_in_page
from tests.incidents.test_incidents import DOCS, HIGH, IMMINENT, opened, post


async def closed_incident(h: Harness) -> str:
    inc = await opened(h)
    token = (await link(h, "client-001")).split("t=", 1)[1]
    assert (await h.http.post(f"{h.base}/api/checkin?t={token}", json=GOOD)).status_code == 200
    screened = (await post(h, f"{inc['id']}/screens", {"answers": HIGH,
                                                       "imminence": IMMINENT})).json()
    await post(h, f"{inc['id']}/checklist/{screened['checklist'][0]['key']}", {"note": "done"})
    await post(h, f"{inc['id']}/emergency")
    await post(h, f"{inc['id']}/steps/call_responders")
    assert (await post(h, f"{inc['id']}/close", DOCS)).status_code == 200
    return str(inc["id"])


@pytest.mark.parametrize("width", WIDTHS)
async def test_the_report(harness: Harness, browser: Any, width: int) -> None:  # noqa: F811
    h = harness
    incident = await closed_incident(h)
    page = await signed_in_page(h, browser, "lead-avery",
                                viewport={"width": width, "height": 900})
    await page.goto(f"{h.base}/incidents/{incident}/report")
    await page.wait_for_function("() => window.tetherReportReady === true")
    text = await page.text_content("main") or ""
    assert "transported to the ED" in text and "call responders" in text
    assert "Casey Brightwater" in text and "Avery Lindqvist" in text  # names, not ids
    assert "lead-avery" not in text and "client-001" not in text
    captions = await page.locator("caption").all_text_contents()
    assert "Safety checks" in captions and "Checklist" in captions
    await looked_at(page, f"report-{width}")
