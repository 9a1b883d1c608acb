"""A session's record from timeline entries as the meeting keeps them (pure), and the words
people read: "Present 84 of 90 minutes", "Dropped twice; reached by phone"."""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from sidecar.attendance import words
from sidecar.attendance.record import session_record
from sidecar.attendance.views import BadRange, day_range, ms_range

START = 1_800_000_000_000
M = 60_000


def e(kind: str, at: int, **data: Any) -> dict[str, Any]:
    return {"id": f"{at}-0", "kind": kind, "at": at, "data": data}


def roster(at: int, participant: str, client: str | None, status: str, reason: str = ""
           ) -> dict[str, Any]:
    return e("roster", at, participant=participant, client=client, status=status,
             reason=reason, room="", since=at, identity="client" if client else "unknown",
             display_name="sealed")


STORY = [
    e("meeting.started", START),
    roster(START + 2 * M, "p1", "client-001", "present"),
    e("checkin.submitted", START + 3 * M, client="client-001"),
    roster(START + 20 * M, "p1", "client-001", "gone", "disconnected"),
    e("alert.disconnected", START + 20 * M, subject="client:client-001", participant="p1"),
    e("ladder.dialing", START + 20 * M + 10_000, subject="client:client-001"),
    e("ladder.answered", START + 21 * M, subject="client:client-001", target="client",
      reached=True),
    roster(START + 22 * M, "p2", "client-001", "present"),
    e("presence.late", START + 40 * M, participant="p2", status="gone",
      reason="disconnected"),
    e("alert.disconnected", START + 40 * M, subject="client:client-001", participant="p2"),
    e("ladder.stopped", START + 41 * M, subject="client:client-001", reason="rejoined"),
    roster(START + 41 * M, "p3", None, "present"),
    e("participant.linked", START + 42 * M, participant="p3", client="client-001"),
    roster(START + 5 * M, "p9", "client-003", "present"),  # came, not expected
    e("meeting.ended", START + 90 * M),
]
META = {"started_at": str(START), "ended_at": str(START + 90 * M)}


def test_a_whole_session() -> None:
    r = session_record("mtg", "81234567890", STORY, META, ["client-001", "client-002"],
                       START + 91 * M)
    assert [c.client for c in r.clients] == ["client-001", "client-002", "client-003"]
    casey, rowan, emery = r.clients
    # 2-20, 22-40 (the late drop still counts), 41-90: 18 + 18 + 49
    assert casey.minutes_present == 85 and r.session_minutes == 90
    assert casey.joined_ms == START + 2 * M and casey.left_ms == START + 90 * M
    assert [d.outcome for d in casey.drops] == ["reached", "rejoined"]
    assert casey.checked_in_ms == START + 3 * M and casey.location_source == "check_in"
    assert casey.callback_confirmed
    assert rowan.joined_ms is None and rowan.minutes_present == 0 and rowan.expected
    assert rowan.location_source == "record_on_file" and not rowan.callback_confirmed
    assert not emery.expected and emery.minutes_present == 85
    assert words.presence(casey, 90) == "Present 85 of 90 minutes"
    assert words.drops(casey) == "Dropped twice; reached by phone; rejoined the group"
    assert words.presence(rowan, 90) == "Did not attend"
    assert words.drops(rowan) == "No drops"
    assert words.checkin(casey, ZoneInfo("America/Chicago")).startswith("Checked in at ")
    stored = r.model_dump_json()
    assert "sealed" not in stored and "Casey" not in stored  # ids, times and outcomes only


def test_a_running_session_counts_to_now() -> None:
    running = [x for x in STORY if x["at"] <= START + 30 * M and x["kind"] != "meeting.ended"]
    r = session_record("mtg", "81234567890", running, {"started_at": str(START)},
                       ["client-001"], START + 30 * M)
    casey = r.clients[0]
    assert r.ended_ms is None and r.session_minutes == 30
    assert casey.minutes_present == 18 + 8 and casey.left_ms is None  # still there
    assert [d.outcome for d in casey.drops] == ["reached"]


def test_a_drop_with_its_ladder_still_going() -> None:
    story = [roster(START, "p1", "client-002", "present"),
             roster(START + 5 * M, "p1", "client-002", "gone", "disconnected"),
             e("alert.disconnected", START + 5 * M, subject="client:client-002"),
             e("ladder.acknowledged", START + 6 * M, subject="client:client-002")]
    r = session_record("mtg", "81234567890", story, {}, ["client-002"], START + 10 * M)
    row = r.clients[0]
    assert [d.outcome for d in row.drops] == ["taken_by_staff"]
    assert words.drops(row) == "Dropped once; a clinician took the call"
    assert row.left_ms == START + 5 * M and row.minutes_present == 5


def test_a_date_range_is_read_in_words() -> None:
    zone = ZoneInfo("America/Chicago")
    today = date(2027, 1, 15)
    assert day_range("", "", zone, today) == (date(2026, 12, 16), today)
    first, last = day_range("2027-01-15", "2027-01-15", zone, today)
    start, end = ms_range(first, last, zone)
    assert end - start == 24 * 3600 * 1000
    for bad in (("9999-12-31", "9999-12-31"), ("0001-01-01", "2027-01-01"),
                ("2027-01-01", "2028-06-01"), ("soon", "")):
        with pytest.raises(BadRange):
            day_range(*bad, zone, today)
