"""The emergency card, contacting supports within consent, Part 2 disclosures and the warm
handoff. Every PHI read and every contact decision is audited; an override of consent
needs a legal basis and a reason, and is audited as such."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from aiohttp import web
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from sidecar.clinical.consent import (
    LegalBasis,
    Override,
    Part2Disclosure,
    Part2Refused,
    RecipientKind,
    Scope,
    check_part2_disclosure,
    first_name,
    may_contact,
)
from sidecar.incidents import answers
from sidecar.incidents.card import dispatch_card, handoff_summary
from sidecar.incidents.deps import IncidentDeps
from sidecar.incidents.model import ContactRecord, Handoff, Incident
from sidecar.incidents.responders import lookup_responders
from sidecar.incidents.routes import body_of, change, load, now_ms, view, who
from sidecar.incidents.triage_routes import SECURE_THE_GROUP
from sidecar.infra.access import on_incident, rule
from sidecar.infra.apidoc import described
from sidecar.infra.timeline import entry
from sidecar.records.model import ClientRecord
from sidecar.records.oncall import on_call_now

routes = web.RouteTableDef()


def _words(text: str) -> str:
    if not text.strip():
        raise ValueError("write it out: spaces alone say nothing")
    return text.strip()


Words = Annotated[str, AfterValidator(_words)]  # text with words in it, kept trimmed


class ContactBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    contact: str = Field(min_length=1, max_length=200)  # the contact's name on the record
    purpose: Scope
    override_basis: LegalBasis | None = None
    override_reason: str = Field(default="", max_length=500)


class DisclosureBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    recipient_name: Words = Field(max_length=200)
    recipient_affiliation: Words = Field(max_length=200)
    recipient_kind: RecipientKind
    nature_of_emergency: Words = Field(max_length=500)


class HandoffBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    facility: str = Field(default="", max_length=200)


async def _record(t: IncidentDeps, incident: Incident, actor: str, purpose: str) -> ClientRecord:
    record = await t.clients.get(incident.client, actor=actor, purpose=purpose)
    if record is None:
        raise web.HTTPNotFound(text="no record on file for this client")
    return record


@routes.get("/api/incidents/{incident}/card")
@rule(on_incident())
@described(answer=answers.EmergencyCard)
async def card(request: web.Request) -> web.Response:
    """The emergency card: whom to call, the exact address and room, who is there."""
    t, me = who(request)
    incident = await load(t, request.match_info["incident"])
    record = await _record(t, incident, me.staff_id, f"emergency-card:{incident.id}")
    checkin = await t.checkins.get(incident.meeting, incident.client, me.staff_id,
                                   f"emergency-card:{incident.id}")
    status = (await t.checkins.statuses(incident.meeting)).get(incident.client)
    here = checkin.location if checkin else record.location
    out = dispatch_card(record, checkin, bool(status and status.stale),
                        await lookup_responders(t.directory, here), t.config.program.time_zone)
    out["incident"] = incident.id
    out["part2_program"] = t.config.part2_program
    out["group_script"] = SECURE_THE_GROUP  # what the other facilitators tell the group
    out["on_call"] = [{"name": s.name, "phone": s.phone}
                      for s in on_call_now(t.config, now_ms(t))]
    return web.json_response(out)


@routes.post("/api/incidents/{incident}/contacts")
@rule(on_incident())
@described(ContactBody, answer=answers.ContactDecision, answers={403: answers.ContactDecision})
async def contact(request: web.Request) -> web.Response:
    """May we tell this person? Within the client's consent, or by override with a reason.
    A refusal is 403 and says what is missing; nothing is recorded as contacted."""
    t, me = who(request)
    body = await body_of(request, ContactBody)
    incident = await load(t, request.match_info["incident"])
    record = await _record(t, incident, me.staff_id, f"contact:{incident.id}")
    person = next((c for c in record.emergency_contacts if c.name == body.contact), None)
    if person is None:
        raise web.HTTPNotFound(text="No contact of that name is on the client's record.")
    client = first_name(record.name)
    override = None
    if body.override_basis is not None:
        if not body.override_reason.strip():
            raise web.HTTPBadRequest(text=f"Say why you are contacting "
                                          f"{first_name(person.name)} without {client}'s "
                                          f"agreement.")
        override = Override(by=me.staff_id, basis=body.override_basis,
                            reason=body.override_reason)
    today = datetime.fromtimestamp(t.clock.now(), tz=ZoneInfo(t.config.program.time_zone))
    decision = may_contact(person.for_consent(today.date()), body.purpose, today, override,
                           client=client)
    if not decision.allowed:
        await t.audit.record(me.staff_id, f"contact.refused:{body.purpose.value}", incident.id)
        return web.json_response({"allowed": False, "reason": decision.reason,
                                  "phone": None}, status=403)
    at = now_ms(t)
    rec = ContactRecord(at_ms=at, by=me.staff_id, contact=person.name, decision=decision)

    def add(i: Incident) -> None:
        i.contacts.append(rec)
        i.note(at, me.staff_id, "contact", purpose=body.purpose.value,
               override=decision.override_used)

    incident = await change(t, incident.id, add)
    action = "contact.override" if decision.override_used else "contact.consented"
    await t.audit.record(me.staff_id, f"{action}:{body.purpose.value}", incident.id)
    await t.meetings.append(incident.meeting, entry(
        "emergency.contact", at, incident=incident.id, purpose=body.purpose.value,
        override=decision.override_used, by=me.staff_id))
    return web.json_response({"allowed": True, "reason": decision.reason,
                              "phone": person.phone, "override": decision.override_used})


@routes.post("/api/incidents/{incident}/disclosures")
@rule(on_incident())
@described(DisclosureBody, answer=answers.IncidentView)
async def disclose(request: web.Request) -> web.Response:
    """Record an emergency disclosure; in a Part 2 program only to medical personnel, with
    who received it, who disclosed it, when and the nature of the emergency (§2.51)."""
    t, me = who(request)
    body = await body_of(request, DisclosureBody)
    at = now_ms(t)
    record = Part2Disclosure(
        recipient_name=body.recipient_name, recipient_affiliation=body.recipient_affiliation,
        recipient_kind=body.recipient_kind, disclosed_by=me.staff_id,
        disclosed_at=datetime.fromtimestamp(at / 1000, tz=ZoneInfo("UTC")),
        nature_of_emergency=body.nature_of_emergency)
    if t.config.part2_program:
        try:
            check_part2_disclosure(record)
        except Part2Refused as exc:
            raise web.HTTPForbidden(text=str(exc)) from exc

    def add(i: Incident) -> None:
        i.disclosures.append(record)
        i.note(at, me.staff_id, "disclosure", recipient_kind=body.recipient_kind.value)

    incident = await change(t, request.match_info["incident"], add)
    await t.audit.record(me.staff_id, "incident.disclosure", incident.id)
    return web.json_response(view(incident))


@routes.post("/api/incidents/{incident}/handoff")
@rule(on_incident())
@described(HandoffBody, also=(409,), answer=answers.HandedOff)
async def handoff(request: web.Request) -> web.Response:
    """The warm-handoff summary for the receiving facility, generated and kept."""
    t, me = who(request)
    body = await body_of(request, HandoffBody)
    if not body.facility.strip():
        raise web.HTTPBadRequest(text="Name the receiving facility or team for the handoff.")
    incident = await load(t, request.match_info["incident"])
    record = await _record(t, incident, me.staff_id, f"handoff:{incident.id}")
    checkin = await t.checkins.get(incident.meeting, incident.client, me.staff_id,
                                   f"handoff:{incident.id}")
    summary = handoff_summary(incident, record, checkin, body.facility.strip(),
                              t.config.program.name, t.config.program.time_zone)
    at = now_ms(t)
    made = Handoff(at_ms=at, by=me.staff_id, facility=body.facility.strip(), summary=summary)

    def add(i: Incident) -> None:
        i.handoff = made
        i.note(at, me.staff_id, "handoff", facility=body.facility)

    incident = await change(t, incident.id, add)
    await t.audit.record(me.staff_id, "incident.handoff", incident.id)
    out: dict[str, Any] = {"summary": summary, "incident": view(incident)}
    return web.json_response(out)
