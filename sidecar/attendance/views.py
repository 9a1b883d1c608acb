"""Stored records as people read them: names from the client record (each read audited by
the client store), words for every figure and outcome, and the CSV's rows."""

from __future__ import annotations

import csv
import io
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sidecar.attendance import words
from sidecar.attendance.model import ClientAttendance, SessionAttendance
from sidecar.infra.config import ProgramConfig

Names = Callable[[str], Awaitable[str]]
CSV_COLUMNS = ("date", "group", "client", "expected", "joined", "left", "minutes present",
               "session minutes", "attendance", "check-in", "location", "callback number",
               "drops", "drop outcomes")


class BadRange(ValueError):
    """A date range that cannot be read; the message is a sentence for the caller."""


def day_range(start: str, end: str, zone: ZoneInfo, today: date) -> tuple[date, date]:
    """``from`` and ``to`` (inclusive) as dates; the last 30 days by default."""
    try:
        last = date.fromisoformat(end) if end else today
        first = date.fromisoformat(start) if start else last - timedelta(days=30)
    except ValueError as exc:
        raise BadRange("from and to take dates such as 2026-12-01") from exc
    if first > last:
        raise BadRange("from must be on or before to")
    if first.year < 1970 or last.year > 9000:
        raise BadRange("from and to take dates between 1970 and 9000")
    if (last - first).days > 400:
        raise BadRange("ask for at most 400 days at a time")
    return first, last


def ms_range(first: date, last: date, zone: ZoneInfo) -> tuple[int, int]:
    """The ms from the first day's midnight to the day after the last, in the zone."""
    def midnight(d: date) -> int:
        return int(datetime(d.year, d.month, d.day, tzinfo=zone).timestamp() * 1000)
    return midnight(first), midnight(last + timedelta(days=1))


def client_row(row: ClientAttendance, name: str, session_minutes: int, zone: ZoneInfo
               ) -> dict[str, Any]:
    return {"client": row.client, "name": name, "expected": row.expected,
            "joined_ms": row.joined_ms, "left_ms": row.left_ms,
            "minutes_present": row.minutes_present,
            "presence": words.presence(row, session_minutes),
            "checked_in_ms": row.checked_in_ms, "checkin": words.checkin(row, zone),
            "location": words.LOCATIONS[row.location_source],
            "callback": words.callback(row),
            "drops": [{"at_ms": d.at_ms, "words": words.OUTCOMES[d.outcome]}
                      for d in row.drops],
            "drops_words": words.drops(row)}


async def session_row(config: ProgramConfig, record: SessionAttendance, names: Names,
                      only: str | None = None) -> dict[str, Any]:
    zone = ZoneInfo(config.program.time_zone)
    group = config.meeting_by_number(record.group)
    rows = [r for r in record.clients if only is None or r.client == only]
    return {"meeting": record.meeting, "group": record.group,
            "group_name": group.name if group else "A former group",
            "day": words.day(record.started_ms, zone), "started_ms": record.started_ms,
            "ended_ms": record.ended_ms, "running": record.ended_ms is None,
            "session_minutes": record.session_minutes,
            "clients": [client_row(r, await names(r.client), record.session_minutes, zone)
                        for r in rows]}


def csv_text(sessions: list[dict[str, Any]], zone: ZoneInfo) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for s in sessions:
        for c in s["clients"]:
            writer.writerow([
                s["day"], s["group_name"], c["name"], "yes" if c["expected"] else "no",
                words.clock_time(c["joined_ms"], zone), words.clock_time(c["left_ms"], zone),
                c["minutes_present"], s["session_minutes"], c["presence"], c["checkin"],
                c["location"], c["callback"], len(c["drops"]), c["drops_words"]])
    return out.getvalue()
