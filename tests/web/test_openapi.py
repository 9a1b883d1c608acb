"""``GET /openapi.json``: public, no data, and exactly the routes the app serves."""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from sidecar.infra.access import Scope, rule_of
from sidecar.web.openapi import path_parameters
from tests.conftest import Harness

METHODS = {"get", "post", "put", "delete", "patch"}


def served(app: web.Application) -> set[tuple[str, str]]:
    return {(r.method.lower(), path_parameters(r.resource)[0]) for r in app.router.routes()
            if r.method not in ("HEAD", "*") and r.resource is not None}


def documented(doc: dict[str, Any]) -> set[tuple[str, str]]:
    return {(m, p) for p, ops in doc["paths"].items() for m in ops if m in METHODS}


async def test_every_route_is_documented_and_nothing_else(harness: Harness) -> None:
    h = harness
    r = await h.http.get(f"{h.base}/openapi.json")  # public: no token
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    doc = r.json()
    assert doc["openapi"].startswith("3.1")
    assert documented(doc) == served(h.app)
    assert len(documented(doc)) > 80


async def test_parameters_security_bodies_and_answers(harness: Harness) -> None:
    h = harness
    doc = (await h.http.get(f"{h.base}/openapi.json")).json()
    for path, ops in doc["paths"].items():
        names = set(re.findall(r"{(\w+)}", path))
        for op in ops.values():
            assert {p["name"] for p in op["parameters"] if p["in"] == "path"} == names, path
            assert all(400 <= int(c) < 600 or int(c) < 400 for c in op["responses"])
    routes = {(r.method.lower(), path_parameters(r.resource)[0]): r
              for r in h.app.router.routes() if r.resource is not None}
    for (method, path), route in routes.items():
        if method == "head":
            continue
        op = doc["paths"][path][method]
        rule = rule_of(route.handler)
        assert rule is not None, path
        public = rule.scope is Scope.PUBLIC
        assert (op["security"] == []) is public, path
        if not public:
            assert {"401", "403"} <= set(op["responses"]), path
    close = doc["paths"]["/api/incidents/{incident}/close"]["post"]
    ref = close["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert ref.split("/")[-1] in doc["components"]["schemas"]
    assert "409" in close["responses"]
    webhook = doc["paths"]["/webhooks/{platform}"]["post"]
    assert webhook["parameters"][0]["schema"]["pattern"] == "^(zoom|jitsi)$"
    assert {"401", "413"} <= set(webhook["responses"])
    timeline = doc["paths"]["/api/meetings/{meeting}/timeline"]["get"]
    assert {"name": "after", "in": "query", "required": False,
            "schema": {"type": "string"}} in timeline["parameters"]
    assert set(doc["components"]["securitySchemes"]) == {"bearer", "cookie"}
    text = str(doc)  # the shape only: nobody's name, number or id from the store
    assert not {"client-001", "Brightwater", "+1312555", "lead-avery"} & set(
        re.findall(r"client-\d+|Brightwater|\+1312555|lead-avery", text))
