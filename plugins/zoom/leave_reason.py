"""Classify Zoom's free-text ``leave_reason`` by substring (its wording varies)."""

from __future__ import annotations

from contracts.events import LeaveReason

# Order matters: "left the meeting to join breakout room" also contains "left the meeting".
_RULES: tuple[tuple[str, LeaveReason], ...] = (
    ("join breakout room", LeaveReason.MOVED_TO_BREAKOUT),
    ("to join main meeting", LeaveReason.MOVED_TO_MAIN),
    ("leave breakout room", LeaveReason.MOVED_TO_MAIN),
    ("removed by host", LeaveReason.REMOVED_BY_HOST),
    ("host ended", LeaveReason.MEETING_ENDED),
    ("host closed", LeaveReason.MEETING_ENDED),
    ("host started a new meeting", LeaveReason.MEETING_ENDED),
    ("waiting room", LeaveReason.LEFT_WAITING_ROOM),
    ("got disconnected", LeaveReason.DISCONNECTED),
    ("network connection error", LeaveReason.DISCONNECTED),
    ("client close", LeaveReason.DISCONNECTED),
    ("disconnect", LeaveReason.DISCONNECTED),
    ("left the meeting", LeaveReason.LEFT),
)


def classify(text: str) -> LeaveReason:
    lowered = text.lower()
    for needle, reason in _RULES:
        if needle in lowered:
            return reason
    return LeaveReason.UNKNOWN
