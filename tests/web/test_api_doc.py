"""docs/api.md against the served ``/openapi.json``: every operation the document lists is
named in docs/api.md by its method and path, and every ``METHOD /path`` docs/api.md names
is one the server serves (nothing stale). Placeholders in docs/api.md may be shortened
(``{m}`` for ``{meeting}``) and may carry a query (``?t=TOKEN``)."""

from __future__ import annotations

import re
from typing import Any

from tests.conftest import ROOT, Harness

MENTION = re.compile(r"`(GET|POST|PUT|PATCH|DELETE) (/[^`\s?]*)")
PLACEHOLDER = re.compile(r"{(\w+)}")


def mentions(text: str) -> set[tuple[str, str]]:
    """Each ``METHOD /path`` named in code, its placeholders made one letter."""
    return {(m, PLACEHOLDER.sub("x", p)) for m, p in MENTION.findall(text)}


def pattern(path: str, op: dict[str, Any]) -> re.Pattern[str]:
    """The paths an operation serves: each parameter by its pattern, or any segment."""
    shapes = {p["name"]: p["schema"].get("pattern", "^[^/]+$")[1:-1]
              for p in op["parameters"] if p["in"] == "path"}
    parts = re.split(r"({\w+})", path)
    return re.compile("".join(f"(?:{shapes[s[1:-1]]})" if PLACEHOLDER.fullmatch(s)
                              else re.escape(s) for s in parts) + "$")


def operations(doc: dict[str, Any]) -> dict[str, re.Pattern[str]]:
    return {f"{m.upper()} {p}": pattern(p, op) for p, ops in doc["paths"].items()
            for m, op in ops.items()}


def unmatched(ops: dict[str, re.Pattern[str]], named: set[tuple[str, str]]
              ) -> tuple[set[str], set[str]]:
    """(operations docs/api.md does not name, names that are no operation)."""
    missing = {label for label, rx in ops.items()
               if not any(label.startswith(m + " ") and rx.match(p) for m, p in named)}
    stale = {f"{m} {p}" for m, p in named
             if not any(label.startswith(m + " ") and rx.match(p) for label, rx in ops.items())}
    return missing, stale


async def test_docs_api_md_names_every_operation_and_nothing_else(harness: Harness) -> None:
    h = harness
    doc = (await h.http.get(f"{h.base}/openapi.json")).json()
    named = mentions((ROOT / "docs" / "api.md").read_text(encoding="utf-8"))
    missing, stale = unmatched(operations(doc), named)
    assert not missing, f"operations docs/api.md does not name: {sorted(missing)}"
    assert not stale, f"docs/api.md names what the server does not serve: {sorted(stale)}"


def test_the_check_can_fail() -> None:
    doc = {"paths": {"/api/incidents/{incident}": {"get": {"parameters": [
        {"name": "incident", "in": "path", "schema": {"type": "string"}}]}},
        "/webhooks/{platform}": {"post": {"parameters": [
            {"name": "platform", "in": "path", "schema": {"pattern": "^(zoom|jitsi)$"}}]}}}}
    ops = operations(doc)
    assert unmatched(ops, mentions("`GET /api/incidents/{id}` and `POST /webhooks/zoom`")) == (
        set(), set())
    assert unmatched(ops, mentions("`GET /api/incidents/{id}/card`, `POST /webhooks/teams`")) \
        == ({"GET /api/incidents/{incident}", "POST /webhooks/{platform}"},
            {"GET /api/incidents/x/card", "POST /webhooks/teams"})
