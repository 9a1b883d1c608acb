"""A clinician names an unidentified participant; if that client is away, the callback
ladder starts as if the platform had named them."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from tests import zoom_payloads as zp
from tests.callbacks.test_callback_ladder import T0, calls_to, join_group
from tests.checkin.test_checkin import browser  # noqa: F401  (the Chromium fixture)
from tests.conftest import Harness, eventually, signed_in_page

M = quote(zp.MEETING_UUID, safe="")
GUEST = ("pu-guest-7", "iPhone (7)")  # a display name on file for nobody
EMERY_PHONE = "+13125550113"  # client-003


async def link(h: Harness, participant: str, client: str) -> Any:
    return await h.http.post(f"{h.base}/api/meetings/{M}/participants/{participant}/link",
                             json={"client": client}, headers=h.token())


async def test_linking_a_dropped_guest_starts_their_callback(harness: Harness) -> None:
    h = harness
    await join_group(h)
    await h.zoom(zp.joined(T0 - 30_000, *GUEST))
    await h.zoom(zp.disconnected(T0, *GUEST))
    await h.settle()
    assert "alert.unidentified_drop" in await h.kinds()
    await h.advance(30)
    assert h.standin.calls == []  # nobody to call yet
    r = await link(h, GUEST[0], "client-003")
    assert r.status_code == 200
    kinds = await h.kinds()
    assert "participant.linked" in kinds and "alert.disconnected" in kinds
    row = next(p for p in (await h.roster())["people"] if p["participant"] == GUEST[0])
    assert row["client"] == "client-003"
    await h.advance(10)
    await eventually(lambda: calls_to(h, EMERY_PHONE), timeout=5)


async def test_bad_links_are_refused(harness: Harness) -> None:
    h = harness
    await join_group(h)
    await h.settle()
    assert (await link(h, "pu-nobody", "client-003")).status_code == 404
    assert (await link(h, "pu-rowan-1", "client-999")).status_code == 400


async def test_panel_links_with_a_choice_of_names(harness: Harness,
                                                  browser: Any) -> None:  # noqa: F811
    h = harness
    await join_group(h)
    await h.zoom(zp.joined(T0 - 30_000, *GUEST))
    await h.settle()
    page = await signed_in_page(h, browser, "lead-avery", bypass_csp=True)
    await page.goto(f"{h.base}/panel#meeting={quote(zp.MEETING_UUID)}")
    pick = page.locator(f"tr[data-participant='{GUEST[0]}'] select.link")
    await pick.wait_for()
    assert "Emery Holloway" in await pick.locator("option").all_text_contents()
    await pick.select_option(label="Emery Holloway")
    await page.wait_for_function(
        "document.querySelector(\"tr[data-participant='pu-guest-7'] .badge\")"
        ".textContent === 'Client'")
