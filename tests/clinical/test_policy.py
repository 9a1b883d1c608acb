"""Each level's default actions, due times, and program overrides."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from sidecar.clinical.cssrs import Level
from sidecar.clinical.policy import Action, TriagePolicy, checklist

START = 1_772_940_600_000  # 2026-03-08T03:30:00Z
MIN = 60_000


def due(level: Level, policy: TriagePolicy | None = None) -> list[tuple[str, int]]:
    items = checklist(level, policy or TriagePolicy(), START)
    assert all(i.level is level for i in items)
    return [(i.key, i.due_ms - START) for i in items]


def test_emergency_starts_the_protocol_immediately() -> None:
    assert due(Level.EMERGENCY) == [
        ("emergency_protocol", 0),
        ("stay_with_client", 0),
        ("notify_on_call", 0),
        ("notify_emergency_contact", 15 * MIN),
        ("record_disclosures", 30 * MIN),
        ("document_risk", 24 * 60 * MIN),
    ]
    assert checklist(Level.EMERGENCY, TriagePolicy(), START)[0].due_ms == 1_772_940_600_000


def test_high_keeps_someone_with_the_client_and_consults_on_call() -> None:
    assert due(Level.HIGH) == [
        ("notify_clinician", 0),
        ("stay_with_client", 0),
        ("consult_on_call", 15 * MIN),
        ("evaluate_for_hospitalization", 60 * MIN),
        ("safety_plan_review", 60 * MIN),
        ("document_risk", 1440 * MIN),
    ]


def test_moderate_reviews_the_safety_plan_within_the_hour() -> None:
    assert due(Level.MODERATE) == [
        ("consult_on_call", 1_800_000),
        ("safety_plan_review", 3_600_000),
        ("offer_crisis_line", 3_600_000),
        ("clinician_assessment", 28_800_000),
        ("document_risk", 86_400_000),
    ]


def test_low_and_none() -> None:
    assert due(Level.LOW) == [("offer_crisis_line", 3_600_000),
                              ("notify_primary_clinician", 86_400_000),
                              ("document_risk", 86_400_000)]
    assert due(Level.NONE) == [("document_risk", 86_400_000)]


def test_a_program_overrides_one_level() -> None:
    policy = TriagePolicy.model_validate({"low": [
        {"key": "call_client_tomorrow", "title": "Call the client", "within_minutes": 120},
        {"key": "offer_crisis_line", "title": "Offer 988", "within_minutes": 5},
    ]})
    assert due(Level.LOW, policy) == [("offer_crisis_line", 300_000),
                                      ("call_client_tomorrow", 7_200_000)]
    assert due(Level.MODERATE, policy) == due(Level.MODERATE)


@pytest.mark.parametrize(("raw", "message"), [
    ({"emergency": [{"key": "call", "title": "Call", "within_minutes": 5}]},
     "emergency needs at least one immediate action"),
    ({"emergency": []}, "emergency needs at least one immediate action"),
    ({"high": [{"key": "a", "title": "A", "within_minutes": 0},
               {"key": "a", "title": "B", "within_minutes": 1}]}, "lists an action twice"),
    ({"low": [{"key": "Bad Key", "title": "A", "within_minutes": 0}]}, "string_pattern"),
    ({"low": [{"key": "a", "title": "A", "within_minutes": -1}]}, "greater than or equal"),
    ({"low": [{"key": "a", "title": "", "within_minutes": 1}]}, "at least 1 character"),
    ({"urgent": []}, "Extra inputs are not permitted"),
])
def test_unsound_policies_are_refused(raw: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        TriagePolicy.model_validate(raw)


def test_policy_is_frozen() -> None:
    policy = TriagePolicy()
    with pytest.raises(ValidationError):
        policy.low = []  # type: ignore[misc]
    assert Action(key="x", title="X", within_minutes=0).within_minutes == 0
