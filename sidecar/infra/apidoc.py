"""What a route takes and answers, declared once beside its handler (``@described(...)``,
under its ``@rule``), for the OpenAPI document served at ``/openapi.json``
(``sidecar/web/openapi.py``). A route without a description is still in the document:
its path, parameters, security and the answers every route of its kind can give.

An answer is a pydantic model (a JSON body of that shape, its schema in serialization
mode: what ``model_dump(mode="json")`` gives) or a media type (a page, a script, a CSV
file, an event stream, TwiML). ``answer=`` is the success answer; ``answers=`` gives a
code its own (a readiness 503, a refusal with more than a sentence). Every other refusal
is a sentence in plain text or, in JSON, a ``Refusal`` (or the ``refusal=`` model, a
``Refusal`` that says more)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict
from pydantic.json_schema import SkipJsonSchema

H = TypeVar("H", bound=Callable[..., Any])

FORM = "form"  # a body of form fields (the telephony provider's callbacks)
JSON = "json"  # a JSON body whose shape depends on the path (a configuration document)
CSV = "text/csv"  # a spreadsheet saved as CSV UTF-8 (a body or an answer)
HTML = "text/html"  # a page
SCRIPT = "application/javascript"
STYLE = "text/css"
EVENTS = "text/event-stream"  # server-sent events
TWIML = "application/xml"  # instructions for the telephony provider
TEXT = "text/plain"  # Prometheus's text format

Media = str | tuple[str, ...]  # one media type, or any of several
Answer = type[BaseModel] | Media


class Reply(BaseModel):
    """The base of every answer model: an answer may grow fields, so none forbids extras."""

    model_config = ConfigDict(frozen=True)


def _one_or_the_other(schema: dict[str, Any]) -> None:
    """A refusal carries ``error`` or ``errors``; neither is ever null when sent."""
    for prop in schema.get("properties", {}).values():
        prop.pop("default", None)
    schema["anyOf"] = [{"required": ["error"]}, {"required": ["errors"]}]


class Refusal(Reply):
    """A refusal in JSON: one sentence (``error``) or every problem as ``path: message``
    (``errors``); some say more (``need``: what the form asks next; ``fields``: each
    problem by its field; ``current``: the copy saved since)."""

    model_config = ConfigDict(json_schema_extra=_one_or_the_other)
    error: str | SkipJsonSchema[None] = None  # never null when sent
    errors: list[str] | SkipJsonSchema[None] = None


@dataclass(frozen=True)
class Described:
    body: type[BaseModel] | str | None = None  # a model, FORM, JSON, CSV or nothing
    query: tuple[str, ...] = ()  # query parameters, all optional text
    ok: tuple[int, ...] = (200,)  # the success answers
    also: tuple[int, ...] = ()  # refusals besides those every route of its kind gives
    summary: str = ""
    answer: Answer | None = None  # the success answers' body (none for 204 or a redirect)
    answers: Mapping[int, Answer] = field(default_factory=dict)  # a code's own body
    refusal: type[BaseModel] = Refusal  # what every other refusal's JSON says


_DESCRIBED: dict[Any, Described] = {}


def described(body: type[BaseModel] | str | None = None, *, query: tuple[str, ...] = (),
              ok: tuple[int, ...] = (200,), also: tuple[int, ...] = (), summary: str = "",
              answer: Answer | None = None,
              answers: Mapping[int, Answer] | None = None,
              refusal: type[BaseModel] = Refusal) -> Callable[[H], H]:
    """Declare what a route takes and answers; put it under the route's ``@rule``."""
    def mark(handler: H) -> H:
        _DESCRIBED[handler] = Described(body, query, ok, also, summary, answer,
                                        dict(answers or {}), refusal)
        return handler
    return mark


def description_of(handler: Any) -> Described:
    return _DESCRIBED.get(handler, Described())
