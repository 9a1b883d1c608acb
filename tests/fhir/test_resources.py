"""The mapping on its own: each resource parses back through the ``fhir.resources`` R4B
models, the LOINC codes and answer codes are exactly LOINC's, the flag follows the risk, and
the session Encounter is virtual with its minutes."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.encounter import Encounter

from sidecar.clinical import cssrs
from sidecar.clinical.cssrs import Imminence
from sidecar.fhir import codes
from sidecar.fhir.bundle import as_json, collection, incident_resources
from sidecar.fhir.encounter import session_encounter
from sidecar.fhir.refs import Program
from sidecar.incidents.model import Documentation, Incident, Screen

PROGRAM = Program.named("Harbor Light Evening IOP")
T0 = 1_800_000_000_000
ALL_NO = {1: False, 2: False, 6: False}
HIGH = {1: True, 2: True, 3: True, 4: True, 5: False, 6: False}
MODERATE = {1: True, 2: True, 3: True, 4: False, 5: False, 6: False}
IMMINENT = Imminence(plan=True, means=True, intent=True)
NOT_IMMINENT = Imminence()


def incident(*answers: dict[int, bool], imminence: Imminence = NOT_IMMINENT) -> Incident:
    i = Incident(id="inc0001", meeting="mtg-1", meeting_number="81234567890",
                 client="client-001", trigger="screen", opened_ms=T0, opened_by="lead-avery")
    for n, given in enumerate(answers):
        tier = cssrs.tier(given)
        i.add_screen(Screen(at_ms=T0 + (n + 1) * 60_000, by="cofac-morgan", answers=given,
                            tier=tier, imminence=imminence,
                            level=cssrs.level(tier, imminence)), [])
    return i


def parsed(i: Incident) -> dict[str, Any]:
    """The collection bundle's JSON, after a round trip through the R4B models."""
    text = as_json(collection(PROGRAM, i, T0 + 3_600_000))
    Bundle.model_validate_json(text)
    return dict(json.loads(text))


def of_type(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle.get("entry", [])
            if e["resource"]["resourceType"] == kind]


def test_the_screen_is_a_questionnaire_response_with_loinc_items_and_answers() -> None:
    bundle = parsed(incident(HIGH))
    assert bundle["type"] == "collection"
    [qr] = of_type(bundle, "QuestionnaireResponse")
    assert qr["questionnaire"].endswith("/93373-9") and qr["status"] == "completed"
    items = {i["linkId"]: i for i in qr["item"]}
    assert list(items) == ["93246-7", "93247-5", "93248-3", "93249-1", "93250-9", "93267-3"]
    assert items["93249-1"]["text"] == cssrs.ITEMS[3].text  # the wording, verbatim
    yes = {"system": "http://loinc.org", "code": "LA33-6", "display": "Yes"}
    no = {"system": "http://loinc.org", "code": "LA32-8", "display": "No"}
    assert [i["answer"][0]["valueCoding"] for i in qr["item"]] == [yes, yes, yes, yes, no, no]
    assert cssrs.COPYRIGHT in qr["text"]["div"]


def test_the_item_table_is_the_screeners_own() -> None:
    assert codes.ITEM_CODES == {i.number: i.loinc for i in cssrs.ITEMS}
    assert codes.ITEM_CODES == {1: "93246-7", 2: "93247-5", 3: "93248-3", 4: "93249-1",
                                5: "93250-9", 6: "93267-3"}


def test_skipped_items_are_not_answered() -> None:
    [qr] = of_type(parsed(incident(ALL_NO)), "QuestionnaireResponse")
    assert [i["linkId"] for i in qr["item"]] == ["93246-7", "93247-5", "93267-3"]


def test_the_subject_is_the_client_id_and_never_a_name() -> None:
    bundle = parsed(incident(HIGH))
    text = json.dumps(bundle)
    [qr] = of_type(bundle, "QuestionnaireResponse")
    assert qr["subject"] == {"type": "Patient", "identifier": {
        "system": "urn:tether:harbor-light-evening-iop:client", "value": "client-001"}}
    assert qr["author"]["type"] == "Practitioner"
    assert qr["author"]["identifier"]["value"] == "cofac-morgan"
    assert "name" not in text.lower().replace("linkid", "")  # no name element anywhere


@pytest.mark.parametrize(("answers", "imminence", "words"), [
    (ALL_NO, Imminence(), "No suicide risk identified"),
    (MODERATE, Imminence(), "Moderate suicide risk"),
    (HIGH, Imminence(), "High suicide risk"),
    (HIGH, IMMINENT, "High suicide risk, judged imminent by the clinician (emergency)"),
])
def test_the_risk_level_is_an_observation_93374_7_in_words(
        answers: dict[int, bool], imminence: Imminence, words: str) -> None:
    bundle = parsed(incident(answers, imminence=imminence))
    [obs] = of_type(bundle, "Observation")
    assert obs["code"]["coding"] == [{"system": "http://loinc.org", "code": "93374-7",
                                      "display": "Suicide risk level"}]
    assert obs["valueString"] == words and obs["status"] == "final"
    [entry] = [e for e in bundle["entry"] if e["resource"]["resourceType"] ==
               "QuestionnaireResponse"]
    assert obs["derivedFrom"][0]["reference"] == entry["fullUrl"]


def test_no_flag_unless_the_risk_was_high() -> None:
    assert of_type(parsed(incident(MODERATE)), "Flag") == []


def test_the_flag_is_active_while_high_and_inactive_once_the_level_drops() -> None:
    high = incident(HIGH)
    [flag] = of_type(parsed(high), "Flag")
    assert flag["status"] == "active" and "end" not in flag["period"]
    dropped = incident(HIGH, MODERATE)
    [flag] = of_type(parsed(dropped), "Flag")
    assert flag["status"] == "inactive"
    assert flag["period"] == {"start": "2027-01-15T08:01:00Z", "end": "2027-01-15T08:02:00Z"}


def test_the_flag_ends_when_the_incident_closes() -> None:
    i = incident(HIGH)
    i.close(T0 + 600_000, "lead-avery", Documentation(
        risk_assessment="high", interventions="stayed on video", outcome="safe"), [])
    [flag] = of_type(parsed(i), "Flag")
    assert flag["status"] == "inactive" and flag["period"]["end"] == "2027-01-15T08:10:00Z"


def test_an_emergency_without_a_screen_is_flagged() -> None:
    i = incident()
    i.start_emergency(T0 + 5_000, "lead-avery", {}, [], reason="dropped, cannot be screened")
    assert [r.get_resource_type() for r in incident_resources(PROGRAM, i)] == ["Flag"]


def test_ids_are_stable_across_exports() -> None:
    first, again = parsed(incident(HIGH)), parsed(incident(HIGH))
    assert [e["fullUrl"] for e in first["entry"]] == [e["fullUrl"] for e in again["entry"]]
    assert all(e["fullUrl"] == "urn:uuid:" + e["resource"]["id"] for e in first["entry"])


def test_an_attended_session_is_a_virtual_encounter_with_its_minutes() -> None:
    start = datetime(2027, 1, 12, 18, 0, tzinfo=UTC)
    e = session_encounter(PROGRAM, "client-002", "mtg-1", start, start + timedelta(hours=3),
                          minutes=164)
    back = Encounter.model_validate_json(as_json(e))
    data = json.loads(as_json(back))
    assert data["class"] == {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                             "code": "VR", "display": "virtual"}
    assert data["period"] == {"start": "2027-01-12T18:00:00Z", "end": "2027-01-12T21:00:00Z"}
    assert data["length"] == {"value": 164, "unit": "min", "system": "http://unitsofmeasure.org",
                              "code": "min"}
    assert data["subject"]["identifier"]["value"] == "client-002"
    assert data["status"] == "finished"


def test_an_encounter_refuses_times_without_a_zone_or_backwards() -> None:
    start = datetime(2027, 1, 12, 18, 0, tzinfo=UTC)
    with pytest.raises(ValueError, match="time zone"):
        session_encounter(PROGRAM, "c", "m", start.replace(tzinfo=None), start, 1)
    with pytest.raises(ValueError, match="ends after"):
        session_encounter(PROGRAM, "c", "m", start, start - timedelta(minutes=1), 1)
