"""Consent scopes, audited overrides, and the Part 2 medical-personnel rule."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from sidecar.clinical.consent import (
    MEDICAL_PERSONNEL,
    ConsentGrant,
    Contact,
    Override,
    Part2Disclosure,
    Part2Refused,
    RecipientKind,
    Scope,
    check_part2_disclosure,
    may_contact,
)

CHICAGO = ZoneInfo("America/Chicago")
NOW = datetime(2026, 2, 1, 10, 0, tzinfo=CHICAGO)
SISTER = Contact(name="Rowan Vale", relation="sister", consents=[
    ConsentGrant(scope=Scope.NOTIFY_CRISIS, given_on=date(2026, 1, 10)),
    ConsentGrant(scope=Scope.RESPONDERS_MAY_CALL, given_on=date(2026, 1, 10),
                 expires_on=date(2026, 1, 31)),
    ConsentGrant(scope=Scope.RECEIVE_SAFETY_PLAN, given_on=date(2026, 2, 2)),
])
DUTY = Override(by="dr.okafor", basis="hipaa_164_512_j",
                reason="client left the session saying goodbye; imminent danger")


def test_consent_in_scope_allows_without_override() -> None:
    d = may_contact(SISTER, Scope.NOTIFY_CRISIS, NOW)
    assert (d.allowed, d.override_used, d.override) == (True, False, None)
    assert d.reason == "The client agreed that Rowan may be told about a crisis."


def test_no_contact_without_scope() -> None:
    bare = Contact(name="Ash Moreno")
    d = may_contact(bare, Scope.NOTIFY_CRISIS, NOW)
    assert (d.allowed, d.override_used) == (False, False)
    assert d.reason == ("The client has not agreed that Ash may be told about a crisis. "
                        "To contact Ash anyway, choose why and say so.")
    named = may_contact(bare, Scope.NOTIFY_CRISIS, NOW, client="Casey")
    assert named.reason.startswith("Casey has not agreed that Ash may be told about a crisis.")
    assert "notify_crisis" not in named.reason and "override" not in named.reason


def test_expired_and_future_consent_do_not_count() -> None:
    expired = may_contact(SISTER, Scope.RESPONDERS_MAY_CALL, NOW)
    assert not expired.allowed
    assert expired.reason.startswith(
        "The client's agreement that Rowan may be called by responders ended on 31 January 2026.")
    future = may_contact(SISTER, Scope.RECEIVE_SAFETY_PLAN, NOW)
    assert not future.allowed
    assert future.reason.startswith(
        "The client's agreement that Rowan may receive the safety plan starts on 2 February 2026.")


def test_consent_dates_use_the_local_date_of_now() -> None:
    # 2026-02-01T03:00Z is still 31 January in Chicago (21:00 CST): the last valid day.
    utc_now = datetime(2026, 2, 1, 3, 0, tzinfo=UTC)
    assert not may_contact(SISTER, Scope.RESPONDERS_MAY_CALL, utc_now).allowed
    assert may_contact(SISTER, Scope.RESPONDERS_MAY_CALL, utc_now.astimezone(CHICAGO)).allowed


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        may_contact(SISTER, Scope.NOTIFY_CRISIS, datetime(2026, 2, 1, 10, 0))


def test_override_with_reason_is_allowed_and_recorded() -> None:
    d = may_contact(Contact(name="Ash Moreno"), Scope.NOTIFY_CRISIS, NOW, override=DUTY)
    assert (d.allowed, d.override_used, d.override) == (True, True, DUTY)
    assert d.reason == ("The client has not agreed that Ash may be told about a crisis. "
                        "Contacted anyway by dr.okafor, because of a serious and imminent "
                        "threat (HIPAA 164.512(j)).")


def test_override_is_not_used_when_consent_covers_it() -> None:
    d = may_contact(SISTER, Scope.NOTIFY_CRISIS, NOW, override=DUTY)
    assert (d.allowed, d.override_used, d.override) == (True, False, None)


@pytest.mark.parametrize("reason", ["", "   ", "\n\t"])
def test_override_needs_a_reason(reason: str) -> None:
    with pytest.raises(ValidationError, match="at least 1 character"):
        Override(by="dr.okafor", basis="duty_to_protect", reason=reason)


def test_override_needs_who_and_a_known_basis() -> None:
    with pytest.raises(ValidationError, match="by"):
        Override.model_validate({"basis": "other", "reason": "x"})
    with pytest.raises(ValidationError, match="basis"):
        Override.model_validate({"by": "dr.okafor", "basis": "because", "reason": "x"})


def test_unsound_consents_are_refused() -> None:
    with pytest.raises(ValidationError, match="one consent per scope"):
        Contact(name="Rowan Vale", consents=[
            ConsentGrant(scope=Scope.NOTIFY_CRISIS, given_on=date(2026, 1, 1)),
            ConsentGrant(scope=Scope.NOTIFY_CRISIS, given_on=date(2026, 1, 2))])
    with pytest.raises(ValidationError, match="expire before"):
        ConsentGrant(scope=Scope.NOTIFY_CRISIS, given_on=date(2026, 1, 2),
                     expires_on=date(2026, 1, 1))


def disclosure(kind: RecipientKind) -> Part2Disclosure:
    return Part2Disclosure(
        recipient_name="Paramedic J. Lindqvist", recipient_affiliation="Example County EMS",
        recipient_kind=kind, disclosed_by="dr.okafor",
        disclosed_at=datetime(2026, 2, 1, 16, 5, tzinfo=UTC),
        nature_of_emergency="overdose reported during group session")


def test_part2_to_medical_personnel_is_permitted() -> None:
    check_part2_disclosure(disclosure(RecipientKind.EMS))
    check_part2_disclosure(disclosure(RecipientKind.EMERGENCY_DEPARTMENT))


@pytest.mark.parametrize("kind", [RecipientKind.LAW_ENFORCEMENT,
                                  RecipientKind.FAMILY_OR_CAREGIVER,
                                  RecipientKind.OTHER_NON_MEDICAL])
def test_part2_to_non_medical_recipients_is_refused(kind: RecipientKind) -> None:
    with pytest.raises(Part2Refused, match=f"only to medical personnel, not to {kind.value}"):
        check_part2_disclosure(disclosure(kind))


def test_medical_personnel_are_exactly_these() -> None:
    assert {k.value for k in MEDICAL_PERSONNEL} == {
        "physician", "nurse", "ems", "emergency_department", "other_medical"}


def test_part2_record_has_the_four_fields() -> None:
    raw = disclosure(RecipientKind.NURSE).model_dump()
    with pytest.raises(ValidationError, match="timezone"):
        Part2Disclosure.model_validate({**raw, "disclosed_at": datetime(2026, 2, 1, 16, 5)})
    for field in ("recipient_name", "recipient_affiliation", "disclosed_by",
                  "nature_of_emergency"):
        with pytest.raises(ValidationError, match=field):
            Part2Disclosure.model_validate({**raw, field: "  "})
