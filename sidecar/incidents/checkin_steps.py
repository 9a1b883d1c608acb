"""The changes a proactive check-in makes to its incident (pure), each on the incident's
log in words, so the report reads "check-in outcome: reached, okay" with who and when."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sidecar.incidents.model import Incident, IncidentError
from sidecar.incidents.proactive_model import (
    CheckInCancelled,
    CheckInOutcome,
    ProactiveCheckIn,
    Reply,
)

WAYS = {"call": "a call from the clinician", "text": "a text to the client"}
RESULTS = {"okay": "reached, okay", "needs_follow_up": "reached, needs follow-up",
           "not_reached": "not reached"}
REPLIES = {"ok": "replied 1 (OK)", "call": "replied 2 (wants a call)", "other": "replied"}


def local_words(ms: int, time_zone: str) -> str:
    """"Thu 3 Dec 2026, 10:00" in the program's zone."""
    at = datetime.fromtimestamp(ms / 1000, tz=ZoneInfo(time_zone))
    return f"{at:%a} {at.day} {at:%b %Y, %H:%M}"


def find(incident: Incident, checkin: str) -> ProactiveCheckIn | None:
    return next((c for c in incident.proactive if c.id == checkin), None)


def _found(incident: Incident, checkin: str) -> ProactiveCheckIn:
    item = find(incident, checkin)
    if item is None:
        raise IncidentError("no such check-in on this incident")
    return item


def add(incident: Incident, item: ProactiveCheckIn, time_zone: str) -> None:
    incident.proactive.append(item)
    incident.note(item.scheduled_ms, item.scheduled_by, "check-in scheduled",
                  how=WAYS[item.way], due=local_words(item.due_ms, time_zone),
                  assigned_to=item.assignee)


def _open_item(incident: Incident, checkin: str) -> ProactiveCheckIn:
    """The check-in, still waiting for its outcome (IncidentError otherwise)."""
    item = _found(incident, checkin)
    if item.outcome is not None:
        raise IncidentError("this check-in already has its outcome")
    if item.cancelled is not None:
        raise IncidentError("this check-in was cancelled")
    return item


def record(incident: Incident, checkin: str, outcome: CheckInOutcome) -> ProactiveCheckIn:
    item = _open_item(incident, checkin)
    item.outcome = outcome
    incident.note(outcome.at_ms, outcome.by, "check-in outcome", how=WAYS[item.way],
                  result=RESULTS[outcome.result], note=outcome.note)
    return item


def move(incident: Incident, checkin: str, due_ms: int, by: str, at_ms: int,
         time_zone: str) -> ProactiveCheckIn:
    """A new time: the check-in starts over (due again, overdue again, a new text)."""
    item = _open_item(incident, checkin)
    if item.reply is not None:
        raise IncidentError("the client has replied to this check-in: record its outcome "
                            "instead of moving it")
    was = item.due_ms
    item.due_ms, item.fired_ms, item.texted, item.overdue_alerted_ms = due_ms, None, None, None
    incident.note(at_ms, by, "check-in moved", how=WAYS[item.way],
                  was=local_words(was, time_zone), due=local_words(due_ms, time_zone))
    return item


def cancel(incident: Incident, checkin: str, cancelled: CheckInCancelled) -> ProactiveCheckIn:
    item = _open_item(incident, checkin)
    item.cancelled = cancelled
    incident.note(cancelled.at_ms, cancelled.by, "check-in cancelled", how=WAYS[item.way],
                  reason=cancelled.reason)
    return item


def mark_fired(incident: Incident, checkin: str, now_ms: int) -> None:
    item = _found(incident, checkin)
    if item.fired_ms is None:
        item.fired_ms = now_ms
        incident.note(now_ms, "tether", "check-in due", how=WAYS[item.way],
                      assigned_to=item.assignee)


def mark_texted(incident: Incident, checkin: str, sent: bool) -> None:
    item = _found(incident, checkin)
    item.texted = sent
    incident.note(item.fired_ms or item.due_ms, "tether",
                  "check-in text sent" if sent else "check-in text not sent",
                  why="" if sent else "no consent to texts, or the text failed")


def mark_reply(incident: Incident, checkin: str, reply: Reply, now_ms: int) -> None:
    """A "1" is the client saying they are OK: that is the outcome, unless one is set."""
    item = _found(incident, checkin)
    item.reply, item.reply_ms = reply, now_ms
    incident.note(now_ms, "client", "check-in reply", reply=REPLIES[reply])
    if reply == "ok" and item.outcome is None and item.cancelled is None:
        record(incident, checkin, CheckInOutcome(at_ms=now_ms, by="client", result="okay",
                                                 note="Replied 1 to the check-in text."))


def mark_overdue(incident: Incident, checkin: str, now_ms: int) -> bool:
    item = find(incident, checkin)
    if (item is None or item.outcome is not None or item.cancelled is not None
            or item.overdue_alerted_ms is not None):
        return False
    item.overdue_alerted_ms = now_ms
    incident.note(now_ms, "tether", "check-in overdue", how=WAYS[item.way])
    return True


def state(item: ProactiveCheckIn, now_ms: int) -> str:
    """scheduled, due, overdue, done or cancelled (the panel words them)."""
    if item.outcome is not None:
        return "done"
    if item.cancelled is not None:
        return "cancelled"
    if item.overdue_alerted_ms is not None:
        return "overdue"
    return "due" if now_ms >= item.due_ms else "scheduled"
