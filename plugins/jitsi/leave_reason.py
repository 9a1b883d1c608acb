"""The module's leave reasons, as contract leave reasons."""

from __future__ import annotations

from contracts.events import LeaveReason

_FIXED: dict[str, LeaveReason] = {
    "left": LeaveReason.LEFT,
    "kicked": LeaveReason.REMOVED_BY_HOST,
    "disconnected": LeaveReason.DISCONNECTED,
    "room_destroyed": LeaveReason.MEETING_ENDED,
}


def classify(reason: str, *, in_breakout: bool) -> LeaveReason:
    """``switch_room`` is a move: out of a breakout room it goes to the main room (or to
    another breakout room, which the roster treats alike), out of the main room to a
    breakout room. Anything else we do not know is ``unknown`` (the default policy calls)."""
    if reason == "switch_room":
        return LeaveReason.MOVED_TO_MAIN if in_breakout else LeaveReason.MOVED_TO_BREAKOUT
    return _FIXED.get(reason, LeaveReason.UNKNOWN)
