"""Whom we may tell what: consent scopes on a client's contacts, audited overrides, and the
42 CFR Part 2 §2.51 emergency-disclosure record.

HHS asks for the client's authorization before releasing information to a support person
(docs/sources.md §3.1), so a contact is used only within a scope the client gave. In an
emergency HIPAA §164.512(j) still permits disclosure to someone able to lessen a serious and
imminent threat (§6.2); that is an override, which needs a reason and is marked on the
decision so the caller can audit it. Part 2 programs may disclose in an emergency only to
medical personnel, and must record who, by whom, when and why (§6.3).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, StringConstraints, model_validator

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Scope(StrEnum):
    NOTIFY_CRISIS = "notify_crisis"  # may be told the client is in crisis
    RECEIVE_SAFETY_PLAN = "receive_safety_plan"
    RESPONDERS_MAY_CALL = "responders_may_call"  # responders may phone this contact


class ConsentGrant(_Strict):
    scope: Scope
    given_on: date
    expires_on: date | None = None  # last day it holds; None: until withdrawn

    @model_validator(mode="after")
    def _ordered(self) -> ConsentGrant:
        if self.expires_on is not None and self.expires_on < self.given_on:
            raise ValueError("consent cannot expire before it was given")
        return self


class Contact(_Strict):
    """A client's emergency contact or caregiver, as far as consent is concerned."""

    name: Text
    relation: str = ""
    consents: list[ConsentGrant] = []

    @model_validator(mode="after")
    def _one_grant_per_scope(self) -> Contact:
        scopes = [g.scope for g in self.consents]
        if len(set(scopes)) != len(scopes):
            raise ValueError("one consent per scope; replace the old one instead")
        return self


LegalBasis = Literal["hipaa_164_512_j", "hipaa_164_510_b", "duty_to_protect", "other"]


class Override(_Strict):
    """Contacting without consent: who decided, on what basis, and why (never blank)."""

    by: Text  # staff id
    basis: LegalBasis
    reason: Text


class Decision(_Strict):
    allowed: bool
    scope: Scope
    reason: str
    override_used: bool = False
    override: Override | None = None


# What each scope lets us do, in the words a clinician reads on screen ("Dana may be told
# about a crisis"); the scope's code never reaches a person.
SCOPE_WORDS: dict[Scope, str] = {
    Scope.NOTIFY_CRISIS: "may be told about a crisis",
    Scope.RECEIVE_SAFETY_PLAN: "may receive the safety plan",
    Scope.RESPONDERS_MAY_CALL: "may be called by responders",
}
BASIS_WORDS: dict[str, str] = {
    "hipaa_164_512_j": "a serious and imminent threat (HIPAA 164.512(j))",
    "duty_to_protect": "the duty to protect",
    "hipaa_164_510_b": "their involvement in the client's care (HIPAA 164.510(b))",
    "other": "another reason",
}


def first_name(name: str) -> str:
    return name.split()[0] if name.split() else name


def _consent_gap(contact: Contact, scope: Scope, today: date, client: str) -> str | None:
    """Why the contact's consent does not cover ``scope`` today, in a sentence, or None."""
    grant = next((g for g in contact.consents if g.scope is scope), None)
    them, what = first_name(contact.name), SCOPE_WORDS[scope]
    if grant is None:
        return f"{client} has not agreed that {them} {what}."
    if today < grant.given_on:
        return f"{client}'s agreement that {them} {what} starts on {grant.given_on:%-d %B %Y}."
    if grant.expires_on is not None and today > grant.expires_on:
        return f"{client}'s agreement that {them} {what} ended on {grant.expires_on:%-d %B %Y}."
    return None


def may_contact(contact: Contact, purpose: Scope, now: datetime,
                override: Override | None = None, client: str = "The client") -> Decision:
    """Allowed within a current consent; otherwise only with an override, which the decision
    records. Consent dates are compared with ``now``'s own local date (pass the program's
    zone). An override is not used when consent already covers the purpose. ``client`` is
    how the reason names the client (their first name on screen)."""
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    gap = _consent_gap(contact, purpose, now.date(), client)
    them = first_name(contact.name)
    if gap is None:
        return Decision(allowed=True, scope=purpose,
                        reason=f"{client} agreed that {them} {SCOPE_WORDS[purpose]}.")
    if override is None:
        return Decision(allowed=False, scope=purpose,
                        reason=f"{gap} To contact {them} anyway, choose why and say so.")
    return Decision(allowed=True, scope=purpose, override_used=True, override=override,
                    reason=f"{gap} Contacted anyway by {override.by}, because of "
                           f"{BASIS_WORDS[override.basis]}.")


class RecipientKind(StrEnum):
    PHYSICIAN = "physician"
    NURSE = "nurse"
    EMS = "ems"
    EMERGENCY_DEPARTMENT = "emergency_department"
    OTHER_MEDICAL = "other_medical"
    LAW_ENFORCEMENT = "law_enforcement"
    FAMILY_OR_CAREGIVER = "family_or_caregiver"
    OTHER_NON_MEDICAL = "other_non_medical"


MEDICAL_PERSONNEL = frozenset({RecipientKind.PHYSICIAN, RecipientKind.NURSE, RecipientKind.EMS,
                               RecipientKind.EMERGENCY_DEPARTMENT, RecipientKind.OTHER_MEDICAL})


class Part2Disclosure(_Strict):
    """The written record §2.51 requires immediately after an emergency disclosure."""

    recipient_name: Text
    recipient_affiliation: Text  # their health care facility or EMS agency
    recipient_kind: RecipientKind
    disclosed_by: Text
    disclosed_at: AwareDatetime
    nature_of_emergency: Text


class Part2Refused(ValueError):
    """A Part 2 emergency disclosure that §2.51 does not permit."""


def check_part2_disclosure(disclosure: Part2Disclosure) -> None:
    """Raise ``Part2Refused`` unless the recipient is medical personnel (§2.51's text; whether
    police or other responders qualify is unconfirmed in the research, so they are refused)."""
    if disclosure.recipient_kind not in MEDICAL_PERSONNEL:
        raise Part2Refused(
            f"42 CFR §2.51 permits an emergency disclosure of Part 2 (substance-use) records "
            f"only to medical personnel, not to {disclosure.recipient_kind.value}; leave out "
            f"substance-use information and the program's Part 2 status, and seek legal review")
