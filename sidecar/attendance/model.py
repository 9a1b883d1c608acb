"""An attendance record as stored: ids, times, minutes, booleans and outcome words only,
never a name or a number (a page names people from the client record when it is read)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

# how a drop's callback ended, in the ladder's own terms (the pages turn them into words)
DropOutcome = Literal["reached", "support_reached", "rejoined", "client_ok", "not_reached",
                      "taken_by_staff", "under_way", "no_callback"]
LocationSource = Literal["check_in", "moved_since_check_in", "record_on_file"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Drop(_Frozen):
    at_ms: int
    outcome: DropOutcome


class ClientAttendance(_Frozen):
    client: str
    expected: bool  # the group expects them (else: they came without being expected)
    joined_ms: int | None  # first present in the session
    left_ms: int | None  # last gone (None: still there when the record was made)
    present_ms: int
    minutes_present: int
    checked_in_ms: int | None
    location_source: LocationSource
    callback_confirmed: bool  # they confirmed their callback number at check-in
    drops: list[Drop] = []


class SessionAttendance(_Frozen):
    meeting: str  # the meeting instance (a Zoom meeting uuid, a Jitsi room's day)
    group: str  # the group's first number: its Zoom meeting number, else its Jitsi room
    started_ms: int
    ended_ms: int | None  # None: running when recorded
    session_minutes: int
    recorded_ms: int
    clients: list[ClientAttendance]
