"""A check-in's rules on submit: the fields the program requires (a 400 naming each), and
what a stored check-in raises for the clinicians only, never for the group: a code word in
its note (``alert.code_word``), a place outside the program's licences
(``alert.outside_license``). Neither check ever stops a check-in from being stored."""

from __future__ import annotations

import json

from pydantic import ValidationError

from sidecar.checkin.store import CheckIn, CheckInBody
from sidecar.clinical.checkin_rules import (
    CheckInRequirements,
    missing_fields,
    outside_licensed,
    subdivision_code,
)
from sidecar.infra.config import CheckInPolicy
from sidecar.infra.timeline import entry
from sidecar.presence.meetings import MeetingStore
from sidecar.records.clients import ClientStore
from sidecar.records.codewords import occurs
from sidecar.records.model import Location

REQUIRED = "your care team needs this for every session"
FieldError = dict[str, str]


def _covered(name: str, named: set[str]) -> bool:
    """Already reported, as itself, a part of it, or the whole it belongs to."""
    return any(n == name or n.startswith(name + ".") or name.startswith(n + ".")
               for n in named)


def parse(raw: bytes, rules: CheckInRequirements) -> tuple[CheckInBody | None,
                                                            list[FieldError]]:
    """The body, or every problem with it: the model's, then the program's required
    fields that are blank (each field named once, in the form's ``{field, message}``)."""
    body, errors = None, []
    try:
        body = CheckInBody.model_validate_json(raw)
    except ValidationError as exc:
        errors = [{"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]}
                  for e in exc.errors()]
    try:
        values = json.loads(raw)
    except (ValueError, RecursionError):
        return None, errors or [{"field": "body", "message": "not a readable form"}]
    if isinstance(values, dict):
        named = {e["field"] for e in errors}
        errors += [{"field": f, "message": REQUIRED} for f in missing_fields(values, rules)
                   if not _covered(f, named)]
    return (body if not errors else None), errors


def outside_region(policy: CheckInPolicy, place: Location) -> str | None:
    """The place's region when it is outside ``licensed_regions`` (None: inside, or no
    list). A region that cannot be coded is reported by its country only: what the client
    typed stays in the encrypted check-in, off the timeline."""
    if not policy.licensed_regions:
        return None
    if not outside_licensed(place.region, place.country, policy.licensed_regions):
        return None
    return (subdivision_code(place.region, place.country)
            or f"{place.country.upper()[:2]} (region not recognised)")


async def review(meetings: MeetingStore, clients: ClientStore, policy: CheckInPolicy,
                 meeting: str, new: CheckIn, previous: CheckIn | None) -> None:
    """Alerts for a stored check-in; what an earlier one already raised is not raised
    again (the same note, the same region)."""
    region = outside_region(policy, new.location)
    if region and (previous is None or outside_region(policy, previous.location) != region):
        await meetings.append(meeting, entry("alert.outside_license", new.at_ms,
                                             client=new.client, region=region))
    note = (new.note or "").strip()
    if not note or (previous is not None and (previous.note or "").strip() == note):
        return
    words = await clients.code_words([new.client], actor="codewords",
                                     purpose=f"checkin-note:{meeting}")
    if occurs(note, words.get(new.client, [])):
        await meetings.append(meeting, entry("alert.code_word", new.at_ms,
                                             client=new.client, source="checkin"))
