"""The emergency card and the warm-handoff summary (pure): what the co-facilitator reads to
responders, and what the receiving facility gets. Built from the client's record, this
session's check-in and the locale directory; it says where each fact came from and what
is missing, because a wrong address or the wrong 911 centre costs minutes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sidecar.checkin.store import CheckIn
from sidecar.clinical.consent import SCOPE_WORDS
from sidecar.incidents.model import Incident
from sidecar.records.model import ClientRecord


@dataclass(frozen=True)
class Responders:
    """Whom to call for the client's address (from the locale directory)."""

    emergency_number: str = "911"  # the country's, as text ("000" stays "000")
    psap_name: str = ""
    psap_number: str = ""  # the 10-digit line of the 911 centre covering the address
    mobile_crisis: str = ""
    crisis_line: str = ""
    nearest_ed: str = ""
    after_hours_line: str = ""
    non_police_options: list[str] = field(default_factory=list)
    note: str = ""  # e.g. "no 911 centre on file for this address"


def _when(ms: int | None, tz: str) -> str | None:
    if ms is None:
        return None
    return datetime.fromtimestamp(ms / 1000, tz=UTC).astimezone(ZoneInfo(tz)).strftime(
        "%Y-%m-%d %H:%M %Z")


def whom_to_call(r: Responders) -> str:
    """One sentence, first thing on the card: a clinician's own 911 call reaches their own
    911 centre, not the client's."""
    if r.psap_number:
        return (f"Call {r.psap_name or 'the 911 centre'} for the client's address at "
                f"{r.psap_number} (your own {r.emergency_number} reaches your area, not "
                f"theirs).")
    return (f"No 911 centre number on file for this address: call {r.emergency_number}, say "
            f"the client is remote, and give the full address below; ask to be transferred.")


def dispatch_card(record: ClientRecord, checkin: CheckIn | None, stale: bool,
                  responders: Responders, tz: str) -> dict[str, Any]:
    here = checkin.location if checkin else record.location
    c = record.considerations
    present = {"alone": "alone", "others": "someone else is there",
               "prefer_not_to_say": "would rather not say"}
    return {
        "whom_to_call": whom_to_call(responders),
        "client": record.id, "name": record.name,
        "address": here.one_line() if here else None,
        "room": here.room if here else None,
        "location_source": ("this session's check-in" if checkin else "on file")
        + (" (STALE: the client said they moved; confirm where they are)" if stale else ""),
        "checked_in_at": _when(checkin.at_ms if checkin else None, tz),
        "callback_phone": checkin.callback_phone if checkin else record.callback_phone,
        "who_is_present": present.get(checkin.others_present, "") if checkin else "unknown",
        "client_note": checkin.note if checkin else "",  # "anything else" at check-in
        "safety_plan": record.safety_plan.model_dump(mode="json"),
        "household": c.household, "guardian": c.guardian,
        "known_risks": c.known_risks, "medical_notes": c.medical_notes,
        "access_notes": c.access_notes, "pets": c.pets,
        "rural_travel_minutes": c.rural_travel_minutes,
        "prefer_non_police": c.prefer_non_police,
        "responders": {
            "emergency_number": responders.emergency_number,
            "psap_name": responders.psap_name, "psap_number": responders.psap_number,
            "mobile_crisis": responders.mobile_crisis, "crisis_line": responders.crisis_line,
            "nearest_ed": responders.nearest_ed, "after_hours_line": responders.after_hours_line,
            "non_police_options": responders.non_police_options, "note": responders.note},
        "contacts": [
            {"name": e.name, "relation": e.relation, "phone": e.phone,
             "may_be_told": "notify_crisis" in e.consent,
             "responders_may_call": "responders_may_call" in e.consent,
             "speaks_to_responders": e.speaks_to_responders,
             "agreed": [words for scope, words in SCOPE_WORDS.items() if scope in e.consent]}
            for e in record.emergency_contacts],
    }


def handoff_summary(incident: Incident, record: ClientRecord, checkin: CheckIn | None,
                    facility: str, program: str, tz: str) -> str:
    """Plain text for the receiving facility: who, where, what happened, what was done."""
    here = checkin.location if checkin else record.location
    lines = [f"Warm handoff from {program} to {facility}",
             f"Client: {record.name}",
             f"Location: {here.one_line() if here else 'unknown'}"
             + (f" ({here.room})" if here and here.room else ""),
             f"Callback number: {checkin.callback_phone if checkin else record.callback_phone}",
             f"Incident opened {_when(incident.opened_ms, tz)} ({incident.trigger})"]
    for s in incident.screens:
        yes = sorted(n for n, a in s.answers.items() if a)
        lines.append(f"C-SSRS since last contact at {_when(s.at_ms, tz)}: tier {s.tier.value}, "
                     f"yes to item(s) {yes or 'none'}; level {s.level.value}")
    if incident.emergency_ms is not None:
        lines.append(f"Emergency protocol started {_when(incident.emergency_ms, tz)}")
    for key, tick in incident.steps.items():
        lines.append(f"- {key.replace('_', ' ')}: {_when(tick.at_ms, tz)} by {tick.by}"
                     + (f" ({tick.note})" if tick.note else ""))
    c = record.considerations
    for label, text in (("Known risks", c.known_risks), ("Medical notes", c.medical_notes),
                        ("Guardian", c.guardian), ("Household", c.household),
                        ("Pets", c.pets)):
        if text:
            lines.append(f"{label}: {text}")
    plan = record.safety_plan
    if plan.warning_signs or plan.coping_on_my_own:
        lines.append("Safety plan: warning signs: " + "; ".join(plan.warning_signs)
                     + ". Coping: " + "; ".join(plan.coping_on_my_own))
    return "\n".join(lines)
