"""What a program does at each triage level, and by when.

The defaults follow docs/sources.md §2.3 (Columbia's colour-coded screener responses and
the crisis/emergency split), §2.5 (TJC: document the risk level and plan; monitor high-risk
clients continuously), §3.7 (notify an emergency contact in a crisis), §4.3 (call the PSAP
covering the client's address) and §6.2-6.3 (log disclosures with their legal basis). Where
the research gives an action but no time frame, the minutes below are this program's choice
and a program may override any level's list.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

from sidecar.clinical.cssrs import Level

MINUTE_MS = 60_000
HOUR = 60  # minutes


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Action(_Strict):
    key: str = Field(pattern=r"^[a-z0-9_]+$")
    title: str = Field(min_length=1)
    within_minutes: int = Field(ge=0, le=7 * 24 * HOUR)  # 0: immediately


class ChecklistItem(_Strict):
    level: Level
    key: str
    title: str
    due_ms: int


def _act(key: str, title: str, within_minutes: int) -> Action:
    return Action(key=key, title=title, within_minutes=within_minutes)


# §2.5: every level documents the overall risk level and mitigation plan.
def _document() -> Action:
    return _act("document_risk", "Document the risk level and the plan", 24 * HOUR)


def _none() -> list[Action]:  # §2.3 green: routine care
    return [_document()]


def _low() -> list[Action]:  # §2.3 yellow: behavioral health referral; offer a crisis line
    return [_act("offer_crisis_line", "Offer the 988 Suicide & Crisis Lifeline", HOUR),
            _act("notify_primary_clinician", "Tell the primary clinician (referral)", 24 * HOUR),
            _document()]


def _moderate() -> list[Action]:
    # §2.3 orange: consultation, consider safety precautions, safety plan; "crisis": same-day
    # clinician assessment, safety plan review, 988 or mobile crisis. "Same day" is 8 h here.
    return [_act("consult_on_call", "Consult the on-call clinician", 30),
            _act("safety_plan_review", "Review the safety plan with the client", HOUR),
            _act("offer_crisis_line", "Offer 988 or the local mobile crisis team", HOUR),
            _act("clinician_assessment", "Clinician risk assessment, same day", 8 * HOUR),
            _document()]


def _high() -> list[Action]:
    # §2.3 red: immediate notification; safety precautions, don't leave the client alone,
    # pending evaluation for possible hospitalization (§2.5: continuous monitoring).
    return [_act("notify_clinician", "Notify the lead clinician", 0),
            _act("stay_with_client", "Stay with the client; do not leave them alone", 0),
            _act("consult_on_call", "Consult the on-call clinician", 15),
            _act("evaluate_for_hospitalization", "Evaluate for possible hospitalization", HOUR),
            _act("safety_plan_review", "Review the safety plan with the client", HOUR),
            _document()]


def _emergency() -> list[Action]:
    # §2.3 emergency: activate local emergency services, via the PSAP for the client's
    # address (§4.3); §3.7 notify an emergency contact; §6.2-6.3 log disclosures. §2.51 asks
    # for its record "immediately" after the disclosure; 30 minutes is this program's reading.
    return [_act("emergency_protocol", "Start the emergency protocol (client's local PSAP)", 0),
            _act("stay_with_client", "Stay with the client; do not leave them alone", 0),
            _act("notify_on_call", "Notify the on-call clinician", 0),
            _act("notify_emergency_contact", "Notify the emergency contact (check consent)", 15),
            _act("record_disclosures", "Record each disclosure and its legal basis", 30),
            _document()]


class TriagePolicy(_Strict):
    """Each level's actions. A program overrides a level by giving its whole list."""

    none: list[Action] = Field(default_factory=_none)
    low: list[Action] = Field(default_factory=_low)
    moderate: list[Action] = Field(default_factory=_moderate)
    high: list[Action] = Field(default_factory=_high)
    emergency: list[Action] = Field(default_factory=_emergency)

    @model_validator(mode="after")
    def _sound(self) -> TriagePolicy:
        for lvl in Level:
            keys = [a.key for a in self.actions(lvl)]
            if len(set(keys)) != len(keys):
                raise ValueError(f"{lvl} lists an action twice")
        if not any(a.within_minutes == 0 for a in self.emergency):
            raise ValueError("emergency needs at least one immediate action (within_minutes 0)")
        return self

    def actions(self, level: Level) -> list[Action]:
        return {Level.NONE: self.none, Level.LOW: self.low, Level.MODERATE: self.moderate,
                Level.HIGH: self.high, Level.EMERGENCY: self.emergency}[level]


def checklist(level: Level, policy: TriagePolicy, started_ms: int) -> list[ChecklistItem]:
    """The level's actions with due times from ``started_ms``, soonest first (ties keep the
    policy's order)."""
    items = [ChecklistItem(level=level, key=a.key, title=a.title,
                           due_ms=started_ms + a.within_minutes * MINUTE_MS)
             for a in policy.actions(level)]
    return sorted(items, key=lambda item: item.due_ms)
