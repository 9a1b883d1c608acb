"""After-action due times across day boundaries, zones and DST; overdue tasks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from sidecar.clinical.aftercare import (
    AfterActionTask,
    AftercarePolicy,
    TaskKind,
    end_of_local_day,
    overdue,
    schedule,
)

H = 3_600_000
NY = "America/New_York"


def test_end_of_day_in_utc() -> None:
    # 2026-01-01T12:00Z -> 2026-01-02T00:00Z
    assert end_of_local_day(1_767_268_800_000, "UTC") == 1_767_312_000_000


def test_end_of_day_is_the_local_day_not_the_utc_day() -> None:
    # 2026-03-08T03:30Z is 22:30 EST on 7 March: due at midnight EST, 2026-03-08T05:00Z.
    assert end_of_local_day(1_772_940_600_000, NY) == 1_772_946_000_000


def test_spring_forward_day_is_23_hours() -> None:
    # 2026-03-08T06:30Z is 01:30 EST on the DST day; next midnight is EDT: 2026-03-09T04:00Z.
    closed = 1_772_951_400_000
    assert end_of_local_day(closed, NY) == 1_773_028_800_000
    assert end_of_local_day(closed, NY) - closed == 21 * H + H // 2


def test_fall_back_day_is_25_hours() -> None:
    # 2026-11-01T04:30Z is 00:30 EDT; next midnight is EST: 2026-11-02T05:00Z, 24.5 h later.
    closed = 1_793_507_400_000
    assert end_of_local_day(closed, NY) == 1_793_595_600_000
    # Both 01:30s of the repeated hour (05:30Z EDT, 06:30Z EST) are still 1 November.
    assert end_of_local_day(closed + H, NY) == 1_793_595_600_000
    assert end_of_local_day(closed + 2 * H, NY) == 1_793_595_600_000


def test_same_instant_different_zones() -> None:
    instant = 1_768_507_200_000  # 2026-01-15T20:00Z
    # Auckland (NZDT, +13): 09:00 on 16 Jan -> midnight starting 17 Jan = 2026-01-16T11:00Z.
    assert end_of_local_day(instant, "Pacific/Auckland") == 1_768_561_200_000
    # Los Angeles (PST, -8): 12:00 on 15 Jan -> midnight starting 16 Jan = 2026-01-16T08:00Z.
    assert end_of_local_day(instant, "America/Los_Angeles") == 1_768_550_400_000


def test_skipped_midnight_resolves_to_the_first_instant_of_the_day() -> None:
    # Santiago springs forward at midnight on 2026-09-06 (00:00 -04 becomes 01:00 -03).
    # Closed at noon on 5 September (16:00Z): the next day starts at 2026-09-06T04:00Z.
    assert end_of_local_day(1_788_624_000_000, "America/Santiago") == 1_788_667_200_000


def test_day_boundary_edges() -> None:
    midnight = 1_767_312_000_000  # 2026-01-02T00:00Z
    assert end_of_local_day(midnight - 1, "UTC") == midnight
    assert end_of_local_day(midnight, "UTC") == midnight + 24 * H


def test_unknown_zone() -> None:
    with pytest.raises(ValueError, match="unknown time zone 'Mars/Olympus'"):
        end_of_local_day(0, "Mars/Olympus")


def test_schedule_across_spring_forward() -> None:
    closed = 1_772_940_600_000  # 22:30 EST on 7 March 2026
    tasks = schedule(closed, NY, AftercarePolicy(), has_caregiver_consent=True)
    got = [(t.kind.value, t.not_before_ms - closed, t.due_ms - closed) for t in tasks]
    assert got == [
        ("documentation", 0, 90 * 60_000),  # midnight EST
        ("client_debrief", 0, 24 * H),
        ("team_huddle", 0, 24 * H),  # elapsed: 23:30 EDT on 8 March on the wall clock
        ("safety_plan_review", 0, 72 * H),
        ("caregiver_checkin", 24 * H, 72 * H),
        ("care_plan_update", 0, 168 * H),
    ]
    huddle = next(t for t in tasks if t.kind is TaskKind.TEAM_HUDDLE)
    assert huddle.due_ms == 1_773_027_000_000  # 2026-03-09T03:30Z


def test_no_caregiver_task_without_consent() -> None:
    tasks = schedule(1_772_940_600_000, NY, AftercarePolicy(), has_caregiver_consent=False)
    assert TaskKind.CAREGIVER_CHECKIN not in {t.kind for t in tasks}
    assert len(tasks) == 5


def test_policy_changes_the_windows() -> None:
    policy = AftercarePolicy(team_huddle_hours=4, caregiver_window_start_hours=48,
                             caregiver_window_end_hours=96)
    tasks = {t.kind: t for t in schedule(0, "UTC", policy, has_caregiver_consent=True)}
    assert tasks[TaskKind.TEAM_HUDDLE].due_ms == 4 * H
    care = tasks[TaskKind.CAREGIVER_CHECKIN]
    assert (care.not_before_ms, care.due_ms) == (48 * H, 96 * H)


@pytest.mark.parametrize(("start", "end"), [(72, 24), (24, 24)])
def test_caregiver_window_must_open_before_it_closes(start: int, end: int) -> None:
    with pytest.raises(ValidationError, match="open before it closes"):
        AftercarePolicy(caregiver_window_start_hours=start, caregiver_window_end_hours=end)


def test_overdue() -> None:
    closed = 1_772_940_600_000
    tasks = schedule(closed, NY, AftercarePolicy(), has_caregiver_consent=True)
    assert overdue(tasks, set(), closed) == []
    assert overdue(tasks, set(), 1_772_946_000_000 - 1) == []
    late = overdue(tasks, set(), 1_772_946_000_000)  # midnight EST: documentation is late
    assert [t.kind for t in late] == [TaskKind.DOCUMENTATION]
    after_a_day = overdue(tasks, {TaskKind.DOCUMENTATION, TaskKind.TEAM_HUDDLE}, closed + 24 * H)
    assert [t.kind for t in after_a_day] == [TaskKind.CLIENT_DEBRIEF]
    everything = overdue(tasks, set(), closed + 168 * H)
    assert len(everything) == 6
    assert overdue(tasks, set(TaskKind), closed + 1000 * H) == []


def test_tasks_are_frozen() -> None:
    task = AfterActionTask(kind=TaskKind.TEAM_HUDDLE, title="Team huddle", not_before_ms=0,
                           due_ms=1)
    with pytest.raises(ValidationError):
        task.due_ms = 2  # type: ignore[misc]


ZONES = ["UTC", NY, "America/Los_Angeles", "Pacific/Auckland", "Europe/London",
         "Asia/Kolkata", "Australia/Lord_Howe", "America/Santiago"]


@given(st.integers(min_value=1_735_689_600_000, max_value=1_830_297_600_000),  # 2025-2027
       st.sampled_from(ZONES))
def test_end_of_day_starts_the_next_local_day(ms: int, tz: str) -> None:
    zone = ZoneInfo(tz)
    local = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=ms)
    due = end_of_local_day(ms, tz)
    due_local = (datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=due)).astimezone(zone)
    assert 0 < due - ms <= 25 * H
    assert due_local.date() == local.astimezone(zone).date() + timedelta(days=1)
    just_before = (datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=due - 1))
    assert just_before.astimezone(zone).date() == local.astimezone(zone).date()
