"""Figures across incidents (pure): counts by trigger and level, time from a disconnect to
the first callback, from the emergency's start to responders called, follow-ups overdue;
and the rows of the CSV export, which carry no PHI (no names, no client ids, no text)."""

from __future__ import annotations

import csv
import io
import math
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from sidecar.incidents.model import Incident

CSV_FIELDS = ("incident", "opened_utc", "meeting_number", "trigger", "level", "emergency",
              "emergency_to_responders_s", "closed_utc", "followups", "followups_done",
              "followups_overdue")


def _pct(values: list[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)  # nearest rank: the smallest value with p % at or below it
    rank = max(1, min(len(ordered), math.ceil(p / 100 * len(ordered))))
    return ordered[rank - 1]


def _spread(values: list[float]) -> dict[str, float | int | None]:
    return {"count": len(values), "p50": _pct(values, 50), "p90": _pct(values, 90),
            "max": max(values) if values else None}


def responders_after_s(i: Incident) -> float | None:
    tick = i.steps.get("call_responders")
    if i.emergency_ms is None or tick is None:
        return None
    return (tick.at_ms - i.emergency_ms) / 1000


def overdue_now(i: Incident, now_ms: int) -> int:
    return sum(1 for t in i.tasks if t.done is None and now_ms >= t.task.due_ms)


def summary(incidents: list[Incident], dial_ms: list[int], now_ms: int) -> dict[str, Any]:
    responders = [s for s in (responders_after_s(i) for i in incidents) if s is not None]
    return {
        "incidents": len(incidents),
        "open": sum(1 for i in incidents if i.open),
        "by_trigger": dict(Counter(i.trigger for i in incidents)),
        "by_level": dict(Counter(i.level.value if i.level else "not_screened"
                                 for i in incidents)),
        "emergencies": sum(1 for i in incidents if i.emergency_ms is not None),
        "disconnect_to_first_call_s": _spread([ms / 1000 for ms in dial_ms]),
        "emergency_to_responders_s": _spread(responders),
        "followups_overdue": sum(overdue_now(i, now_ms) for i in incidents),
    }


def _utc(ms: int | None) -> str:
    if ms is None:
        return ""
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def csv_text(incidents: list[Incident], now_ms: int) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(CSV_FIELDS)
    for i in incidents:
        after = responders_after_s(i)
        w.writerow([i.id, _utc(i.opened_ms), i.meeting_number, i.trigger,
                    i.level.value if i.level else "", "yes" if i.emergency_ms else "no",
                    "" if after is None else f"{after:.0f}", _utc(i.closed_ms), len(i.tasks),
                    sum(1 for t in i.tasks if t.done), overdue_now(i, now_ms)])
    return out.getvalue()
