"""What a route takes and answers, declared once beside its handler (``@described(...)``,
under its ``@rule``), for the OpenAPI document served at ``/openapi.json``
(``sidecar/web/openapi.py``). A route without a description is still in the document:
its path, parameters, security and the answers every route of its kind can give."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel

H = TypeVar("H", bound=Callable[..., Any])

FORM = "form"  # a body of form fields (the telephony provider's callbacks)
JSON = "json"  # a JSON body whose shape depends on the path (a configuration document)


@dataclass(frozen=True)
class Described:
    body: type[BaseModel] | str | None = None  # a model, FORM, JSON or nothing
    query: tuple[str, ...] = ()  # query parameters, all optional text
    ok: tuple[int, ...] = (200,)  # the success answers
    also: tuple[int, ...] = ()  # refusals besides those every route of its kind gives
    summary: str = ""


_DESCRIBED: dict[Any, Described] = {}


def described(body: type[BaseModel] | str | None = None, *, query: tuple[str, ...] = (),
              ok: tuple[int, ...] = (200,), also: tuple[int, ...] = (),
              summary: str = "") -> Callable[[H], H]:
    """Declare what a route takes and answers; put it under the route's ``@rule``."""
    def mark(handler: H) -> H:
        _DESCRIBED[handler] = Described(body, query, ok, also, summary)
        return handler
    return mark


def description_of(handler: Any) -> Described:
    return _DESCRIBED.get(handler, Described())
