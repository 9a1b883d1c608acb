"""When a group meets today, from its weekly schedule (pure).

Times are wall-clock times in the group's zone (the program's unless the group names one);
a session whose end is before its start runs past midnight and belongs to the day it
starts on.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sidecar.infra.config import WEEKDAYS, GroupSession, Meeting, ProgramConfig


def zone_of(config: ProgramConfig, group: Meeting) -> ZoneInfo:
    return ZoneInfo(group.time_zone or config.program.time_zone)


def today(config: ProgramConfig, group: Meeting, now_ms: int) -> list[GroupSession]:
    """The group's sessions that start on today's date where the group meets."""
    local = datetime.fromtimestamp(now_ms / 1000, UTC).astimezone(zone_of(config, group))
    day = WEEKDAYS[local.weekday()]
    return sorted((s for s in group.schedule if day in s.days), key=lambda s: s.start)
