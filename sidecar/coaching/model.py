"""A coaching page as the program writes it (program content, not PHI): a title, a
one-line summary and a Markdown body."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, field_validator

PAGE_ID = r"^[a-z0-9][a-z0-9-]{0,59}$"
TITLE_MAX = 120
SUMMARY_MAX = 240
BODY_MAX = 20_000


class PageText(BaseModel):
    """What an author edits; ``retired``: no longer offered for attaching, and no longer
    shown to caregivers."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)
    title: str = Field(min_length=1, max_length=TITLE_MAX)
    summary: str = Field(min_length=1, max_length=SUMMARY_MAX)
    body: str = Field(min_length=1, max_length=BODY_MAX)
    retired: bool = False

    @field_validator("title", "summary")
    @classmethod
    def _one_line(cls, v: str) -> str:
        if "\n" in v or "\r" in v:
            raise ValueError("one line, without line breaks")
        return v


class NewPage(PageText):
    """A page being added; without an id, one is made from the title."""

    id: str = Field(default="", max_length=60)

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if v and not re.fullmatch(PAGE_ID, v):
            raise ValueError("small letters, digits and dashes only, like making-home-safer")
        return v


def slug(title: str) -> str:
    """An id from a title: "Making home safer" -> "making-home-safer"."""
    words = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    return words[:60].rstrip("-") or "page"


@dataclass(frozen=True)
class Page:
    id: str
    text: PageText
    version: int
    updated_by: str | None  # a staff id, or "tether" for the defaults
    updated_at_ms: int | None

    @property
    def title(self) -> str:
        return self.text.title

    @property
    def summary(self) -> str:
        return self.text.summary

    @property
    def body(self) -> str:
        return self.text.body

    @property
    def retired(self) -> bool:
        return self.text.retired
