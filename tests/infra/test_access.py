"""Access follows the care team: every route states its rule, and every scoped route is
walked for every kind of caller, for a group they care for and one they do not."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

import pytest

from sidecar.infra.access import Scope, rule_of
from tests import zoom_payloads as zp
from tests.callbacks.test_callback_ladder import join_group
from tests.conftest import Harness

M = quote(zp.MEETING_UUID, safe="")
ROOM = "tuesday-evening-group"
CARE_TEAM = ("lead-avery", "cofac-morgan", "oncall-riley", "clinlead-sasha")
OTHER_GROUP = "lead-quinn"  # leads the Thursday group, not the Tuesday one
ADMIN = "admin-jordan"


def _routes(h: Harness) -> list[tuple[str, str, Any]]:
    out = []
    for route in h.app.router.routes():
        info = route.resource.get_info() if route.resource else {}
        path = info.get("path") or info.get("formatter") or ""
        if route.method in ("HEAD", "OPTIONS") or not path:
            continue
        out.append((route.method, path, route.handler))
    return out


def test_every_route_states_its_rule(harness: Harness) -> None:
    missing = [f"{m} {p}" for m, p, handler in _routes(harness) if rule_of(handler) is None]
    assert missing == [], missing
    public = {f"{m} {p}": rule_of(h).why for m, p, h in _routes(harness)  # type: ignore[union-attr]
              if rule_of(h).scope is Scope.PUBLIC}  # type: ignore[union-attr]
    assert all(public.values()), public  # each public route says what protects it
    assert "GET /api/meetings/{meeting}/roster" not in public


async def _incident(h: Harness) -> str:
    r = await h.http.post(f"{h.base}/api/meetings/{M}/clients/client-001/incidents",
                          json={"trigger": "clinician"}, headers=h.token())
    assert r.status_code in (200, 201), r.text
    return str(r.json()["id"])


def _concrete(path: str, incident: str) -> str:
    values = {"meeting": M, "client": "client-001", "room": ROOM, "incident": incident,
              "subject": "client:client-001", "participant": "pu-casey-1", "key": "x",
              "kind": "debrief", "name": "panel.js", "staff": "lead-quinn", "doc": "staff",
              "checkin": "x", "page": "calming-down", "contact": "x", "agreement": "x"}
    return re.sub(r"\{(\w+)(:[^}]*)?\}", lambda m: values[m.group(1)], path)


class Caller:
    """Calls as a staff member, with a token in the header or a session cookie."""

    def __init__(self, h: Harness, via: str) -> None:
        self.h, self.via = h, via
        self._sessions: dict[str, dict[str, str]] = {}

    async def headers(self, staff: str | None) -> dict[str, str]:
        if staff is None:
            return {}
        if self.via == "token":
            return self.h.token(staff)
        if staff not in self._sessions:
            self._sessions[staff] = await self.h.session(staff)
        return self._sessions[staff]

    async def status(self, method: str, url: str, staff: str | None) -> int:
        async with self.h.http.stream(method, url, headers=await self.headers(staff),
                                      json={} if method != "GET" else None) as r:
            return r.status_code  # headers only: an event stream never ends by itself


async def _status(h: Harness, method: str, url: str, staff: str | None) -> int:
    return await Caller(h, "token").status(method, url, staff)


@pytest.mark.parametrize("via", ["token", "session"])
@pytest.mark.parametrize("scope", [Scope.MEETING, Scope.CLIENT, Scope.ROOM, Scope.INCIDENT])
async def test_scoped_routes_follow_the_care_team(harness: Harness, scope: Scope,
                                                  via: str) -> None:
    h = harness
    caller = Caller(h, via)
    await join_group(h)
    await h.settle()
    incident = await _incident(h)
    walked = 0
    for method, path, handler in _routes(h):
        rule = rule_of(handler)
        if rule is None or rule.scope is not scope:
            continue
        url = h.base + _concrete(path, incident)
        assert await caller.status(method, url, None) == 401, (method, path)
        for outsider in (OTHER_GROUP, ADMIN):
            status = await caller.status(method, url, outsider)
            assert status == 403, (method, path, outsider, status)
        for member in CARE_TEAM:
            status = await caller.status(method, url, member)
            assert status not in (401, 403), (method, path, member, status)
        walked += 1
    assert walked >= {Scope.MEETING: 8, Scope.CLIENT: 4, Scope.ROOM: 3,
                      Scope.INCIDENT: 10}[scope]
    refused = [e for _, e in await h.tether.redis.xrange("{tether}:audit")
               if e["action"].startswith("access.refused")]
    assert any(e["actor"] == OTHER_GROUP for e in refused)  # every refusal is on the record


async def test_lists_show_only_the_groups_cared_for(harness: Harness) -> None:
    h = harness
    await join_group(h)
    await h.settle()
    await _incident(h)
    for staff, sees in ((OTHER_GROUP, False), ("lead-avery", True), ("oncall-riley", True)):
        meetings = (await h.http.get(f"{h.base}/api/meetings", headers=h.token(staff))).json()
        incidents = (await h.http.get(f"{h.base}/api/incidents", headers=h.token(staff))).json()
        assert bool(meetings["meetings"]) is sees, staff
        assert bool(incidents["incidents"]) is sees, staff


async def test_staff_routes_refuse_other_roles(harness: Harness) -> None:
    h = harness
    for method, path, handler in _routes(h):
        rule = rule_of(handler)
        if rule is None or rule.scope is not Scope.STAFF:
            continue
        url = h.base + _concrete(path, "none")
        assert await _status(h, method, url, None) == 401, path
        if not rule.roles:  # any staff member (who am I, sign out, the token exchange)
            assert await _status(h, method, url, ADMIN) not in (401, 403), path
            continue
        wrong = ADMIN if "admin" not in rule.roles else "lead-avery"
        assert await _status(h, method, url, wrong) == 403, (path, wrong)


async def test_a_route_without_a_rule_is_refused() -> None:
    from aiohttp import web
    from aiohttp.test_utils import TestClient, TestServer

    from sidecar.infra import access

    app = web.Application(middlewares=[access.enforce])

    async def forgotten(request: web.Request) -> web.Response:
        return web.Response(text="secret")

    app.router.add_get("/forgotten", forgotten)
    async with TestClient(TestServer(app)) as client:
        r = await client.get("/forgotten")
        assert r.status == 403 and "secret" not in await r.text()
        assert (await client.get("/nowhere")).status == 404


async def test_a_token_that_lasts_too_long_is_refused(harness: Harness) -> None:
    import jwt

    h = harness
    now = int(h.clock.now())
    kid = h.tether.keyring.primary  # signed with the real key: only the lifetime is wrong
    forged = jwt.encode({"iss": "tether", "sub": "lead-avery", "iat": now,
                         "exp": now + 876_000 * 3600},
                        h.tether.keyring.derive("tether/tokens/v1"), algorithm="HS256",
                        headers={"kid": kid})
    r = await h.http.get(f"{h.base}/api/meetings", headers={"Authorization": f"Bearer {forged}"})
    assert r.status_code == 401 and "longer" in r.text
