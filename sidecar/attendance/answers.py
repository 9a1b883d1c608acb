"""What the attendance routes answer: sessions with each client's row, in words and
figures (names come from the client record at read time)."""

from __future__ import annotations

from sidecar.infra.apidoc import Reply


class DropRow(Reply):
    at_ms: int
    words: str  # "reached by phone"


class ClientRow(Reply):
    client: str
    name: str
    expected: bool
    joined_ms: int | None
    left_ms: int | None
    minutes_present: int
    presence: str  # "Present 84 of 90 minutes"
    checked_in_ms: int | None
    checkin: str  # "Checked in at 18:02" (the program's zone)
    location: str
    callback: str
    drops: list[DropRow]
    drops_words: str  # "Dropped twice; reached by phone"


class SessionRow(Reply):
    meeting: str
    group: str
    group_name: str
    day: str  # the session's date where the program is, 2026-12-01
    started_ms: int
    ended_ms: int | None
    running: bool
    session_minutes: int
    clients: list[ClientRow]


class GroupAttendance(Reply):
    group: str
    group_name: str
    from_day: str
    to_day: str
    time_zone: str
    sessions: list[SessionRow]


class ClientHistory(Reply):
    client: str
    name: str
    sessions: list[SessionRow]  # each with this client's row only
    time_zone: str


class Group(Reply):
    group: str  # what ?group= takes
    name: str


class Groups(Reply):
    groups: list[Group]
    time_zone: str
