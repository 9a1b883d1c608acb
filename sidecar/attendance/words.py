"""An attendance record in the words people read (pure): "Present 84 of 90 minutes",
"Dropped twice; reached by phone". Never an id or an enum value."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sidecar.attendance.model import ClientAttendance, DropOutcome, LocationSource

OUTCOMES: dict[DropOutcome, str] = {
    "reached": "reached by phone",
    "support_reached": "their support person was reached by phone",
    "rejoined": "rejoined the group",
    "client_ok": "texted that they were OK",
    "not_reached": "not reached by phone",
    "taken_by_staff": "a clinician took the call",
    "under_way": "callback under way",
    "no_callback": "no callback",
}
LOCATIONS: dict[LocationSource, str] = {
    "check_in": "Location from this session's check-in",
    "moved_since_check_in": "Moved since checking in",
    "record_on_file": "Location from the record on file",
}


def _times(n: int) -> str:
    return {1: "once", 2: "twice"}.get(n, f"{n} times")


def presence(row: ClientAttendance, session_minutes: int) -> str:
    if row.joined_ms is None:
        return "Did not attend" if row.expected else "Not present"
    return f"Present {row.minutes_present} of {session_minutes} minutes"


def drops(row: ClientAttendance) -> str:
    if not row.drops:
        return "No drops"
    seen: list[str] = []
    for d in row.drops:
        words = OUTCOMES[d.outcome]
        if words not in seen:
            seen.append(words)
    return f"Dropped {_times(len(row.drops))}; " + "; ".join(seen)


def checkin(row: ClientAttendance, zone: ZoneInfo) -> str:
    if row.checked_in_ms is None:
        return "Did not check in"
    return f"Checked in at {clock_time(row.checked_in_ms, zone)}"


def callback(row: ClientAttendance) -> str:
    confirmed = "confirmed" if row.callback_confirmed else "not confirmed"
    return f"Callback number {confirmed}"


def local(ms: int, zone: ZoneInfo) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC).astimezone(zone)


def clock_time(ms: int | None, zone: ZoneInfo) -> str:
    return local(ms, zone).strftime("%H:%M") if ms is not None else ""


def day(ms: int, zone: ZoneInfo) -> str:
    return local(ms, zone).strftime("%Y-%m-%d")
