"""The HTTP API as an OpenAPI 3.1 document, built from the app's own router: every route
with its path parameters, its access rule as security (a staff bearer token or the session
cookie; none for a public route, which says what protects it instead), what it takes
(``sidecar/infra/apidoc.py``: the body's pydantic model, form fields, query parameters) and
the answers it gives. Nothing in it comes from the store: it holds no PHI."""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web
from pydantic import BaseModel

from sidecar.infra.access import Rule, Scope, rule_of
from sidecar.infra.apidoc import CSV, FORM, HTML, JSON, Answer, Described, description_of

_GROUP = re.compile(r"\(\?P<(\w+)>")
_DEFAULT_SEGMENT = "[^{}/]+"
SEMANTICS = {
    200: "done", 201: "created", 204: "done, nothing to say", 302: "to the next page",
    400: "a sentence (or a list of `path: message`) saying what to fix",
    401: "not signed in, the session or token ended, or a webhook signature is wrong",
    403: "not allowed: the role, the group, a link or the CSRF token",
    404: "nothing by that id (or nothing this caller may know of)",
    409: "the state does not allow it now; the sentence says why",
    410: "gone: the code expired or was used", 412: "edited an outdated copy",
    413: "the body is too large", 428: "say which version you edited (If-Match)",
    429: "too many tries in the hour", 502: "the telephony provider refused",
    503: "not set up, or the store is down; try again",
}
SECURITY_SCHEMES = {
    "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
               "description": "a staff token (`tether token STAFF_ID`)"},
    "cookie": {"type": "apiKey", "in": "cookie", "name": "__Host-tether",
               "description": "a signed-in session; calls that are not GET also send "
                              "X-CSRF-Token"},
}


def _segment(pattern: str, start: int) -> str:
    """The regex of the group that opens at ``start`` (balanced parentheses)."""
    depth, i = 0, start
    while i < len(pattern):
        if pattern[i] == "\\":
            i += 2
            continue
        depth += {"(": 1, ")": -1}.get(pattern[i], 0)
        if depth == 0:
            return pattern[pattern.index(">", start) + 1:i]
        i += 1
    raise ValueError(f"unbalanced route pattern: {pattern}")


def path_parameters(resource: web.AbstractResource) -> tuple[str, list[dict[str, Any]]]:
    """The OpenAPI path template and its parameters (with the route's regex, if any)."""
    info = resource.get_info()
    if "pattern" not in info:
        return resource.canonical, []
    pattern = info["pattern"].pattern
    params = []
    for m in _GROUP.finditer(pattern):
        regex = _segment(pattern, m.start())
        schema: dict[str, Any] = {"type": "string", "minLength": 1}
        if regex != _DEFAULT_SEGMENT:
            schema["pattern"] = f"^{regex}$"
        params.append({"name": m.group(1), "in": "path", "required": True, "schema": schema})
    return str(info["formatter"]), params


def without_defaults(node: Any) -> None:
    """Drop ``default`` from every schema in an answer's (what a field holds when a body
    leaves it out means nothing in what the server writes)."""
    if isinstance(node, list):
        for item in node:
            without_defaults(item)
    elif isinstance(node, dict):
        node.pop("default", None)
        for key, value in node.items():
            named = key in ("properties", "$defs", "patternProperties")
            for sub in value.values() if named else [value]:
                without_defaults(sub)


class Components:
    """Body and answer schemas, each model's definitions under its module's name (no
    collisions); answers as the handlers write them (serialization mode), under
    ``answer.``, so a model read in one shape and written in another keeps both."""

    def __init__(self) -> None:
        self.schemas: dict[str, Any] = {}

    def ref(self, model: type[BaseModel], answer: bool = False) -> dict[str, str]:
        prefix = ("answer." if answer else "") + model.__module__.removeprefix("sidecar.") + "."
        schema = model.model_json_schema(
            ref_template="#/components/schemas/" + prefix + "{model}",
            mode="serialization" if answer else "validation")
        if answer:
            without_defaults(schema)
        self.schemas.update({prefix + k: v for k, v in schema.pop("$defs", {}).items()})
        self.schemas[prefix + model.__name__] = schema
        return {"$ref": "#/components/schemas/" + prefix + model.__name__}

    def content(self, answer: Answer) -> dict[str, Any]:
        """The ``content`` of an answer: a model's JSON, or text of each media type."""
        if isinstance(answer, type):
            return {"application/json": {"schema": self.ref(answer, answer=True)}}
        media = (answer,) if isinstance(answer, str) else answer
        return {m: {"schema": {"type": "object"} if m.endswith("+json") else {"type": "string"}}
                for m in media}  # a JSON media type of its own (FHIR's) is an object


def _body(d: Described, components: Components) -> dict[str, Any] | None:
    if d.body is None:
        return None
    if d.body == CSV:
        return {"required": True, "content": {CSV: {"schema": {"type": "string"}}}}
    if d.body == FORM:
        form = {"type": "object", "additionalProperties": {"type": "string"}}
        return {"content": {"application/x-www-form-urlencoded": {"schema": form}}}
    if d.body == JSON or isinstance(d.body, str):
        return {"content": {"application/json": {"schema": {"type": "object"}}}}
    required = any(f.is_required() for f in d.body.model_fields.values())
    return {"required": required,
            "content": {"application/json": {"schema": components.ref(d.body)}}}


def _codes(method: str, path: str, r: Rule, d: Described, has_params: bool) -> set[int]:
    codes = set(d.ok) | set(d.also) | set(d.answers)
    if r.scope is not Scope.PUBLIC or path.startswith("/webhooks/"):
        codes.add(401)
    if r.scope is not Scope.PUBLIC or "t" in d.query:
        codes.add(403)
    if has_params:
        codes |= {400, 404}
    if d.body is not None or d.query or method in ("POST", "PUT"):
        codes.add(400)
    if d.body is not None:
        codes.add(413)
    return codes


def answer(code: int, d: Described, components: Components) -> dict[str, Any]:
    """One response: its meaning and, unless it has no body (204, a redirect), what the
    body is. A refusal is a sentence in plain text or a ``Refusal`` in JSON (a page's, a
    page too)."""
    out: dict[str, Any] = {"description": SEMANTICS.get(code, "")}
    own = d.answers.get(code)
    if code < 400:
        body = own or d.answer
        if body is not None and code != 204 and not 300 <= code < 400:
            out["content"] = components.content(body)
        return out
    content = components.content(own or d.refusal)
    content["text/plain"] = {"schema": {"type": "string", "minLength": 1}}
    if d.answer == HTML:
        content[HTML] = {"schema": {"type": "string", "minLength": 1}}
    out["content"] = content
    return out


def operation(route: web.AbstractRoute, components: Components) -> dict[str, Any]:
    r = rule_of(route.handler) or Rule(Scope.PUBLIC, why="no rule: refused (403)")
    d = description_of(route.handler)
    path, params = path_parameters(route.resource) if route.resource else ("", [])
    params += [{"name": q, "in": "query", "required": False, "schema": {"type": "string"}}
               for q in d.query]
    doc = (route.handler.__doc__ or "").strip()
    op: dict[str, Any] = {
        "operationId": f"{route.method} {path}",
        "summary": d.summary or doc.split("\n\n")[0].replace("\n", " ")[:200] or path,
        "parameters": params,
        "responses": {str(c): answer(c, d, components)
                      for c in sorted(_codes(route.method, path, r, d, bool(params)))},
    }
    if r.scope is Scope.PUBLIC:
        op["security"] = []
        op["description"] = "Public: " + r.why
    else:
        op["security"] = [{"bearer": []}, {"cookie": []}]
        op["description"] = "Staff with one of: " + (", ".join(sorted(r.roles)) or "any role")
    body = _body(d, components)
    if body is not None:
        op["requestBody"] = body
    return op


def document(app: web.Application, title: str = "Tether") -> dict[str, Any]:
    """The OpenAPI 3.1 document of every route ``app`` serves (HEAD is implied by GET)."""
    components = Components()
    paths: dict[str, dict[str, Any]] = {}
    for route in app.router.routes():
        if route.method in ("HEAD", "*") or route.resource is None:
            continue
        template, _ = path_parameters(route.resource)
        paths.setdefault(template, {})[route.method.lower()] = operation(route, components)
    return {"openapi": "3.1.0",
            "info": {"title": title, "version": "1",
                     "description": "Tether's HTTP API; docs/api.md says what each call does."},
            "paths": dict(sorted(paths.items())),
            "components": {"schemas": components.schemas,
                           "securitySchemes": SECURITY_SCHEMES}}
