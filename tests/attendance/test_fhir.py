"""The FHIR export of an incident carries the Encounter of the session it happened in, from
the attendance record: virtual, its period, the minutes present; validated by the
``fhir.resources`` models. A client who was not there gets none."""

from __future__ import annotations

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.encounter import Encounter

from tests.attendance.session import meeting_path, whole_session
from tests.conftest import Harness


async def _incident(h: Harness, client: str) -> str:
    r = await h.http.post(f"{h.base}/api/meetings/{meeting_path()}/clients/{client}/incidents",
                          json={"trigger": "code_word"}, headers=h.token())
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def test_an_incident_brings_its_sessions_encounter(harness: Harness) -> None:
    h = harness
    await whole_session(h)
    incident = await _incident(h, "client-001")
    r = await h.http.get(f"{h.base}/api/fhir/incidents/{incident}", headers=h.token())
    assert r.status_code == 200, r.text
    bundle = Bundle.model_validate_json(r.text)
    [encounter] = [e.resource for e in bundle.entry or []
                   if e.resource.get_resource_type() == "Encounter"]
    assert isinstance(encounter, Encounter)
    assert encounter.class_fhir.code == "VR" and encounter.length.value == 89
    assert encounter.subject.identifier.value == "client-001"

    absent = await _incident(h, "client-003")  # expected, never came
    r = await h.http.get(f"{h.base}/api/fhir/incidents/{absent}", headers=h.token())
    kinds = [e["resource"]["resourceType"] for e in r.json().get("entry", [])]
    assert "Encounter" not in kinds
