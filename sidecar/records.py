"""Client records: who a client is, where they usually are, whom we may call."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from sidecar.config import PHONE_PATTERN

ConsentScope = Literal["callback_ladder", "emergency", "aftercare"]


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
    name: str = Field(min_length=1, max_length=200)
    relation: str = Field(default="", max_length=50)
    phone: str = Field(pattern=PHONE_PATTERN)
    consent: list[ConsentScope] = []


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

    def consented_contacts(self, scope: ConsentScope) -> list[EmergencyContact]:
        return [c for c in self.emergency_contacts if scope in c.consent]


class ClientFile(_Strict):
    clients: list[ClientRecord]


PHI_FIELDS = ("name", "callback_phone", "location", "emergency_contacts", "identities")
