"""Rules about a session check-in: which fields a program requires, when a check-in no
longer says where the client is, and whether that place is outside the clinicians' licences.

Location is asked at the start of every session (docs/sources.md §3.1, §3.5), and the
jurisdiction is checked against licensure (§3.6, Maryland B(2)). A check-in from before this
session, or one the client has since moved away from, cannot guide a dispatch.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from pydantic import BaseModel, ConfigDict, Field, field_validator

# The fields of sidecar.checkin.store.CheckInBody; location's own fields are named "location.x".
CHECKIN_FIELDS = ("location", "callback_phone", "emergency_contact_ok", "emergency_contact",
                  "others_present", "note")
LOCATION_FIELDS = ("street", "unit", "city", "region", "postal_code", "country", "room")
FIELD_NAMES = frozenset(CHECKIN_FIELDS) | {f"location.{f}" for f in LOCATION_FIELDS}

_SUBDIVISION = re.compile(r"^[A-Z]{2}-[A-Z0-9]{1,3}$")  # ISO 3166-2, e.g. US-CA


def _default_required() -> list[str]:
    # §3.6: address, callback number (MD B(1)), who else is present (MD B(3)), whether the
    # emergency contact is still right (HHS).
    return ["location", "callback_phone", "others_present", "emergency_contact_ok"]


class CheckInRequirements(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    required: list[str] = Field(default_factory=_default_required)

    @field_validator("required")
    @classmethod
    def _known(cls, v: list[str]) -> list[str]:
        unknown = sorted(set(v) - FIELD_NAMES)
        if unknown:
            raise ValueError(f"not check-in fields: {unknown}")
        if len(set(v)) != len(v):
            raise ValueError("a required field is listed twice")
        return v


def _value(values: Mapping[str, object], name: str) -> object:
    head, _, rest = name.partition(".")
    value = values.get(head)
    if not rest:
        return value
    return value.get(rest) if isinstance(value, Mapping) else None


def _blank(value: object) -> bool:
    """No answer. ``False`` is an answer (say, "my emergency contact has changed")."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, Mapping | list | tuple) and not value


def missing_fields(values: Mapping[str, object], rules: CheckInRequirements) -> list[str]:
    """The required fields with no answer in ``values`` (a check-in as plain data)."""
    return [name for name in rules.required if _blank(_value(values, name))]


def is_stale(checked_in_ms: int, moved_ms: int | None, session_started_ms: int) -> bool:
    """Stale if it was made before this session started, or the client said they moved at or
    after it (a tie counts as moved: asking again is the safe side)."""
    if checked_in_ms < session_started_ms:
        return True
    return moved_ms is not None and moved_ms >= checked_in_ms


def subdivision_code(region_code: str, country: str) -> str | None:
    """``"CA", "us"`` -> ``"US-CA"``; a region already coded ``"US-CA"`` is kept if its
    country matches. None when the two cannot make an ISO 3166-2 code."""
    region, cc = region_code.strip().upper(), country.strip().upper()
    code = region if region.startswith(f"{cc}-") else f"{cc}-{region}"
    return code if _SUBDIVISION.match(code) else None


def outside_licensed(region_code: str, country: str, licensed: Iterable[str]) -> bool:
    """True unless the place is one of the ``licensed`` subdivisions (like ``"US-CA"``). A
    place we cannot code (a blank region, a region name) counts as outside, so it is raised
    with the clinicians rather than assumed fine."""
    allowed = {c.strip().upper() for c in licensed}
    bad = sorted(c for c in allowed if not _SUBDIVISION.match(c))
    if bad:
        raise ValueError(f"licensed jurisdictions must be ISO 3166-2 codes like US-CA: {bad}")
    code = subdivision_code(region_code, country)
    return code is None or code not in allowed
