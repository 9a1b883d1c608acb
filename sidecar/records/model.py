"""Client records: who a client is, where they usually are, whom we may call."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from sidecar.clinical.consent import ConsentGrant, Contact, Scope
from sidecar.infra.config import PHONE_PATTERN

# callback_ladder: may be called to reach the client when a callback goes unanswered;
# notify_crisis: may be told the client is in crisis; receive_safety_plan; responders_may_call:
# responders may phone them; aftercare: may get the caregiver check-in after an incident.
ConsentScope = Literal["callback_ladder", "notify_crisis", "receive_safety_plan",
                       "responders_may_call", "aftercare"]
_LEGACY_SCOPES = {"emergency": ("notify_crisis", "responders_may_call")}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Location(_Strict):
    street: str = Field(min_length=1, max_length=200)
    unit: str = Field(default="", max_length=50)
    city: str = Field(min_length=1, max_length=100)
    region: str = Field(min_length=1, max_length=100)
    postal_code: str = Field(min_length=1, max_length=20)
    country: str = Field(min_length=2, max_length=2)
    room: str = Field(default="", max_length=100)

    def one_line(self) -> str:
        unit = f", {self.unit}" if self.unit else ""
        return (f"{self.street}{unit}, {self.city}, {self.region} {self.postal_code}, "
                f"{self.country}")


class EmergencyContact(_Strict):
    # stable within the client's record, kept across edits (records.contact_ids); links
    # and coaching pages for a caregiver hang on it. Empty: the store gives one on save.
    id: str = Field(default="", pattern=r"^[a-z0-9]{0,16}$")
    name: str = Field(min_length=1, max_length=200)
    relation: str = Field(default="", max_length=50)
    phone: str = Field(pattern=PHONE_PATTERN)
    consent: list[ConsentScope] = []
    consent_given_on: date | None = None  # when the client gave these scopes
    consent_expires_on: date | None = None  # last day they hold; None: until withdrawn
    speaks_to_responders: bool = False  # the household member who talks to responders
    # the client chose to let this contact know their code words (shown on the contact's
    # plan page, sidecar/plan); never without the client's say
    shares_code_words: bool = False
    # where plan links may also be e-mailed (when the program has TETHER_SMTP_URL set)
    email: str | None = Field(default=None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")

    @field_validator("consent", mode="before")
    @classmethod
    def _legacy(cls, v: Any) -> Any:
        """Records written before the scopes were split say "emergency" for both."""
        if not isinstance(v, list):
            return v
        out: list[Any] = []
        for scope in v:
            for s in _LEGACY_SCOPES.get(scope, (scope,)) if isinstance(scope, str) else (scope,):
                if s not in out:
                    out.append(s)
        return out

    def for_consent(self, today: date) -> Contact:
        """This contact as the consent rules see it (clinical.consent). Scopes without a
        date are taken as given today: the record is what the admin vouches for now."""
        given = self.consent_given_on or today
        grants = [ConsentGrant(scope=Scope(c), given_on=given,
                               expires_on=self.consent_expires_on)
                  for c in self.consent if c in Scope.__members__.values()]
        return Contact(name=self.name, relation=self.relation, consents=grants)


class SafetyPlan(_Strict):
    """The client's safety plan, in the project's own section wording (the Stanley-Brown
    form itself may not be reproduced without its authors' permission)."""

    warning_signs: list[str] = []  # what tells me a crisis may be coming
    coping_on_my_own: list[str] = []  # things I can do by myself to feel better
    people_and_places_that_help: list[str] = []  # for company and distraction
    people_to_ask_for_help: list[str] = []
    professionals_and_crisis_lines: list[str] = []
    making_home_safer: list[str] = []
    reasons_for_living: list[str] = []
    last_reviewed: date | None = None
    review_every_days: int = Field(default=90, ge=7, le=365)

    @property
    def review_due(self) -> date | None:
        if self.last_reviewed is None:
            return None
        return self.last_reviewed + timedelta(days=self.review_every_days)


class Considerations(_Strict):
    """What responders and the team must know, shown wherever it matters."""

    guardian: str = Field(default="", max_length=300)  # an adolescent's guardian; how to reach
    household: str = Field(default="", max_length=300)  # roommates, partner: who may be there
    rural_travel_minutes: int | None = Field(default=None, ge=0, le=600)
    prefer_non_police: bool = False  # ask for the mobile crisis team first where there is one
    pets: str = Field(default="", max_length=300)  # who cares for them; "leash the dog first"
    access_notes: str = Field(default="", max_length=300)  # gate code, which door
    known_risks: str = Field(default="", max_length=500)
    medical_notes: str = Field(default="", max_length=500)


class ClientRecord(_Strict):
    id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    name: str = Field(min_length=1, max_length=200)
    callback_phone: str = Field(pattern=PHONE_PATTERN)
    location: Location | None = None
    emergency_contacts: list[EmergencyContact] = []
    zoom_display_names: list[str] = []
    zoom_emails: list[str] = []
    zoom_registrant_ids: list[str] = []
    zoom_user_ids: list[str] = []  # the "uid" in the Zoom App's context (signed-in clients)
    safety_plan: SafetyPlan = SafetyPlan()
    considerations: Considerations = Considerations()
    # private words or phrases meaning "I am not safe / cannot talk freely"; only the care
    # team ever sees them, and a match alerts the clinicians' panels only
    code_words: list[str] = Field(default=[], max_length=5)
    # the client agreed to texts from the program when the connection drops (rejoin link,
    # "reply 1 if you are OK, 2 if you want a call")
    sms_consent: bool = False

    @field_validator("emergency_contacts")
    @classmethod
    def _contact_ids(cls, v: list[EmergencyContact]) -> list[EmergencyContact]:
        ids = [c.id for c in v if c.id]
        if len(set(ids)) != len(ids):
            raise ValueError("two contacts have the same id; leave it empty for a new contact")
        return v

    @field_validator("code_words")
    @classmethod
    def _code_words(cls, v: list[str]) -> list[str]:
        words = [w.strip() for w in v]
        if any(len(w) < 3 or len(w) > 60 for w in words):
            raise ValueError("a code word is 3 to 60 characters")
        return words

    def consented_contacts(self, scope: ConsentScope) -> list[EmergencyContact]:
        return [c for c in self.emergency_contacts if scope in c.consent]


class ClientFile(_Strict):
    clients: list[ClientRecord]


PHI_FIELDS = ("name", "callback_phone", "location", "emergency_contacts", "identities", "care")
