"""An ``Encounter`` for one session a client attended: virtual (VR), its period and the
minutes present. Made from the session's attendance record (``attended.py``): for the
incident export's session, and for every attended session in the ``since`` exports
(``sessions.py``)."""

from __future__ import annotations

from datetime import datetime

from fhir.resources.R4B.coding import Coding
from fhir.resources.R4B.duration import Duration
from fhir.resources.R4B.encounter import Encounter
from fhir.resources.R4B.period import Period

from sidecar.fhir import codes
from sidecar.fhir.refs import Program, instant


def session_encounter(program: Program, client: str, meeting: str, start: datetime,
                      end: datetime, minutes: int) -> Encounter:
    """``start`` and ``end`` are aware times (the session as the client attended it);
    ``minutes`` the minutes present (room moves included, drops excluded)."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("the session's times need a time zone")
    if end < start or minutes < 0:
        raise ValueError("a session ends after it starts, with minutes present >= 0")
    return Encounter(
        id=program.resource_id("session", meeting, client),
        identifier=[program.identifier("session", f"{meeting}/{client}")],
        status="finished",
        class_fhir=Coding(system=codes.ACT_CODE, code="VR", display="virtual"),
        subject=program.patient(client),
        period=Period(start=instant(int(start.timestamp() * 1000)),
                      end=instant(int(end.timestamp() * 1000))),
        length=Duration.model_validate(  # (its fields are Quantity's, which mypy misses)
            {"value": minutes, "unit": "min", "system": codes.UCUM, "code": "min"}))
