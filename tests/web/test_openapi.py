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


def content_of(doc: dict[str, Any], path: str, method: str, code: str) -> dict[str, Any]:
    return dict(doc["paths"][path][method]["responses"][code].get("content", {}))


async def test_every_answer_says_what_it_carries(harness: Harness) -> None:
    h = harness
    doc = (await h.http.get(f"{h.base}/openapi.json")).json()
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            for code, answer in op["responses"].items():
                content = answer.get("content", {})
                if code == "204" or code.startswith("3"):
                    assert not content, (method, path, code)
                    continue
                assert content, (method, path, code)
                for media in content.values():
                    ref = media["schema"].get("$ref", "#/components/schemas/")
                    assert ref.split("/")[-1] in doc["components"]["schemas"] or \
                        "type" in media["schema"], (method, path, code)
                if int(code) >= 400:  # a sentence, or the JSON error shape
                    assert content["text/plain"]["schema"]["minLength"] == 1
    refusal = content_of(doc, "/api/incidents/{incident}/close", "post", "409")
    shape = refusal["application/json"]["schema"]["$ref"].split("/")[-1]
    assert doc["components"]["schemas"][shape]["anyOf"] == [{"required": ["error"]},
                                                           {"required": ["errors"]}]


async def test_content_types_and_the_csv_imports(harness: Harness) -> None:
    h = harness
    doc = (await h.http.get(f"{h.base}/openapi.json")).json()
    kinds = {("/api/admin/incidents.csv", "get"): {"text/csv"},
             ("/api/meetings/{meeting}/stream", "get"): {"text/event-stream"},
             ("/webhooks/telephony/twiml", "post"): {"application/xml"},
             ("/panel", "get"): {"text/html"}, ("/metrics", "get"): {"text/plain"},
             ("/static/{name}", "get"): {"application/javascript", "text/css"},
             ("/api/incidents/{incident}", "get"): {"application/json"}}
    for (path, method), media in kinds.items():
        assert set(content_of(doc, path, method, "200")) == media, path
    for path in ("/api/admin/import/clients", "/api/admin/import/staff"):
        body = doc["paths"][path]["post"]["requestBody"]
        assert body["required"] is True and set(body["content"]) == {"text/csv"}
        assert {"200", "400", "409", "413"} <= set(doc["paths"][path]["post"]["responses"])
    view = content_of(doc, "/api/incidents/{incident}", "get", "200")["application/json"]
    schema = doc["components"]["schemas"][view["schema"]["$ref"].split("/")[-1]]
    assert {"id", "client", "to_do"} <= set(schema["required"])
    stale = content_of(doc, "/api/admin/clients/{client}", "put", "412")["application/json"]
    assert "current" in doc["components"]["schemas"][stale["schema"]["$ref"].split("/")[-1]][
        "properties"]
