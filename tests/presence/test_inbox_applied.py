"""What the inbox holds once its events are applied: nothing (the memory an operator sees)."""

from __future__ import annotations

from tests import zoom_payloads as zp
from tests.callbacks.test_callback_ladder import T0, join_group
from tests.conftest import Harness


async def test_applied_events_leave_the_inbox(harness: Harness) -> None:
    h = harness
    await join_group(h)
    assert (await h.zoom(zp.disconnected(T0, "pu-rowan-1", "Rowan T"))).status_code == 200
    await h.settle()
    roster = {p["participant"]: p["status"] for p in (await h.roster())["people"]}
    assert roster == {"pu-casey-1": "present", "pu-rowan-1": "gone", "pu-lead": "present"}
    r = h.tether.redis
    assert await r.xlen("{tether}:inbox") == 0
    assert await r.xrange("{tether}:inbox") == []
    (group,) = await r.xinfo_groups("{tether}:inbox")
    assert group["pending"] == 0
