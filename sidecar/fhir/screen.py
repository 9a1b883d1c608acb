"""One C-SSRS screen of an incident as a ``QuestionnaireResponse`` (the answers, coded as
LOINC answers) and an ``Observation`` of its risk level (93374-7), derived from it."""

from __future__ import annotations

from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.coding import Coding
from fhir.resources.R4B.narrative import Narrative
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.questionnaireresponse import (
    QuestionnaireResponse,
    QuestionnaireResponseItem,
    QuestionnaireResponseItemAnswer,
)

from sidecar.clinical import cssrs
from sidecar.fhir import codes
from sidecar.fhir.refs import Program, instant, local
from sidecar.incidents.model import Incident, Screen

_TEXT = {item.number: item.text for item in cssrs.ITEMS}
# The items travel verbatim, so Columbia's notice travels with them (docs/sources.md §2.4).
NOTICE = Narrative(status="generated", div=(
    '<div xmlns="http://www.w3.org/1999/xhtml"><p>C-SSRS Screener, since last contact. '
    f"{cssrs.COPYRIGHT}</p></div>"))


def screen_ids(program: Program, incident: Incident, n: int) -> tuple[str, str]:
    """The ids of the ``n``-th screen's response and observation."""
    return (program.resource_id(incident.id, "screen", str(n)),
            program.resource_id(incident.id, "risk", str(n)))


def answer(yes: bool) -> QuestionnaireResponseItemAnswer:
    code, display = codes.YES if yes else codes.NO
    return QuestionnaireResponseItemAnswer(
        valueCoding=Coding(system=codes.LOINC, code=code, display=display))


def item(number: int, yes: bool) -> QuestionnaireResponseItem:
    """The item's LOINC code is its link id; its text is the form's wording, verbatim."""
    return QuestionnaireResponseItem(linkId=codes.ITEM_CODES[number], text=_TEXT[number],
                                     answer=[answer(yes)])


def questionnaire_response(program: Program, incident: Incident, n: int
                           ) -> QuestionnaireResponse:
    screen = incident.screens[n]
    return QuestionnaireResponse(
        id=screen_ids(program, incident, n)[0], text=NOTICE,
        identifier=program.identifier("screen", f"{incident.id}/{n + 1}"),
        questionnaire=codes.QUESTIONNAIRE, status="completed",
        subject=program.patient(incident.client), authored=instant(screen.at_ms),
        author=program.practitioner(screen.by),
        item=[item(number, screen.answers[number]) for number in sorted(screen.answers)])


def risk_observation(program: Program, incident: Incident, n: int) -> Observation:
    screen: Screen = incident.screens[n]
    response_id, own_id = screen_ids(program, incident, n)
    return Observation(
        id=own_id, status="final",
        category=[concept(codes.OBSERVATION_CATEGORY, "survey", "Survey")],
        code=concept(codes.LOINC, codes.RISK_LEVEL, codes.RISK_LEVEL_NAME),
        subject=program.patient(incident.client), effectiveDateTime=instant(screen.at_ms),
        performer=[program.practitioner(screen.by)],
        valueString=codes.LEVEL_WORDS[screen.level],
        derivedFrom=[local(response_id, "QuestionnaireResponse")])


def concept(system: str, code: str, display: str) -> CodeableConcept:
    return CodeableConcept(coding=[Coding(system=system, code=code, display=display)],
                           text=display)
