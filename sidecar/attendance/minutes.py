"""Minutes present, from a session's presence marks (pure, no I/O).

A mark is one platform fact about one participant at the platform's own time. Marks are put
in the order the roster uses (``presence.roster.order_key``), so the same story delivered in
any order gives the same minutes. A participant is present from a join until a leave that
says they are gone (left, dropped, removed, ended) or a move to the waiting room; a move
between the main room and a breakout room is no leave at all. A client's time is the union
of their participants' time (a rejoin after a drop is a new participant), clipped to the
session.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sidecar.presence.roster import Status, order_key, presence_rank

ROOM_MOVES = frozenset({"moved_to_breakout", "moved_to_main"})
Span = tuple[int, int]


@dataclass(frozen=True, order=True)
class Mark:
    participant: str
    at_ms: int
    status: Status
    reason: str = ""

    @property
    def key(self) -> tuple[tuple[int, int, int], str, str]:
        return order_key(self.at_ms, presence_rank(self.status, self.reason)), self.status, \
            self.reason


def _spans_of(marks: list[Mark], end_ms: int) -> list[Span]:
    """One participant's present spans, their marks in roster order."""
    spans: list[Span] = []
    since: int | None = None
    for m in sorted(set(marks), key=lambda m: m.key):
        if m.status == "present":
            since = m.at_ms if since is None else since
        elif m.reason not in ROOM_MOVES and since is not None:
            spans.append((since, m.at_ms))
            since = None
    if since is not None:
        spans.append((since, max(since, end_ms)))
    return spans


def union(spans: Iterable[Span], start_ms: int, end_ms: int) -> list[Span]:
    """The spans merged and clipped to ``[start_ms, end_ms]``, in order."""
    clipped = sorted((max(a, start_ms), min(b, end_ms)) for a, b in spans)
    out: list[Span] = []
    for a, b in clipped:
        if b <= a:
            continue
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def present_spans(marks: Iterable[Mark], start_ms: int, end_ms: int) -> list[Span]:
    """When anyone of these participants (one client's) was present in the session."""
    by_participant: dict[str, list[Mark]] = defaultdict(list)
    for m in marks:
        if m.at_ms >= 0:
            by_participant[m.participant].append(m)
    spans = [s for ms in by_participant.values() for s in _spans_of(ms, end_ms)]
    return union(spans, start_ms, end_ms)


def present_ms(marks: Iterable[Mark], start_ms: int, end_ms: int) -> int:
    return sum(b - a for a, b in present_spans(marks, start_ms, end_ms))


def minutes(ms: int) -> int:
    """Whole minutes, rounded (monotonic, so a part never rounds above its whole)."""
    return (ms + 30_000) // 60_000
