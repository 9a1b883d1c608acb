"""A proactive check-in on an incident (pure data): a call the assigned clinician makes,
or a text to the client, due at a time the clinician chose, and its outcome."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints

Way = Literal["call", "text"]
Result = Literal["okay", "needs_follow_up", "not_reached"]
Reply = Literal["ok", "call", "other"]
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CheckInOutcome(_Model):
    at_ms: int
    by: str  # a staff id, or "client" for a reply of 1 to the text
    result: Result
    note: Note = ""


class CheckInCancelled(_Model):
    at_ms: int
    by: str  # a staff id
    reason: Note = ""


class ProactiveCheckIn(_Model):
    id: str
    way: Way
    due_ms: int
    assignee: str  # staff id
    scheduled_ms: int
    scheduled_by: str
    fired_ms: int | None = None  # when it came due and the clinician was told
    texted: bool | None = None  # a text check-in: sent (True) or could not be (False)
    reply: Reply | None = None
    reply_ms: int | None = None
    overdue_alerted_ms: int | None = None
    outcome: CheckInOutcome | None = None
    cancelled: CheckInCancelled | None = None
