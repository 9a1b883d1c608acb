"""FHIR R4 export for the program's EHR: an incident's C-SSRS screens as
``QuestionnaireResponse`` resources, each screen's risk level as an ``Observation``, a
``Flag`` while the risk is high, and an ``Encounter`` per client per attended session. The
mapping functions are pure (``sessions.py`` also picks the sessions from the attendance
store); ``routes.py`` serves them and ``sidecar/cli_fhir.py`` writes them as NDJSON.

Which FHIR models: ``fhir.resources`` 8 has no R4 (4.0.1) package. Its default models are R5
(5.0.0), whose ``Encounter`` differs from R4's (``class`` a list of concepts, ``length``
renamed), so they would not give R4. It ships ``fhir.resources.R4B`` (4.3.0), and R4B changed
only the medication-definition and evidence resources: ``QuestionnaireResponse``,
``Observation``, ``Flag``, ``Encounter``, ``Bundle`` and the data types used here are
element-for-element R4's. So every resource is built and validated with the R4B classes,
and the JSON they write is R4 JSON.
"""
