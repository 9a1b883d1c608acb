"""Bad input gets a clear 4xx, never a stack trace; a call for help is heard on an old
link; what a client typed in an odd place stays off the timeline."""

from __future__ import annotations

import pytest

from tests.callbacks.test_callback_ladder import join_group
from tests.checkin.test_checkin import GOOD, link
from tests.conftest import Harness

DEEP = b"[" * 100_000


async def test_mangled_or_odd_bodies_and_links_get_4xx(harness: Harness) -> None:
    h = harness
    await join_group(h)
    await h.settle()
    token = (await link(h)).split("t=", 1)[1]
    for path in ("/checkin?t=abc.%C3%A9", "/api/checkin?t=abc.%C3%A9"):  # an SMS app's mangling
        assert (await h.http.get(h.base + path)).status_code == 403
    bad = await h.http.post(f"{h.base}/api/zoom/checkin-session", content=b"not json")
    assert bad.status_code == 400 and "body" in bad.json()["error"]
    admin = h.token("admin-jordan")
    for body in (b"\xff\xfe not utf-8", DEEP):
        r = await h.http.put(f"{h.base}/api/admin/clients/client-001", content=body,
                             headers=admin)
        assert r.status_code == 400 and "not valid JSON" in r.text
    r = await h.http.post(f"{h.base}/api/checkin?t={token}", content=DEEP)
    assert r.status_code == 400 and r.json()["errors"]


async def test_i_need_a_moment_is_heard_on_a_link_past_its_time(harness: Harness) -> None:
    h = harness
    await join_group(h)
    await h.settle()
    token = (await link(h)).split("t=", 1)[1]
    h.clock.advance(3 * 3600 + 60)  # the link expired a minute ago
    assert (await h.http.post(f"{h.base}/api/checkin?t={token}", json=GOOD)).status_code == 403
    heard = await h.http.post(f"{h.base}/api/checkin/moment?t={token}")
    assert heard.status_code == 200 and "alert.need_moment" in await h.kinds()
    h.clock.advance(12 * 3600)
    late = await h.http.post(f"{h.base}/api/checkin/moment?t={token}")
    assert late.status_code == 403 and "expired" in late.json()["error"]


@pytest.mark.parametrize("overrides", [{"checkin_policy": {"licensed_regions": ["US-IL"]}}])
async def test_an_uncoded_region_stays_off_the_timeline(harness: Harness) -> None:
    h = harness
    await join_group(h)
    await h.settle()
    token = (await link(h)).split("t=", 1)[1]
    odd = GOOD | {"location": GOOD["location"] | {"region": "the blue house by the lake"}}
    assert (await h.http.post(f"{h.base}/api/checkin?t={token}", json=odd)).status_code == 200
    alert = next(e for e in await h.timeline() if e["kind"] == "alert.outside_license")
    assert alert["data"]["region"] == "US (region not recognised)"
    assert "blue house" not in str(await h.timeline())
