"""Validation problems in plain words, each naming its field by path ("a.0.b: message")."""

from __future__ import annotations

import json
from typing import Any, TypeVar

from aiohttp import web
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from sidecar.infra.config import PHONE_PATTERN

M = TypeVar("M", bound=BaseModel)

_PLAIN = {
    "missing": "required",
    "extra_forbidden": "not a field here (check the spelling)",
    "string_type": "should be text in quotes",
    "list_type": "should be a list",
    "model_type": "should be an object with named fields",
    "model_attributes_type": "should be an object with named fields",
    "date_from_datetime_parsing": "should be a date like 2026-10-01",
    "date_parsing": "should be a date like 2026-10-01",
    "bool_parsing": "should be yes or no (true or false)",
    "bool_type": "should be yes or no (true or false)",
    "int_parsing": "should be a whole number",
    "int_type": "should be a whole number",
    "float_parsing": "should be a number",
    "float_type": "should be a number",
    "too_short": "needs at least one",
}


_PATTERNS = {
    r"^[0-9]{9,12}$": "9 to 12 digits, like 81234567890",
    r"^[a-z0-9][a-z0-9_-]{2,63}$": "3 to 64 lowercase letters, digits, - or _, like "
                                   "tuesday-evening-group",
    r"^[A-Za-z0-9_.-]+$": "letters, digits, dots, dashes or underscores, like lead-avery",
    r"^https://": "a link starting with https://",
    r"^[^@\s]+@[^@\s]+$": "an e-mail address, like name@example.org",
}


def path(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(p) for p in loc) or "(top level)"


def message(e: ErrorDetails) -> str:
    """One problem in plain words, without its path."""
    kind = e["type"]
    ctx: dict[str, Any] = dict(e.get("ctx") or {})
    if kind == "string_pattern_mismatch" and ctx.get("pattern") == PHONE_PATTERN:
        return "a phone number in international format, like +12175550142"
    if kind == "value_error":
        return str(e["msg"]).removeprefix("Value error, ")
    if kind == "string_pattern_mismatch" and ctx.get("pattern") in _PATTERNS:
        return _PATTERNS[str(ctx["pattern"])]
    if kind == "string_pattern_mismatch" and str(ctx.get("pattern", "")).startswith("^([01]"):
        return "a time like 18:30 (24-hour clock)"
    if kind == "string_too_short" and ctx.get("min_length") == 1:
        return "required"
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        bound = {"greater_than_equal": "at least", "less_than_equal": "at most",
                 "greater_than": "more than", "less_than": "less than"}[kind]
        limit = next(iter(ctx.values()), "")
        if isinstance(limit, float) and limit.is_integer():
            limit = int(limit)
        return f"should be {bound} {limit}"
    if kind == "literal_error":
        return "choose one of: " + str(ctx.get("expected", "")).replace("'", "")
    if kind == "json_invalid":
        return f"not valid JSON ({ctx.get('error', e['msg'])})"
    return _PLAIN.get(kind, str(e["msg"]))


def plain_problems(exc: ValidationError) -> list[tuple[tuple[int | str, ...], str]]:
    """Every problem as (where, what) with the message in plain words."""
    return [(tuple(e["loc"]), message(e)) for e in exc.errors()]


def problems(exc: ValidationError) -> list[str]:
    """Every problem, as ``path: message``; the top level is ``(top level)``."""
    return [f"{path(e['loc'])}: {message(e)}" for e in exc.errors()]


async def read_json(request: web.Request, model: type[M]) -> M:
    """The request's JSON body as ``model`` (an empty body is ``{}``); a 400 naming each
    wrong field otherwise."""
    try:
        raw = await request.read()
        return model.model_validate_json(raw or b"{}")
    except ValidationError as exc:
        errors = [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()]
        raise web.HTTPBadRequest(text=json.dumps({"errors": errors}),
                                 content_type="application/json") from exc


async def read_at_most(request: web.Request, limit: int) -> bytes:
    """The whole body, or a 413 as soon as it passes ``limit`` bytes (a chunked body
    arrives in pieces, so one read is not the whole of it)."""
    body = bytearray()
    while chunk := await request.content.read(limit + 1 - len(body)):
        body += chunk
        if len(body) > limit:
            raise web.HTTPRequestEntityTooLarge(max_size=limit, actual_size=len(body))
    return bytes(body)
