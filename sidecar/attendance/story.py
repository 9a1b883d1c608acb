"""A session's story as attendance reads it, from the meeting's timeline entries (pure).

Presence comes from ``roster`` entries (a participant's presence as decided, at the time of
the event that decided it) and ``presence.late`` entries (an event that came after a later
one and so changed nothing on the roster, but still says when). Drops and their callbacks
come from ``alert.disconnected`` and the ladder's ``ladder.*`` entries; check-ins from
``checkin.submitted`` and ``checkin.moved``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sidecar.attendance.minutes import Mark
from sidecar.attendance.model import DropOutcome

Entry = dict[str, Any]  # a decoded timeline entry: id, kind, at, data
PRESENCE_KINDS = frozenset({"roster", "presence.late"})
_STATUSES = frozenset({"present", "waiting", "gone"})


@dataclass
class ClientStory:
    marks: list[Mark] = field(default_factory=list)
    drops: list[tuple[int, DropOutcome]] = field(default_factory=list)
    checked_in_ms: int | None = None
    moved_ms: int | None = None


def _mark(e: Entry) -> Mark | None:
    d = e["data"]
    status = d.get("status")
    if status not in _STATUSES or not d.get("participant"):
        return None
    at = d.get("since", e["at"]) if e["kind"] == "roster" else e["at"]
    return Mark(str(d["participant"]), int(at), status, str(d.get("reason") or ""))


def clients_of(entries: list[Entry]) -> dict[str, str]:
    """Participant id -> client id, as last said (a clinician's link included)."""
    out: dict[str, str] = {}
    for e in entries:
        d = e["data"]
        if e["kind"] in ("roster", "participant.linked") and d.get("client"):
            out[str(d["participant"])] = str(d["client"])
    return out


def _client_of_subject(data: dict[str, Any]) -> str | None:
    subject = str(data.get("subject", ""))
    return subject.removeprefix("client:") if subject.startswith("client:") else None


# a ladder's last word on a drop; a later line may replace an earlier one (reached beats all)
def _ladder_outcome(kind: str, d: dict[str, Any]) -> DropOutcome | None:
    if kind == "ladder.answered":
        return "reached" if d.get("target") == "client" else "support_reached"
    if kind == "ladder.stopped":
        return "rejoined" if d.get("reason") == "rejoined" else "client_ok"
    if kind == "ladder.exhausted":
        return "not_reached"
    if kind == "ladder.acknowledged":
        return "taken_by_staff"
    return None


_FINAL = frozenset({"reached", "support_reached", "rejoined", "client_ok"})


def _drop(story: ClientStory, e: Entry) -> None:
    kind, d = e["kind"], e["data"]
    if kind == "alert.disconnected":
        story.drops.append((int(e["at"]), "under_way"))
        return
    outcome = _ladder_outcome(kind, d)
    if outcome is None or not story.drops:
        return
    at, was = story.drops[-1]
    if was not in _FINAL:
        story.drops[-1] = (at, outcome)


def _checkin(story: ClientStory, e: Entry) -> None:
    if e["kind"] == "checkin.submitted":
        story.checked_in_ms = int(e["at"])
    elif e["kind"] == "checkin.moved":
        story.moved_ms = int(e["at"])


def read(entries: list[Entry]) -> dict[str, ClientStory]:
    """Each client's story in this session (unidentified participants are left out)."""
    owners = clients_of(entries)
    stories: dict[str, ClientStory] = defaultdict(ClientStory)
    for e in entries:
        kind, d = e["kind"], e["data"]
        if kind in PRESENCE_KINDS:
            mark = _mark(e)
            owner = owners.get(mark.participant) if mark else None
            if mark and owner:
                stories[owner].marks.append(mark)
        elif kind.startswith(("alert.disconnected", "ladder.")):
            client = _client_of_subject(d)
            if client:
                _drop(stories[client], e)
        elif kind.startswith("checkin.") and d.get("client"):
            _checkin(stories[str(d["client"])], e)
    return dict(stories)
