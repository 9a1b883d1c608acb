"""Helpers for the panel's browser tests: open the panel as someone, drive the fake clock
until the page says something, check the page's width and save what it looks like."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import quote

import yaml

from sidecar.records.directory import Directory
from tests import zoom_payloads as zp
from tests.conftest import ROOT, Harness, signed_in_page

ART = ROOT / "artifacts"
LADDER = ".alert[data-subject='client:client-001']"


async def load_directory(h: Harness) -> None:
    raw = yaml.safe_load((ROOT / "examples" / "directory.yaml").read_text())
    await h.tether.directory.put(Directory.model_validate(raw), actor="test")


async def open_panel(h: Harness, browser: Any, staff: str = "lead-avery", width: int = 400,
                     meeting: str | None = zp.MEETING_UUID, init: str = "",
                     clock: bool = False) -> Any:
    """The panel, live; ``init`` runs in the page before its own scripts, ``clock`` gives
    the page a clock the test moves (``page.clock``)."""
    page = await signed_in_page(h, browser, staff, viewport={"width": width, "height": 800},
                                bypass_csp=True)
    page.on("pageerror", lambda e: print("page error:", e))
    if init:
        await page.add_init_script(init)
    if clock:
        await page.clock.install()
    where = f"#meeting={quote(meeting)}" if meeting is not None else ""
    await page.goto(f"{h.base}/panel{where}")
    if meeting:
        await page.wait_for_function("document.getElementById('conn') && "
                                     "document.getElementById('conn').textContent === 'live'")
    return page


async def card_text(page: Any, selector: str = LADDER) -> str:
    found = page.locator(selector)
    return str(await found.text_content()) if await found.count() else ""


async def drive_until(h: Harness, page: Any, words: str, selector: str = LADDER,
                      step: float = 1, limit: int = 400) -> str:
    """Move the fake clock a step at a time until the card says ``words``."""
    for _ in range(limit):
        text = await card_text(page, selector)
        if words in text:
            return text
        h.clock.advance(step)
        await asyncio.sleep(0.03)
    raise AssertionError(f"the card never said {words!r}; it says {await card_text(page)!r}")


async def fits(page: Any, width: int) -> None:
    scroll = await page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"the page is {scroll} px wide at {width} px"


async def shot(page: Any, name: str) -> None:
    ART.mkdir(exist_ok=True)
    await page.screenshot(path=str(ART / f"{name}.png"), full_page=True)
