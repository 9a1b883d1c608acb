"""Identifier types. A meeting is one platform meeting *instance* (Zoom's uuid)."""

from typing import Literal, NewType

MeetingId = NewType("MeetingId", str)
"""Platform meeting instance id (Zoom ``object.uuid``; Jitsi room@conference)."""

MeetingNumber = NewType("MeetingNumber", str)
"""The stable meeting number a program schedules (Zoom ``object.id``)."""

ParticipantId = NewType("ParticipantId", str)
"""Participant within one meeting instance (Zoom ``participant_uuid``)."""

ClientId = NewType("ClientId", str)
StaffId = NewType("StaffId", str)

Platform = Literal["zoom", "jitsi"]


def jitsi_meeting_id(room: str, local_day: str) -> str:
    """A Jitsi session: the room on one day of the program's calendar ("YYYY-MM-DD" in the
    program's time zone). Known before the room exists, so a client can check in first."""
    return f"{room}~{local_day}"
