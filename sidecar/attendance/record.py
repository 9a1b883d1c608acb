"""One session's attendance record from its story (pure): the function everything else
calls, so the stored record, the live refresh and the tests agree."""

from __future__ import annotations

from sidecar.attendance.minutes import minutes, present_spans
from sidecar.attendance.model import (
    ClientAttendance,
    Drop,
    LocationSource,
    SessionAttendance,
)
from sidecar.attendance.story import ClientStory, Entry, read


def session_bounds(entries: list[Entry], meta: dict[str, str], now_ms: int
                   ) -> tuple[int, int | None]:
    """When the session started (the platform's word, else its first event) and ended
    (None while it runs)."""
    first = min((int(e["at"]) for e in entries), default=now_ms)
    started = int(meta.get("started_at") or first)
    ended = meta.get("ended_at")
    return min(started, first), int(ended) if ended else None


def _location(story: ClientStory) -> LocationSource:
    if story.checked_in_ms is None:
        return "record_on_file"
    if story.moved_ms is not None and story.moved_ms >= story.checked_in_ms:
        return "moved_since_check_in"
    return "check_in"


def _left(spans: list[tuple[int, int]], end_ms: int, running: bool) -> int | None:
    if not spans:
        return None
    last = spans[-1][1]
    still_there = running and last >= end_ms
    return None if still_there else last


def client_record(client: str, story: ClientStory, expected: bool, start_ms: int,
                  end_ms: int, running: bool) -> ClientAttendance:
    spans = present_spans(story.marks, start_ms, end_ms)
    ms = sum(b - a for a, b in spans)
    return ClientAttendance(
        client=client, expected=expected, joined_ms=spans[0][0] if spans else None,
        left_ms=_left(spans, end_ms, running), present_ms=ms,
        minutes_present=minutes(ms), checked_in_ms=story.checked_in_ms,
        location_source=_location(story), callback_confirmed=story.checked_in_ms is not None,
        drops=[Drop(at_ms=at, outcome=o) for at, o in story.drops])


def session_record(meeting: str, group: str, entries: list[Entry], meta: dict[str, str],
                   expected: list[str], now_ms: int) -> SessionAttendance:
    """Every client expected or present, with minutes counted to the end (or to now)."""
    stories = read(entries)
    started, ended = session_bounds(entries, meta, now_ms)
    end = ended if ended is not None else max(now_ms, started)
    came = [c for c, s in stories.items() if s.marks and c not in expected]
    rows = [client_record(c, stories.get(c, ClientStory()), c in expected, started, end,
                          ended is None)
            for c in [*expected, *sorted(came)]]
    return SessionAttendance(meeting=meeting, group=group, started_ms=started, ended_ms=ended,
                             session_minutes=minutes(end - started), recorded_ms=now_ms,
                             clients=rows)
