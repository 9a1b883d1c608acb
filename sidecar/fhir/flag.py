"""A ``Flag`` while the client's suicide risk is high: active from the first high screen
(or the start of the emergency protocol) until the level drops or the incident closes,
then inactive with the period's end. An incident never high has no flag."""

from __future__ import annotations

from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.flag import Flag
from fhir.resources.R4B.period import Period

from sidecar.fhir import codes
from sidecar.fhir.refs import Program, instant
from sidecar.fhir.screen import concept
from sidecar.incidents.model import Incident

FLAG_TEXT = "High suicide risk (C-SSRS screen or emergency protocol)"


def high_since(incident: Incident) -> int | None:
    """When the risk first was high: a high screen or the emergency protocol's start."""
    times = [s.at_ms for s in incident.screens if s.level in codes.HIGH_LEVELS]
    if incident.emergency_ms is not None:
        times.append(incident.emergency_ms)
    return min(times) if times else None


def ended(incident: Incident) -> int | None:
    """When the high risk ended: the closing, or the later screen that lowered the level."""
    if incident.closed_ms is not None:
        return incident.closed_ms
    if incident.level in codes.HIGH_LEVELS:
        return None
    lower = [s.at_ms for s in incident.screens if s.level not in codes.HIGH_LEVELS]
    return max(lower) if lower else None


def risk_flag(program: Program, incident: Incident) -> Flag | None:
    start = high_since(incident)
    if start is None:
        return None
    end = ended(incident)
    period = Period(start=instant(start), end=instant(end) if end is not None else None)
    return Flag(
        id=program.resource_id(incident.id, "flag"),
        identifier=[program.identifier("incident-flag", incident.id)],
        status="active" if end is None else "inactive",
        category=[concept(codes.FLAG_CATEGORY, "clinical", "Clinical")],
        code=CodeableConcept(text=FLAG_TEXT),  # words: no code means "high risk" here
        subject=program.patient(incident.client), period=period,
        author=program.practitioner(incident.opened_by))
