"""Minutes present from a generated event story: a client's true afternoon (in the main
room, in a breakout room, dropped, away) is turned into the platform's events (joins, room
moves, drops, rejoins under a new participant id, leaves), delivered in any order; the
minutes must be the true minutes, never more than the session, whatever the order."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from sidecar.attendance.minutes import Mark, minutes, present_ms

START = 1_800_000_000_000
States = st.sampled_from(["main", "breakout", "dropped", "away"])
Segments = st.lists(st.tuples(States, st.integers(1, 40 * 60)), min_size=1, max_size=12)
PRESENT = ("main", "breakout")


@dataclass
class Story:
    marks: list[Mark]
    start_ms: int
    end_ms: int
    truth_ms: int


def _story(segments: list[tuple[str, int]], lead_s: int, move_ms: int) -> Story:
    """The events a platform sends for these segments, and the true time present."""
    marks: list[Mark] = []
    t, truth, n, was = START + lead_s * 1000, 0, 0, "away"
    for state, seconds in segments:
        p = f"p{n}"
        if was in PRESENT and state in PRESENT and state != was:  # a room move, same second
            reason = "moved_to_breakout" if state == "breakout" else "moved_to_main"
            marks += [Mark(p, t, "gone", reason), Mark(p, t + move_ms, "present")]
        elif was in PRESENT and state not in PRESENT:
            marks.append(Mark(p, t, "gone", "disconnected" if state == "dropped" else "left"))
            n += 1
        elif was not in PRESENT and state in PRESENT:
            marks.append(Mark(f"p{n}", t, "present"))
        if state in PRESENT:
            truth += seconds * 1000
        t += seconds * 1000
        was = state
    return Story(marks, START, t, truth)


@settings(max_examples=300, deadline=None)
@given(Segments, st.integers(0, 600), st.integers(0, 999), st.data())
def test_true_minutes_in_any_delivery_order(segments: list[tuple[str, int]], lead_s: int,
                                            move_ms: int, data: st.DataObject) -> None:
    story = _story(segments, lead_s, move_ms)
    delivered = data.draw(st.permutations(story.marks))
    got = present_ms(delivered, story.start_ms, story.end_ms)
    assert got == story.truth_ms  # moves never subtract, drops never count, rejoins add up
    assert got <= story.end_ms - story.start_ms
    assert minutes(got) <= minutes(story.end_ms - story.start_ms)


Any = st.builds(Mark, st.sampled_from(["a", "b", "c"]),
                st.integers(START - 60_000, START + 3_600_000),
                st.sampled_from(["present", "waiting", "gone"]),
                st.sampled_from(["", "left", "disconnected", "moved_to_breakout",
                                 "moved_to_main", "meeting_ended", "unknown"]))


@settings(max_examples=300, deadline=None)
@given(st.lists(Any, max_size=20), st.integers(0, 3_600_000), st.data())
def test_any_marks_stay_within_the_session_in_any_order(
        marks: list[Mark], length_ms: int, data: st.DataObject) -> None:
    end = START + length_ms
    got = present_ms(marks, START, end)
    assert 0 <= got <= length_ms
    assert present_ms(data.draw(st.permutations(marks)), START, end) == got
    twice = present_ms([*marks, *marks], START, end)  # a redelivered event changes nothing
    assert twice == got


@settings(max_examples=200, deadline=None)
@given(st.lists(Any, max_size=16), st.integers(0, 3_600_000))
def test_dropping_changes_nothing_until_the_rejoin(marks: list[Mark], length_ms: int) -> None:
    """Adding a drop can only take time away; adding a room move never does."""
    end = START + length_ms
    base = present_ms(marks, START, end)
    at = START + length_ms // 2
    assert present_ms([*marks, Mark("a", at, "gone", "disconnected")], START, end) <= base
    assert present_ms([*marks, Mark("a", at, "gone", "moved_to_breakout")], START, end) == base


def test_named_cases() -> None:
    m = 60_000
    # joined 6 minutes late, dropped for 4, rejoined on another device, in a breakout room
    story = [Mark("p1", START + 6 * m, "present"), Mark("p1", START + 30 * m, "gone",
                                                          "moved_to_breakout"),
             Mark("p1", START + 30 * m, "present"), Mark("p1", START + 50 * m, "gone",
                                                         "disconnected"),
             Mark("p2", START + 54 * m, "present"), Mark("p2", START + 90 * m, "gone",
                                                         "meeting_ended")]
    assert minutes(present_ms(story, START, START + 90 * m)) == 80
    # two devices at once count once
    both = [Mark("p1", START, "present"), Mark("p2", START + 10 * m, "present"),
            Mark("p1", START + 20 * m, "gone", "left")]
    assert minutes(present_ms(both, START, START + 30 * m)) == 30
    # joined before the session started: only the session's own time counts
    early = [Mark("p1", START - 5 * m, "present")]
    assert present_ms(early, START, START + 10 * m) == 10 * m
    # in the waiting room is not present
    waiting = [Mark("p1", START, "waiting"), Mark("p1", START + 5 * m, "present")]
    assert minutes(present_ms(waiting, START, START + 10 * m)) == 5
