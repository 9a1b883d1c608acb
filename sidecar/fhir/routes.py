"""The FHIR export over HTTP: one incident as a ``collection`` Bundle, the incidents opened
since a time as a ``searchset`` Bundle, the attended sessions since a time as a
``searchset`` of Encounters, all ``application/fhir+json``. Only the clinical
lead and the facilitators of the incident's group (or a clinician on call) may export, and
each incident read is on the audit record (``incident.read:fhir-export``, with the caller's
address as its source), like every other read of PHI."""

from __future__ import annotations

from aiohttp import web
from fhir.resources.R4B.resource import Resource

from sidecar.attendance.deps import ATTENDANCE
from sidecar.fhir.attended import attended_encounter
from sidecar.fhir.bundle import MEDIA, as_json, collection, incident_resources, searchset
from sidecar.fhir.refs import Program
from sidecar.fhir.sessions import attended_since, session_encounters
from sidecar.fhir.since import BadSince, since_ms
from sidecar.incidents.deps import INCIDENTS, IncidentDeps
from sidecar.incidents.model import Incident
from sidecar.incidents.store import IncidentNotFound
from sidecar.infra.access import groups, on_incident, principal, rule, staff
from sidecar.infra.apidoc import described
from sidecar.infra.config import Role

routes = web.RouteTableDef()
EXPORTERS = (Role.LEAD, Role.CO_FACILITATOR, Role.PROGRAM_CLINICAL_LEAD)
AUDITED_AS = "incident.read:fhir-export"
SESSION_AUDITED_AS = "attendance.read:fhir-export"


def _fhir(resource: Resource) -> web.Response:
    return web.Response(text=as_json(resource), content_type=MEDIA, charset="utf-8")


def _now_ms(t: IncidentDeps) -> int:
    return int(t.clock.now() * 1000)


@routes.get("/api/fhir/incidents/{incident}")
@rule(on_incident(*EXPORTERS))
@described(answer=MEDIA)
async def incident_bundle(request: web.Request) -> web.Response:
    """The incident's screens, risk levels and high-risk flag (an audited read)."""
    t, me = request.app[INCIDENTS], principal(request)
    try:
        incident = await t.incidents.get(request.match_info["incident"])
    except IncidentNotFound as exc:
        raise web.HTTPNotFound(text="no such incident") from exc
    await t.audit.record(me.staff_id, AUDITED_AS, incident.id)
    program = Program.named(t.config.program.name)
    record = await request.app[ATTENDANCE].store.get(incident.meeting)
    encounter = attended_encounter(program, record, incident.client)
    return _fhir(collection(program, incident, _now_ms(t),
                            [encounter] if encounter else []))


async def _cared_for_since(t: IncidentDeps, since: int, mine: set[str] | None
                           ) -> list[Incident]:
    found = [await t.incidents.get(i) for i in await t.incidents.ids(since)]
    return [i for i in found if mine is None or i.meeting_number in mine]


@routes.get("/api/fhir/incidents")
@rule(staff(*EXPORTERS))
@described(query=("since",), also=(400,), answer=MEDIA)
async def incidents_since(request: web.Request) -> web.Response:
    """Every incident opened at or after ``since`` in the groups the caller cares for."""
    t, me = request.app[INCIDENTS], principal(request)
    since = _since(request)
    program = Program.named(t.config.program.name)
    resources: list[Resource] = []
    for incident in await _cared_for_since(t, since, groups(request)):
        await t.audit.record(me.staff_id, AUDITED_AS, incident.id)
        resources += incident_resources(program, incident)
    return _fhir(searchset(resources, _now_ms(t)))


def _since(request: web.Request) -> int:
    try:
        return since_ms(request.query.get("since", "1970-01-01"))
    except BadSince as exc:
        raise web.HTTPBadRequest(text=str(exc)) from exc


@routes.get("/api/fhir/encounters")
@rule(staff(*EXPORTERS))
@described(query=("since",), also=(400,), answer=MEDIA)
async def encounters_since(request: web.Request) -> web.Response:
    """An Encounter per client present in each ended session that started at or after
    ``since``, in the groups the caller cares for (each session read is audited)."""
    t, me = request.app[INCIDENTS], principal(request)
    since = _since(request)
    numbers = [m.numbers[0] for m in t.config.meetings]
    program = Program.named(t.config.program.name)
    resources: list[Resource] = []
    for record in await attended_since(request.app[ATTENDANCE].store, since, numbers,
                                       groups(request)):
        await t.audit.record(me.staff_id, SESSION_AUDITED_AS, record.meeting)
        resources += session_encounters(program, record)
    return _fhir(searchset(resources, _now_ms(t)))
