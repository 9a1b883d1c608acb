"""The roster's same-second rule, case by case (pure): a room move keeps a person present,
a real drop right after joining is never lost, and the order of arrival never matters."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import permutations

import pytest

from contracts.events import EventEnvelope, LeaveReason, ParticipantJoined, ParticipantLeft, Person
from sidecar.presence.roster import PersonState, apply

WHO = Person(participant="pu-casey-1", display_name="Casey B")
SECOND = 1_800_000_000_000  # a whole second, in ms


def env(at_ms: int, event: ParticipantJoined | ParticipantLeft) -> EventEnvelope:
    return EventEnvelope(id=f"e{at_ms}-{event.type}", platform="zoom", meeting="mT3x==",
                         meeting_number="81234567890",
                         occurred_at=datetime.fromtimestamp(at_ms / 1000, tz=UTC), event=event)


def joined(at_ms: int) -> EventEnvelope:
    return env(at_ms, ParticipantJoined(person=WHO))


def left(at_ms: int, reason: LeaveReason) -> EventEnvelope:
    return env(at_ms, ParticipantLeft(person=WHO, reason=reason))


def settle(events: list[EventEnvelope]) -> PersonState | None:
    state = None
    for e in events:
        state = apply(state, e, "client:client-001") or state
    return state


@pytest.mark.parametrize(("reason", "status"), [
    (LeaveReason.DISCONNECTED, "gone"),  # dropped 300 ms after joining: a callback is due
    (LeaveReason.LEFT, "gone"),
    (LeaveReason.REMOVED_BY_HOST, "gone"),
    (LeaveReason.MOVED_TO_BREAKOUT, "present"),  # Zoom's leave/join pair for a room move
    (LeaveReason.MOVED_TO_MAIN, "present"),
    (LeaveReason.UNKNOWN, "present"),  # no reason: it may be a move, the join decides
])
def test_a_leave_and_a_join_in_the_same_second(reason: LeaveReason, status: str) -> None:
    events = [joined(SECOND + 600), left(SECOND + 300, reason)]  # stamps in either order
    outcomes = {settle(list(p)).status for p in permutations(events)}  # type: ignore[union-attr]
    assert outcomes == {status}


def test_a_drop_in_the_next_second_always_wins_and_a_later_join_too() -> None:
    events = [joined(SECOND + 900), left(SECOND + 1_100, LeaveReason.MOVED_TO_BREAKOUT),
              joined(SECOND + 5_000)]
    for p in permutations(events):
        assert settle(list(p)).status == "present"  # type: ignore[union-attr]
    drop = [joined(SECOND + 900), left(SECOND + 1_100, LeaveReason.DISCONNECTED)]
    for p in permutations(drop):
        assert settle(list(p)).status == "gone"  # type: ignore[union-attr]


def test_a_roster_record_reads_back_as_written_and_is_stored_compactly() -> None:
    """What the state hash holds per person: the main room and no reason are left out of
    the stored JSON (memory per meeting), and still read back as they were."""
    in_main = PersonState("pu-1", "sealed-name", "client:client-001", "present", 1_000)
    in_room = PersonState("pu-1", "sealed-name", "client:client-001", "gone", 2_000,
                          "left", "Room 2", 1_500, 1)
    for person in (in_main, in_room):
        assert PersonState.from_json(person.to_json()) == person
    assert "room" not in in_main.to_json() and "reason" not in in_main.to_json()
    assert PersonState.from_json(  # a record written before, with every field
        '{"participant":"pu-1","display_name":"sealed-name","subject":"client:client-001",'
        '"status":"present","at_ms":1000,"reason":"","room":"","room_at_ms":0,'
        '"room_rank":0}') == in_main
