"""Required check-in fields, stale check-ins, and licensed jurisdictions."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from sidecar.checkin.store import CheckInBody
from sidecar.clinical.checkin_rules import (
    CHECKIN_FIELDS,
    LOCATION_FIELDS,
    CheckInRequirements,
    is_stale,
    missing_fields,
    outside_licensed,
    subdivision_code,
)
from sidecar.records.model import Location

BODY = CheckInBody(
    location=Location(street="100 Example Ave", unit="Apt 4", city="Springfield", region="IL",
                      postal_code="62701", country="US", room="kitchen"),
    callback_phone="+13125550142", emergency_contact_ok=False, others_present="alone")


def test_field_names_match_the_check_in_models() -> None:
    # the privacy answers are never required: a client who cannot answer still checks in
    assert set(CHECKIN_FIELDS) == set(CheckInBody.model_fields) - {"privacy"}
    with pytest.raises(ValueError, match="not check-in fields"):
        CheckInRequirements(required=["privacy"])
    assert set(LOCATION_FIELDS) == set(Location.model_fields)


def test_a_real_check_in_has_every_default_field() -> None:
    assert missing_fields(BODY.model_dump(), CheckInRequirements()) == []
    assert CheckInRequirements().required == ["location", "callback_phone", "others_present",
                                              "emergency_contact_ok"]


def test_missing_and_blank_fields() -> None:
    rules = CheckInRequirements(required=["callback_phone", "others_present", "location.unit",
                                          "location.room", "emergency_contact_ok",
                                          "emergency_contact"])
    values: dict[str, object] = {
        "callback_phone": "  ", "location": {"unit": "", "room": "bedroom"},
        "emergency_contact_ok": False, "emergency_contact": {}}
    assert missing_fields(values, rules) == ["callback_phone", "others_present",
                                             "location.unit", "emergency_contact"]


def test_location_subfield_without_a_location() -> None:
    rules = CheckInRequirements(required=["location.street"])
    assert missing_fields({"location": None}, rules) == ["location.street"]
    assert missing_fields({"location": "somewhere"}, rules) == ["location.street"]


@pytest.mark.parametrize(("required", "message"), [
    (["shoe_size"], "not check-in fields: \\['shoe_size'\\]"),
    (["location.planet"], "location.planet"),
    (["location", "location"], "listed twice"),
])
def test_unknown_required_fields_are_refused(required: list[str], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        CheckInRequirements(required=required)


START = 1_772_940_600_000


@pytest.mark.parametrize(("checked_in", "moved", "stale"), [
    (START - 1, None, True),  # from before this session
    (START - 3_600_000, None, True),
    (START, None, False),  # at the start counts as this session
    (START + 60_000, None, False),
    (START + 60_000, START + 120_000, True),  # moved after checking in
    (START + 60_000, START + 60_000, True),  # a tie is treated as moved
    (START + 60_000, START + 30_000, False),  # the move came before this check-in
    (START - 1, START - 1_000, True),
])
def test_is_stale(checked_in: int, moved: int | None, stale: bool) -> None:
    assert is_stale(checked_in, moved, START) is stale


@given(st.integers(0, 10**13), st.none() | st.integers(0, 10**13), st.integers(0, 10**13),
       st.integers(0, 10**9))
def test_a_later_session_never_freshens_a_check_in(
        checked_in: int, moved: int | None, start: int, later: int) -> None:
    if is_stale(checked_in, moved, start):
        assert is_stale(checked_in, moved, start + later)


@pytest.mark.parametrize(("region", "country", "licensed", "outside"), [
    ("CA", "US", ["US-CA"], False),
    ("ca", "us", [" us-ca "], False),
    ("US-CA", "US", ["US-CA"], False),
    ("NV", "US", ["US-CA", "US-OR"], True),
    ("OR", "US", ["US-CA", "US-OR"], False),
    ("ON", "CA", ["US-CA"], True),  # Ontario, Canada
    ("CA", "CA", ["US-CA"], True),  # "CA" in Canada is not California
    ("US-CA", "CA", ["US-CA"], True),  # region and country disagree
    ("", "US", ["US-CA"], True),  # unknown: raised rather than assumed fine
    ("California", "US", ["US-CA"], True),
    ("CA", "", ["US-CA"], True),
    ("CA", "US", [], True),
])
def test_outside_licensed(region: str, country: str, licensed: list[str], outside: bool) -> None:
    assert outside_licensed(region, country, licensed) is outside


def test_licensed_codes_must_be_iso_3166_2() -> None:
    with pytest.raises(ValueError, match="ISO 3166-2 codes like US-CA: \\['CALIFORNIA'\\]"):
        outside_licensed("CA", "US", ["US-NY", "California"])


def test_subdivision_code() -> None:
    assert subdivision_code(" il ", "US") == "US-IL"
    assert subdivision_code("NZ-AUK", "nz") == "NZ-AUK"
    assert subdivision_code("Illinois", "US") is None
