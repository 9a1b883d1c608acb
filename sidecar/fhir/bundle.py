"""An incident's resources, and the two Bundles they travel in: ``collection`` (one
incident) and ``searchset`` (the incidents since a time)."""

from __future__ import annotations

from collections.abc import Sequence

from fhir.resources.R4B.bundle import Bundle, BundleEntry, BundleEntrySearch
from fhir.resources.R4B.resource import Resource

from sidecar.fhir.flag import risk_flag
from sidecar.fhir.refs import Program, full_url, instant
from sidecar.fhir.screen import questionnaire_response, risk_observation
from sidecar.incidents.model import Incident

MEDIA = "application/fhir+json"  # R4 JSON (see the package's docstring)


def incident_resources(program: Program, incident: Incident) -> list[Resource]:
    """Each screen's response and risk level, then the flag if the risk was ever high.
    The session's Encounter comes from its attendance record (``attended.py``)."""
    out: list[Resource] = []
    for n in range(len(incident.screens)):
        out += [questionnaire_response(program, incident, n),
                risk_observation(program, incident, n)]
    flag = risk_flag(program, incident)
    if flag is not None:
        out.append(flag)
    return out


def _entry(resource: Resource, search: bool) -> BundleEntry:
    return BundleEntry(fullUrl=full_url(str(resource.id)), resource=resource,
                       search=BundleEntrySearch(mode="match") if search else None)


def collection(program: Program, incident: Incident, now_ms: int,
               extra: Sequence[Resource] = ()) -> Bundle:
    """The incident's resources, then ``extra`` (the session's Encounter, when attended)."""
    resources = [*incident_resources(program, incident), *extra]
    return Bundle(id=program.resource_id(incident.id, "bundle"), type="collection",
                  timestamp=instant(now_ms),
                  entry=[_entry(r, False) for r in resources] or None)


def searchset(resources: Sequence[Resource], now_ms: int) -> Bundle:
    return Bundle(type="searchset", timestamp=instant(now_ms), total=len(resources),
                  entry=[_entry(r, True) for r in resources] or None)


def as_json(resource: Resource) -> str:
    """The resource's JSON, without empty elements (FHIR forbids them)."""
    return resource.model_dump_json(by_alias=True, exclude_none=True)
