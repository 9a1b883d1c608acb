"""A client's ``Encounter`` for one session, from its attendance record (the session an
incident happened in, or any attended session): from when the client first joined to when
they last left (or the session ended), with the minutes present. None when the client was
not there or nothing is recorded."""

from __future__ import annotations

from datetime import UTC, datetime

from fhir.resources.R4B.encounter import Encounter

from sidecar.attendance.model import SessionAttendance
from sidecar.fhir.encounter import session_encounter
from sidecar.fhir.refs import Program


def _at(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)


def attended_encounter(program: Program, record: SessionAttendance | None, client: str
                       ) -> Encounter | None:
    row = next((c for c in (record.clients if record else []) if c.client == client), None)
    if record is None or row is None or row.joined_ms is None:
        return None
    end = row.left_ms or record.ended_ms or record.recorded_ms
    return session_encounter(program, client, record.meeting, _at(row.joined_ms),
                             _at(max(end, row.joined_ms)), row.minutes_present)
