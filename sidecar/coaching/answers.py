"""What the coaching API answers."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from sidecar.coaching.model import BODY_MAX
from sidecar.infra.apidoc import Refusal, Reply


class PageLine(Reply):
    """A page in the library list (no body)."""

    id: str
    title: str
    summary: str
    retired: bool
    version: int
    updated_by: str | None  # a person's name, or "Tether" for the defaults
    updated_at: str | None  # ISO time in the program's zone


class PageList(Reply):
    pages: list[PageLine]


class PageCopy(PageLine):
    """One page as the admin page edits it; its version is also the ETag."""

    body: str


class PageProblems(Refusal):
    """400: ``fields`` names each problem by its field (title, summary, body, id)."""

    fields: dict[str, str] = Field(default_factory=dict)


class PageOutdated(Refusal):
    """412: someone saved since this copy was read; ``current`` is their copy."""

    current: PageCopy | None = None


class Markdown(BaseModel):
    """A page body to preview."""

    model_config = ConfigDict(extra="forbid")
    body: str = Field(max_length=BODY_MAX)


class Preview(Reply):
    """The body as the server renders it: ``html`` (what the page shows) and ``nodes``,
    the same as data (text, or ``{tag, children, href?, start?}``) for the admin page to
    draw without inserting HTML."""

    html: str
    nodes: list[Any]


class AttachedLine(Reply):
    page_id: str
    title: str
    summary: str
    retired: bool
    attached_at: str  # ISO time in the program's zone
    attached_by: str  # the clinician's name
    read_at: str | None  # the caregiver's first read; None: not read yet
    read_words: str  # "read Tue 14:05" or "not read yet"


class AvailablePage(Reply):
    id: str
    title: str


class CaregiverPages(Reply):
    """The pages attached to one of a client's emergency contacts, and those that may
    still be attached (not retired, not attached yet)."""

    client: str
    contact: str
    attached: list[AttachedLine]
    available: list[AvailablePage]
