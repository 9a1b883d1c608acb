"""The client's open incident hears about calming tools and agreements too: each use and
each agreement's step goes on its log (sealed with the incident), which the report prints."""

from __future__ import annotations

from typing import Any

from sidecar.incidents.store import IncidentNotFound, IncidentStore


async def note_incident(incidents: IncidentStore, meeting: str, client: str, at_ms: int,
                        by: str, what: str, **detail: Any) -> str | None:
    """Note ``what`` on the client's open incident in this meeting; its id, or None when
    there is none."""
    found = await incidents.open_for(meeting, client)
    if found is None:
        return None
    try:
        await incidents.change(found, lambda i: i.note(at_ms, by, what, **detail))
    except IncidentNotFound:
        return None
    return found
