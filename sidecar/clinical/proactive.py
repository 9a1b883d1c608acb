"""Proactive check-ins after a high-risk disclosure (pure): when one is offered, the time
the form suggests, and the program's settings for them.

docs/sources.md §1.2 supports structured follow-up telephone contact after a crisis (the
Safety Planning Intervention with follow-up calls); a short caring text is the lighter
form. The suggestion is "tomorrow at 10:00" in the program's zone,
which the clinician confirms or changes; the overdue window is elapsed time after it.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

from sidecar.clinical.cssrs import Level

OFFERED_AT = frozenset({Level.MODERATE, Level.HIGH, Level.EMERGENCY})
DEFAULT_TEXT = "Your care team is checking in. Reply 1 if you're OK, 2 if you'd like a call."


class ProactivePolicy(BaseModel):
    """The program's settings: the suggested time of day (the next day), how long after its
    time a check-in not marked done raises an overdue alert, the text the client gets (no
    names, no diagnosis: anyone may read a phone's screen), and whether the clinician it is
    assigned to gets a text when it is due."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    suggested_time: str = Field(default="10:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    overdue_minutes: int = Field(default=120, ge=5, le=7 * 24 * 60)
    client_text: str = Field(default=DEFAULT_TEXT, min_length=1, max_length=320)
    text_clinician: bool = True


def offered(level: Level | None) -> bool:
    """A moderate or high screen (or an emergency) offers a check-in the next day."""
    return level in OFFERED_AT


def suggested_ms(now_ms: int, time_zone: str, at: str) -> int:
    """Tomorrow at ``at`` (HH:MM) in the program's zone, as epoch ms."""
    zone = ZoneInfo(time_zone)
    today = datetime.fromtimestamp(now_ms / 1000, tz=UTC).astimezone(zone).date()
    hour, minute = (int(p) for p in at.split(":"))
    local = datetime.combine(today + timedelta(days=1), time(hour, minute), tzinfo=zone)
    return int(local.timestamp() * 1000)


def overdue_at_ms(due_ms: int, policy: ProactivePolicy) -> int:
    return due_ms + policy.overdue_minutes * 60_000


def local_ms(text: str, time_zone: str) -> int:
    """"2026-12-03T10:00" read in the program's zone, as epoch ms (ValueError if not a time)."""
    at = datetime.fromisoformat(text)
    if at.tzinfo is not None:
        raise ValueError("give the local time without a zone")
    return int(at.replace(tzinfo=ZoneInfo(time_zone)).timestamp() * 1000)


def local_text(ms: int, time_zone: str) -> str:
    """Epoch ms as "2026-12-03T10:00" in the program's zone (what a time field shows)."""
    return datetime.fromtimestamp(ms / 1000, tz=ZoneInfo(time_zone)).strftime("%Y-%m-%dT%H:%M")
