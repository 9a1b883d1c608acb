"""Validation problems in plain words, each naming its field by path ("a.0.b: message")."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from sidecar.config import PHONE_PATTERN

_PLAIN = {
    "missing": "required",
    "extra_forbidden": "not a field here (check the spelling)",
    "string_type": "should be text in quotes",
    "list_type": "should be a list",
    "model_type": "should be an object with named fields",
    "model_attributes_type": "should be an object with named fields",
    "date_from_datetime_parsing": "should be a date like 2026-10-01",
    "date_parsing": "should be a date like 2026-10-01",
}


def path(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(p) for p in loc) or "(top level)"


def _message(e: ErrorDetails) -> str:
    kind = e["type"]
    ctx: dict[str, Any] = dict(e.get("ctx") or {})
    if kind == "string_pattern_mismatch" and ctx.get("pattern") == PHONE_PATTERN:
        return "a phone number in international format, like +12175550142"
    if kind == "value_error":
        return str(e["msg"]).removeprefix("Value error, ")
    if kind == "json_invalid":
        return f"not valid JSON ({ctx.get('error', e['msg'])})"
    return _PLAIN.get(kind, str(e["msg"]))


def problems(exc: ValidationError) -> list[str]:
    """Every problem, as ``path: message``; the top level is ``(top level)``."""
    return [f"{path(e['loc'])}: {_message(e)}" for e in exc.errors()]
