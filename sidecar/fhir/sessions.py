"""An ``Encounter`` per client per attended session, for the ``since`` exports (the HTTP
searchset and ``tether fhir export``): every session that started at or after the time and
has ended, each client who was present in it. A session still running is left for the next
export, when its minutes are final; a client who never came has no Encounter."""

from __future__ import annotations

from collections.abc import Iterable

from fhir.resources.R4B.encounter import Encounter

from sidecar.attendance.model import SessionAttendance
from sidecar.attendance.store import AttendanceStore
from sidecar.fhir.attended import attended_encounter
from sidecar.fhir.refs import Program


def session_encounters(program: Program, record: SessionAttendance) -> list[Encounter]:
    """The Encounters of one ended session, one per client present (none while it runs)."""
    if record.ended_ms is None:
        return []
    found = (attended_encounter(program, record, row.client) for row in record.clients)
    return [e for e in found if e is not None]


async def attended_since(store: AttendanceStore, since_ms: int, groups: Iterable[str],
                         mine: set[str] | None = None) -> list[SessionAttendance]:
    """The ended sessions that started at or after ``since_ms``, oldest first; with
    ``mine``, only those of the groups (meeting numbers) in it. ``groups``: the program's
    group numbers, so sessions recorded before the all-sessions index are found too."""
    records = await store.started_since(since_ms, groups)
    return [r for r in records
            if r.ended_ms is not None and (mine is None or r.group in mine)]
