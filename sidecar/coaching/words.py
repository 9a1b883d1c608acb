"""Times and names as the coaching screens say them, in the program's time zone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sidecar.infra.config import ProgramConfig


def local(config: ProgramConfig, ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC).astimezone(ZoneInfo(config.program.time_zone))


def iso(config: ProgramConfig, ms: int | None) -> str | None:
    return None if ms is None else local(config, ms).isoformat(timespec="minutes")


def read_words(config: ProgramConfig, ms: int | None) -> str:
    """"read Tue 14:05", or "not read yet"."""
    return "not read yet" if ms is None else "read " + local(config, ms).strftime("%a %H:%M")


def by_name(config: ProgramConfig, actor: str | None) -> str | None:
    """A staff member's name; "Tether" for the defaults; "someone no longer on staff"."""
    if not actor:
        return None
    if actor == "tether":
        return "Tether"
    person = config.staff_by_id(actor)
    return person.name if person else "someone no longer on the staff list"
