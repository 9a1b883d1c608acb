"""Who may call which route: every route declares its rule once, next to its handler
(``@rule(...)``), and one middleware enforces it before the handler runs.

Rules: ``public(why)`` (no staff token: what protects it instead, a signed link or a webhook
signature, is said in ``why``), ``staff(roles)`` (any staff member with one of the roles),
and the scoped rules ``in_meeting``, ``for_client``, ``in_room``, ``on_incident``: the roles
and, besides, the group the route's ``{meeting}``, ``{client}``, ``{room}`` or
``{incident}`` belongs to must be one the person cares for. A clinician cares for the groups
they lead, co-facilitate or answer for, and every group while on call; a
``program_clinical_lead`` cares for every group. A route without a rule is refused (and a
test fails on it).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol, TypeVar

from aiohttp import web
from aiohttp.typedefs import Handler

from sidecar.infra.audit import Audit, reset_source, set_source
from sidecar.infra.auth import Authenticator, Principal
from sidecar.infra.breakglass import BreakGlass
from sidecar.infra.clock import Clock
from sidecar.infra.config import ProgramConfig, Role
from sidecar.infra.config_store import LiveConfig
from sidecar.infra.source import source

CLINICAL = (Role.LEAD, Role.CO_FACILITATOR, Role.ON_CALL, Role.PROGRAM_CLINICAL_LEAD)
H = TypeVar("H", bound=Callable[..., Awaitable[web.StreamResponse]])


class Scope(StrEnum):
    PUBLIC = "public"
    STAFF = "staff"
    MEETING = "meeting"
    CLIENT = "client"
    ROOM = "room"
    INCIDENT = "incident"


@dataclass(frozen=True)
class Rule:
    scope: Scope
    roles: frozenset[str] = frozenset()
    why: str = ""  # public routes: what protects them instead of a staff token


def public(why: str) -> Rule:
    return Rule(Scope.PUBLIC, why=why)


def staff(*roles: Role) -> Rule:
    return Rule(Scope.STAFF, frozenset(r.value for r in roles))


def in_meeting(*roles: Role) -> Rule:
    return Rule(Scope.MEETING, frozenset(r.value for r in roles or CLINICAL))


def for_client(*roles: Role) -> Rule:
    return Rule(Scope.CLIENT, frozenset(r.value for r in roles or CLINICAL))


def in_room(*roles: Role) -> Rule:
    return Rule(Scope.ROOM, frozenset(r.value for r in roles or CLINICAL))


def on_incident(*roles: Role) -> Rule:
    return Rule(Scope.INCIDENT, frozenset(r.value for r in roles or CLINICAL))


_RULES: dict[Any, Rule] = {}
# what the gate found, for the handler: who called, and the groups they care for (None: all)
@dataclass(frozen=True)
class Reach:
    groups: frozenset[str] | None  # None: every group


_PRINCIPAL: web.RequestKey[Principal] = web.RequestKey("principal", Principal)
_REACH: web.RequestKey[Reach] = web.RequestKey("reach", Reach)


def rule(r: Rule) -> Callable[[H], H]:
    """Declare a route's rule; put it under the ``@routes.<method>(...)`` line."""
    def mark(handler: H) -> H:
        _RULES[handler] = r
        return handler
    return mark


def rule_of(handler: Any) -> Rule | None:
    return _RULES.get(handler)


def cared_for(config: ProgramConfig, who: Principal, on_call: Iterable[str]) -> set[str] | None:
    """The program meeting numbers (Zoom numbers, Jitsi rooms) of the groups this person
    cares for; None: every group."""
    if Role.PROGRAM_CLINICAL_LEAD.value in who.roles or who.staff_id in set(on_call):
        return None
    return {n for m in config.meetings
            if who.staff_id in (m.lead, m.co_facilitator, m.connection_lost_responder)
            for n in m.numbers}


def clients_cared_for(config: ProgramConfig, groups: set[str] | None) -> set[str] | None:
    if groups is None:
        return None
    return {c for m in config.meetings if set(m.numbers) & groups for c in m.expected_clients}


class ScopeLookup(Protocol):
    """What the gate needs to know of the store: which group a meeting instance or an
    incident belongs to (None: unknown, so there is nothing to show either)."""

    async def meeting_number(self, meeting: str) -> str | None: ...

    async def incident_of(self, incident: str) -> tuple[str, str] | None:
        """The incident's group (meeting number) and client."""
        ...

    def on_call_now(self, now_ms: int) -> set[str]: ...


@dataclass(frozen=True)
class Gate:
    live: LiveConfig  # the program's configuration; `config` reads it now
    clock: Clock
    auth: Authenticator
    audit: Audit
    lookup: ScopeLookup
    breakglass: BreakGlass

    @property
    def config(self) -> ProgramConfig:
        return self.live.current

    async def check(self, request: web.Request, r: Rule) -> Principal | None:
        if r.scope is Scope.PUBLIC:
            return None
        who = await self.auth.who(request)
        if r.roles and not who.roles & r.roles:
            await self._refuse(who, request, "role")
            raise web.HTTPForbidden(text="this needs the role: " + " or ".join(sorted(r.roles)))
        now_ms = int(self.clock.now() * 1000)
        groups = cared_for(self.config, who, self.lookup.on_call_now(now_ms))
        request[_REACH] = Reach(None if groups is None else frozenset(groups))
        if r.scope is Scope.STAFF or groups is None:
            return who
        number, client = await self._target(request)
        if self._within(r.scope, groups, number, client):
            return who
        if await self._broken_glass(who, r.scope, number, client, now_ms):
            await self.audit.record(who.staff_id, "access.break_glass",
                                    f"{request.method} {request.path}"[:200],
                                    source=source(request))
            return who
        await self._refuse(who, request, "scope")
        if r.scope is Scope.MEETING or client is None:
            raise web.HTTPForbidden(text="this group is not one you care for")
        raise web.HTTPForbidden(text="this client is not in a group you care for; in an "
                                "emergency, open them by break-glass with a reason")

    def _within(self, scope: Scope, groups: set[str], number: str | None,
                client: str | None) -> bool:
        if number is not None and number not in groups:
            return False
        if scope is Scope.CLIENT and client is not None and client in self._clients:
            return client in (clients_cared_for(self.config, groups) or set())
        return True

    async def _broken_glass(self, who: Principal, scope: Scope, number: str | None,
                            client: str | None, now_ms: int) -> bool:
        """A client this person opened by break-glass (and, if the route names a meeting,
        one of that client's groups)."""
        if scope not in (Scope.CLIENT, Scope.INCIDENT) or client is None:
            return False
        if client not in await self.breakglass.clients(who.staff_id, now_ms):
            return False
        return number is None or number in {
            n for m in self.config.meetings if client in m.expected_clients for n in m.numbers}

    @property
    def _clients(self) -> set[str]:
        """Every client some group expects (an unknown id is the handler's 404)."""
        return {c for m in self.config.meetings for c in m.expected_clients}

    async def _target(self, request: web.Request) -> tuple[str | None, str | None]:
        """The group (meeting number) and client a route names, as far as known."""
        info = request.match_info
        if "incident" in info:
            return await self.lookup.incident_of(info["incident"]) or (None, None)
        if "room" in info:  # a room no group meets in: the handler says so (404)
            room = info["room"]
            return (room if self.config.meeting_by_number(room) else None), info.get("client")
        if "meeting" in info:
            return await self.lookup.meeting_number(info["meeting"]), info.get("client")
        return None, info.get("client")

    async def _refuse(self, who: Principal, request: web.Request, why: str) -> None:
        await self.audit.record(who.staff_id, f"access.refused:{why}",
                                f"{request.method} {request.path}"[:200],
                                source=source(request))


def principal(request: web.Request) -> Principal:
    """The staff member the gate let through (a route with a staff rule only)."""
    who: Principal | None = request.get(_PRINCIPAL)
    if who is None:
        raise web.HTTPUnauthorized(text="this route did not ask who is calling")
    return who


def groups(request: web.Request) -> set[str] | None:
    """The groups the caller cares for, set by the gate on scoped routes (None: all)."""
    reach = request.get(_REACH)
    return None if reach is None or reach.groups is None else set(reach.groups)


GATE: web.AppKey[Gate] = web.AppKey("access-gate", Gate)


@web.middleware
async def enforce(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every request passes its route's rule before the handler runs; whatever either
    puts on the audit record names the caller's address as its source."""
    if request.match_info.http_exception is not None:
        return await handler(request)  # no route matched: 404/405
    r = rule_of(request.match_info.route.handler)
    if r is None:
        raise web.HTTPForbidden(text="this route states no access rule")
    token = set_source(source(request))
    try:
        if r.scope is not Scope.PUBLIC:
            who = await request.app[GATE].check(request, r)
            if who is not None:
                request[_PRINCIPAL] = who
        return await handler(request)
    finally:
        reset_source(token)
