"""The server-rendered pages around signing in read well and pass axe-core; the pages'
library is served from our own origin."""

from __future__ import annotations

from typing import Any

from tests.axe import assert_accessible
from tests.checkin.test_checkin import browser  # noqa: F401  (the Playwright fixture)
from tests.conftest import ROOT, Harness


async def test_the_library_comes_from_our_origin(harness: Harness) -> None:
    r = await harness.http.get(f"{harness.base}/static/vendor/preact-htm.js")
    assert r.status_code == 200 and "javascript" in r.headers["content-type"]
    assert "export{" in r.text and "import " not in r.text[:200]  # one module, no imports
    assert (await harness.http.get(f"{harness.base}/static/../README.md")).status_code == 404


async def test_sign_in_pages_pass_axe_at_three_widths(harness: Harness,
                                                      browser: Any) -> None:  # noqa: F811
    h = harness
    for width in (400, 1280, 375):
        page = await browser.new_page(viewport={"width": width, "height": 800})
        for path, state in (("/auth/signed-out", "signed-out"),
                            ("/auth/login", "sign-in-not-set-up")):
            await page.goto(h.base + path)
            assert await page.evaluate("document.documentElement.scrollWidth") <= width
            await assert_accessible(page, f"{state}-{width}")
            await page.screenshot(path=str(ROOT / "artifacts" / f"{state}-{width}.png"))
        await page.close()
