"""What the operations routes answer (``/healthz``, ``/readyz``, ``/openapi.json``)."""

from __future__ import annotations

from typing import Any

from pydantic.json_schema import SkipJsonSchema

from sidecar.infra.apidoc import Reply


class Alive(Reply):
    ok: bool


class Readiness(Reply):
    """Ready or not (503), each check by name, the problems in sentences, this replica."""

    ready: bool
    checks: dict[str, bool]
    problems: list[str]
    worker: str


class OpenApiDocument(Reply):
    openapi: str
    info: dict[str, Any]
    paths: dict[str, Any]
    components: dict[str, Any]


class Delivery(Reply):
    """A platform's webhook delivery: how many events were new (``accepted``), kept to
    replay while the store is down (``spooled``), or the event type skipped (``ignored``);
    Zoom's endpoint validation gets ``plainToken`` and ``encryptedToken`` instead."""

    accepted: int | SkipJsonSchema[None] = None
    spooled: int | SkipJsonSchema[None] = None
    ignored: str | SkipJsonSchema[None] = None
    plainToken: str | SkipJsonSchema[None] = None  # Zoom's field names
    encryptedToken: str | SkipJsonSchema[None] = None
