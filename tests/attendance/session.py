"""A whole Zoom session through the real webhook edge, for the attendance tests: Casey joins,
drops and rejoins within the grace, Rowan comes, checks in and leaves early, Emery never
comes."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from sidecar.attendance.model import SessionAttendance
from tests import zoom_payloads as zp
from tests.checkin.test_checkin import GOOD, link
from tests.conftest import Harness, eventually

GROUP = zp.MEETING_NUMBER
DAY = "2027-01-15"  # the fake clock's day in the program's zone (Chicago)


async def _at(h: Harness, start_ms: int, seconds: float, body: dict[str, Any]) -> None:
    now_ms = int(h.clock.now() * 1000)
    target = start_ms + int(seconds * 1000)
    if target > now_ms:
        await h.advance((target - now_ms) / 1000)
    assert (await h.zoom(body)).status_code == 200
    await h.settle()


async def whole_session(h: Harness) -> SessionAttendance:
    t0 = int(h.clock.now() * 1000)
    for s, body in [
        (0, zp.meeting_event("meeting.started", t0)),
        (60, zp.joined(t0 + 60_000, "pA", "Casey B")),
        (120, zp.joined(t0 + 120_000, "pR", "Rowan T")),
        (1200, zp.disconnected(t0 + 1_200_000, "pA", "Casey B")),
        (1205, zp.joined(t0 + 1_205_000, "pB", "Casey B")),  # back within the grace
        (4800, zp.left(t0 + 4_800_000, "pR", "Rowan T")),
        (5400, zp.meeting_event("meeting.ended", t0 + 5_400_000)),
    ]:
        await _at(h, t0, s, body)
        if s == 120:  # Rowan checks in by the texted link
            token = (await link(h, "client-002")).split("t=", 1)[1]
            r = await h.http.post(f"{h.base}/api/checkin?t={token}", json=GOOD)
            assert r.status_code == 200, r.text
    store = h.app[_attendance_key()].store

    async def recorded() -> bool:
        found = await store.get(zp.MEETING_UUID)
        return found is not None and found.ended_ms is not None
    await eventually(recorded, timeout=10)
    found = await store.get(zp.MEETING_UUID)
    assert found is not None
    return found


def _attendance_key() -> Any:
    from sidecar.attendance.deps import ATTENDANCE
    return ATTENDANCE


def meeting_path() -> str:
    return quote(zp.MEETING_UUID, safe="")
