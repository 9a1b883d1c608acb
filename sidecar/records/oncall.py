"""Who is on call now, from the program's schedule (pure).

Shifts are in wall-clock time of the program's zone: a shift from 22:00 to 06:00 ends at
06:00 on the clock on the wall, so on the night DST starts it is an hour shorter and on the
night it ends an hour longer, as the person holding the phone lives it. A shift whose end is
before (or equal to) its start runs past midnight and belongs to the day it starts on.
When no shift covers the moment, everyone with the ``on_call`` role is on call.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sidecar.infra.config import WEEKDAYS, OnCallShift, ProgramConfig, Staff

_DAY_MIN = 24 * 60


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def local_time(config: ProgramConfig, now_ms: int) -> datetime:
    return datetime.fromtimestamp(now_ms / 1000, UTC).astimezone(
        ZoneInfo(config.program.time_zone))


def covers(shift: OnCallShift, local: datetime) -> bool:
    """Whether ``shift`` covers the wall-clock moment ``local``."""
    start, end = _minutes(shift.start), _minutes(shift.end)
    now = local.hour * 60 + local.minute
    today = WEEKDAYS[local.weekday()]
    if start < end:
        return today in shift.days and start <= now < end
    yesterday = WEEKDAYS[(local - timedelta(days=1)).weekday()]
    return (today in shift.days and now >= start) or (yesterday in shift.days and now < end)


def covering_shifts(config: ProgramConfig, now_ms: int) -> list[OnCallShift]:
    local = local_time(config, now_ms)
    return [s for s in config.on_call_schedule if covers(s, local)]


def on_call_now(config: ProgramConfig, now_ms: int) -> list[Staff]:
    """The staff on a shift now (schedule order, each once); else the ``on_call`` role."""
    ids = list(dict.fromkeys(s.staff for s in covering_shifts(config, now_ms)))
    staff = [s for i in ids if (s := config.staff_by_id(i)) is not None and s.active]
    return staff or config.on_call()
