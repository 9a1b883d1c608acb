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
