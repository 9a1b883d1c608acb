"""The codes of the export, each as LOINC or HL7 defines it (docs/fhir.md lists them).

The C-SSRS screen's items, by meaning (checked against the research's table, which
docs/sources.md §2 summarises: items 1-6, panel, risk level and answer codes):

| our item (``clinical/cssrs.py``) | meaning (the form's heading)                 | LOINC   |
| -------------------------------- | -------------------------------------------- | ------- |
| 1                                | wish to be dead                              | 93246-7 |
| 2                                | suicidal thoughts                            | 93247-5 |
| 3                                | thoughts with method, no plan or intent      | 93248-3 |
| 4                                | intent, without a specific plan              | 93249-1 |
| 5                                | intent with a specific plan                  | 93250-9 |
| 6                                | suicidal behaviour (done, started, prepared) | 93267-3 |

Item 6 is asked "since last contact" (the form drops "ever"), and the recent screener's
follow-up 6a (93269-9, "within the past 3 months?") is not asked, so it is not exported.
LOINC has no panel of its own for the since-last-contact window: that version shares the
screener's panel and item codes (§2.2), so the panel is 93373-9.
"""

from __future__ import annotations

from sidecar.clinical.cssrs import Level

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
FLAG_CATEGORY = "http://terminology.hl7.org/CodeSystem/flag-category"

PANEL = "93373-9"
# The canonical LHC-Forms gives a LOINC panel's Questionnaire.
QUESTIONNAIRE = f"{LOINC}/q/{PANEL}"
RISK_LEVEL = "93374-7"
RISK_LEVEL_NAME = "Suicide risk level"

# the table above (tests/fhir/test_resources.py checks it against cssrs.py's items)
ITEM_CODES: dict[int, str] = {1: "93246-7", 2: "93247-5", 3: "93248-3", 4: "93249-1",
                              5: "93250-9", 6: "93267-3"}
YES = ("LA33-6", "Yes")
NO = ("LA32-8", "No")

# LOINC names no answer list for 93374-7 in our sources, so the level goes out as words.
LEVEL_WORDS: dict[Level, str] = {
    Level.NONE: "No suicide risk identified",
    Level.LOW: "Low suicide risk",
    Level.MODERATE: "Moderate suicide risk",
    Level.HIGH: "High suicide risk",
    Level.EMERGENCY: "High suicide risk, judged imminent by the clinician (emergency)",
}
HIGH_LEVELS = frozenset({Level.HIGH, Level.EMERGENCY})

