"""Who is on call now: shifts in the program's zone, past midnight, across DST changes."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from sidecar.infra.config import ProgramConfig
from sidecar.records.oncall import covering_shifts, on_call_now
from tests.conftest import program_config

CHICAGO = "America/Chicago"
NIGHT = {"staff": "lead-avery", "days": ["sat"], "start": "22:00", "end": "06:00"}
DAYS = {"staff": "cofac-morgan", "days": ["mon", "tue", "wed", "thu", "fri"],
        "start": "09:00", "end": "17:00"}


def config(*shifts: dict[str, Any], zone: str = CHICAGO) -> ProgramConfig:
    return program_config({"on_call_schedule": list(shifts),
                           "program": {"name": "Harbor Light Evening IOP", "time_zone": zone}})


def ms(year: int, month: int, day: int, hour: int, minute: int = 0, *, zone: str = CHICAGO,
       fold: int = 0) -> int:
    local = datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(zone), fold=fold)
    return int(local.timestamp() * 1000)


def who(cfg: ProgramConfig, now_ms: int) -> list[str]:
    return [s.id for s in on_call_now(cfg, now_ms)]


def test_a_day_shift_covers_its_hours_and_nothing_else() -> None:
    cfg = config(DAYS)
    assert who(cfg, ms(2026, 9, 14, 9)) == ["cofac-morgan"]  # Monday 09:00: start included
    assert who(cfg, ms(2026, 9, 14, 16, 59)) == ["cofac-morgan"]
    assert who(cfg, ms(2026, 9, 14, 17)) == ["oncall-riley"]  # end excluded: the role
    assert who(cfg, ms(2026, 9, 19, 12)) == ["oncall-riley"]  # Saturday


def test_without_a_schedule_the_on_call_role_answers() -> None:
    cfg = config()
    assert who(cfg, ms(2026, 9, 14, 12)) == ["oncall-riley"]
    assert covering_shifts(cfg, ms(2026, 9, 14, 12)) == []


@pytest.mark.parametrize(("when", "on"), [
    ((2026, 9, 19, 21, 59), False),  # Saturday before the start
    ((2026, 9, 19, 22, 0), True),
    ((2026, 9, 19, 23, 59), True),
    ((2026, 9, 20, 0, 0), True),  # Sunday after midnight: still Saturday's shift
    ((2026, 9, 20, 5, 59), True),
    ((2026, 9, 20, 6, 0), False),
    ((2026, 9, 20, 22, 30), False),  # Sunday night: the shift is Saturday's only
    ((2026, 9, 19, 3, 0), False),  # Saturday early morning belongs to Friday
])
def test_a_night_shift_runs_past_midnight_and_belongs_to_its_start_day(
        when: tuple[int, int, int, int, int], on: bool) -> None:
    expected = ["lead-avery"] if on else ["oncall-riley"]
    assert who(config(NIGHT), ms(*when)) == expected


def test_a_shift_to_24_00_ends_at_midnight() -> None:
    cfg = config({"staff": "lead-avery", "days": ["fri"], "start": "18:00", "end": "24:00"})
    assert who(cfg, ms(2026, 9, 18, 23, 59)) == ["lead-avery"]
    assert who(cfg, ms(2026, 9, 19, 0, 0)) == ["oncall-riley"]


def test_a_shift_ending_where_it_starts_runs_a_whole_day() -> None:
    cfg = config({"staff": "lead-avery", "days": ["sun"], "start": "08:00", "end": "08:00"})
    assert who(cfg, ms(2026, 9, 20, 8)) == ["lead-avery"]
    assert who(cfg, ms(2026, 9, 21, 7, 59)) == ["lead-avery"]
    assert who(cfg, ms(2026, 9, 21, 8)) == ["oncall-riley"]


def test_overlapping_shifts_name_everyone_once_in_schedule_order() -> None:
    cfg = config(DAYS, {**NIGHT, "days": ["mon"], "start": "16:00", "end": "02:00"},
                 {**DAYS, "start": "12:00"})
    assert who(cfg, ms(2026, 9, 14, 16, 30)) == ["cofac-morgan", "lead-avery"]


def minutes_covered(cfg: ProgramConfig, start_ms: int, hours: int) -> int:
    steps = range(0, hours * 60)
    return sum(who(cfg, start_ms + m * 60_000) == ["lead-avery"] for m in steps)


def test_spring_forward_shortens_a_night_shift_to_the_wall_clock() -> None:
    """2026-03-08, Chicago: 02:00 CST becomes 03:00 CDT; Saturday 22:00 to Sunday 06:00 on
    the wall is 7 hours long."""
    cfg = config(NIGHT)
    assert minutes_covered(cfg, ms(2026, 3, 7, 20), 14) == 7 * 60
    assert who(cfg, ms(2026, 3, 8, 5, 59)) == ["lead-avery"]  # CDT
    assert who(cfg, ms(2026, 3, 8, 6, 0)) == ["oncall-riley"]
    assert who(cfg, ms(2026, 3, 8, 1, 59) + 60_000) == ["lead-avery"]  # 03:00 CDT


def test_fall_back_lengthens_a_night_shift_and_repeats_its_hour() -> None:
    """2026-11-01, Chicago: 02:00 CDT becomes 01:00 CST; the same shift is 9 hours long and
    both 01:30s are covered."""
    cfg = config(NIGHT)
    assert minutes_covered(cfg, ms(2026, 10, 31, 20), 14) == 9 * 60
    first, second = ms(2026, 11, 1, 1, 30), ms(2026, 11, 1, 1, 30, fold=1)
    assert second - first == 3_600_000
    assert who(cfg, first) == who(cfg, second) == ["lead-avery"]


def test_a_shift_inside_the_skipped_hour_never_covers_that_night() -> None:
    cfg = config({"staff": "lead-avery", "days": ["sun"], "start": "02:00", "end": "03:00"})
    assert minutes_covered(cfg, ms(2026, 3, 8, 0), 6) == 0  # 02:00-03:00 does not exist
    assert minutes_covered(cfg, ms(2026, 3, 15, 0), 6) == 60  # a week later it does


@pytest.mark.parametrize(("zone", "on"), [
    (CHICAGO, False),  # Friday 2026-09-18 15:00 UTC is 10:00 in Chicago
    ("UTC", False),  # 15:00
    ("Asia/Kolkata", True),  # 20:30: a half-hour offset
    ("Australia/Sydney", False),  # Saturday 01:00
    ("Pacific/Auckland", False),  # Saturday 03:00
])
def test_the_programs_time_zone_decides(zone: str, on: bool) -> None:
    shift = {"staff": "lead-avery", "days": ["fri"], "start": "20:30", "end": "23:00"}
    now = int(datetime(2026, 9, 18, 15, 0, tzinfo=ZoneInfo("UTC")).timestamp() * 1000)
    assert (who(config(shift, zone=zone), now) == ["lead-avery"]) is on


def test_the_same_instant_falls_on_different_days_in_different_zones() -> None:
    shift = {"staff": "lead-avery", "days": ["sat"], "start": "00:00", "end": "24:00"}
    now = ms(2026, 9, 18, 22, zone="UTC")  # Friday 22:00 UTC
    assert who(config(shift, zone="UTC"), now) == ["oncall-riley"]
    assert who(config(shift, zone="Australia/Sydney"), now) == ["lead-avery"]  # Sat 08:00
    assert who(config(shift, zone=CHICAGO), now) == ["oncall-riley"]  # Friday 17:00
