"""The check-in's suggested time and the offer (pure): tomorrow at the program's time of
day in its zone, across a daylight-saving change too; offered from a moderate screen up."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from sidecar.clinical.cssrs import Level
from sidecar.clinical.proactive import (
    ProactivePolicy,
    local_ms,
    local_text,
    offered,
    overdue_at_ms,
    suggested_ms,
)

CHICAGO = "America/Chicago"


def ms(text: str, zone: str = CHICAGO) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(zone)).timestamp() * 1000)


@pytest.mark.parametrize(("now", "expected"), [
    ("2026-12-02T09:00", "2026-12-03T10:00"),
    ("2026-12-02T23:59", "2026-12-03T10:00"),  # late at night: still the next day
    ("2026-10-31T15:00", "2026-11-01T10:00"),  # the night the clocks go back
    ("2026-03-07T15:00", "2026-03-08T10:00"),  # and forward
])
def test_tomorrow_at_ten_local(now: str, expected: str) -> None:
    got = suggested_ms(ms(now), CHICAGO, "10:00")
    assert got == ms(expected) and local_text(got, CHICAGO) == expected


def test_local_round_trip_and_refusals() -> None:
    assert local_ms("2026-12-03T10:00", CHICAGO) == ms("2026-12-03T10:00")
    with pytest.raises(ValueError):
        local_ms("2026-12-03T10:00+00:00", CHICAGO)
    with pytest.raises(ValueError):
        local_ms("tomorrow", CHICAGO)


def test_offered_from_moderate_up_and_the_window() -> None:
    assert [lvl for lvl in Level if offered(lvl)] == [Level.MODERATE, Level.HIGH,
                                                      Level.EMERGENCY]
    assert not offered(None)
    assert overdue_at_ms(1000, ProactivePolicy(overdue_minutes=30)) == 1000 + 30 * 60_000
    with pytest.raises(ValueError):
        ProactivePolicy(suggested_time="25:00")
