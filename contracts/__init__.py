"""The language Tether's parts speak: normalized meeting events and commands.

Pure data, no I/O. Bump ``SCHEMA_VERSION`` and note it in CHANGELOG.md whenever the
exported JSON Schema changes shape.
"""

from contracts.commands import Command, command_adapter
from contracts.events import Event, EventEnvelope, LeaveReason, event_adapter
from contracts.ids import ClientId, MeetingId, ParticipantId, Platform, StaffId

SCHEMA_VERSION = "1.0"

__all__ = [
    "SCHEMA_VERSION",
    "ClientId",
    "Command",
    "Event",
    "EventEnvelope",
    "LeaveReason",
    "MeetingId",
    "ParticipantId",
    "Platform",
    "StaffId",
    "command_adapter",
    "event_adapter",
]
