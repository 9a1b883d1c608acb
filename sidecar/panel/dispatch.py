"""The panel's dispatch card (pure): whom to call for the client's address, where they
are and how sure we are of it, and what responders must know. Built from the record, this
session's check-in and the locale directory's answer for the address."""

from __future__ import annotations

from typing import Any

from sidecar.checkin.store import CheckIn, CheckInStatus
from sidecar.records.directory import DirectoryMatch
from sidecar.records.model import ClientRecord, Location

PRESENT = {"alone": "alone", "others": "someone else is there",
           "prefer_not_to_say": "would rather not say"}


def responders(match: DirectoryMatch | None) -> dict[str, Any]:
    """The 911 centre (PSAP) covering the address, the mobile crisis team and the rest."""
    country = match.country if match else None
    entry = match.entry if match else None
    mobile = entry.mobile_crisis if entry else None
    return {
        "emergency_number": country.emergency_numbers[0] if country else "911",
        "crisis_line": country.crisis_line if country else "",
        "psap_name": entry.psap_name if entry else "",
        "psap_number": entry.psap_number if entry else "",
        "mobile_crisis": mobile.model_dump(mode="json") if mobile else None,
        "non_police_options": list(entry.non_police_options) if entry else [],
        "notes": entry.notes if entry else "",
        "advice": "" if match and match.covered else (
            match.advice if match else "No address to look up: ask the client where they are"),
    }


def _source(checkin: CheckIn | None, status: CheckInStatus | None) -> dict[str, Any]:
    stale = bool(status and status.stale)
    return {"location_source": "this session's check-in" if checkin else "on file",
            "stale": stale, "moved_at": status.moved_ms if status and stale else None,
            "checked_in_at": checkin.at_ms if checkin else None}


def dispatch(record: ClientRecord, checkin: CheckIn | None, status: CheckInStatus | None,
             match: DirectoryMatch | None) -> dict[str, Any]:
    here: Location | None = checkin.location if checkin else record.location
    c = record.considerations
    return {
        "client": record.id, "name": record.name,
        "callback_phone": checkin.callback_phone if checkin else record.callback_phone,
        **_source(checkin, status),
        "others_present": checkin.others_present if checkin else None,
        "who_is_present": PRESENT.get(checkin.others_present, "") if checkin else "",
        "location": here.model_dump() if here else None,
        "address": here.one_line() if here else None,
        "room": here.room if here else None,
        "location_on_file": record.location.one_line() if record.location else None,
        "emergency_contacts": [e.model_dump(mode="json") for e in record.emergency_contacts
                               if {"notify_crisis", "responders_may_call"} & set(e.consent)],
        "support_contacts": [{"name": e.name, "relation": e.relation, "phone": e.phone}
                             for e in record.consented_contacts("callback_ladder")],
        "considerations": {"prefer_non_police": c.prefer_non_police,
                           "known_risks": c.known_risks, "access_notes": c.access_notes,
                           "pets": c.pets, "household": c.household, "guardian": c.guardian,
                           "medical_notes": c.medical_notes,
                           "rural_travel_minutes": c.rural_travel_minutes},
        "responders": responders(match),
    }
