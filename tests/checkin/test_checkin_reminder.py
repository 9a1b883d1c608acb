"""Check-in enforcement (warn): a present client without a check-in raises an alert once
the grace (5 minutes by default) is over; one who checked in does not."""

from __future__ import annotations

from tests.callbacks.test_callback_ladder import join_group
from tests.checkin.test_checkin import GOOD, link
from tests.conftest import Harness, eventually


async def test_missing_checkin_raises_one_alert_after_the_grace(harness: Harness) -> None:
    h = harness
    await join_group(h)
    await h.settle()
    token = (await link(h, "client-002")).split("t=", 1)[1]
    assert (await h.http.post(f"{h.base}/api/checkin?t={token}", json=GOOD)).status_code == 200
    await h.advance(299)
    assert "alert.checkin_missing" not in await h.kinds()
    await h.advance(2)

    async def alerted() -> bool:
        return "alert.checkin_missing" in await h.kinds()

    await eventually(alerted, timeout=5)
    for _ in range(5):  # retries, if any, would land in these minutes
        await h.advance(120)
        await h.settle()
    alerts = [e["data"]["client"] for e in await h.timeline()
              if e["kind"] == "alert.checkin_missing"]
    assert alerts == ["client-001"]  # Casey did not check in; Rowan did; staff never alert
