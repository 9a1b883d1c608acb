"""Privacy safeguards a client is asked about or reminded of before a video group: headphones,
a private spot, a virtual background, and the program's statement that sessions are never
recorded (shown only while the program's recording policy stops recordings).

A prompt is asked as a yes/no question on the check-in form, or shown as a reminder only.
Answers never block a check-in: a prompt left unanswered is simply not on the record.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

MAX_PROMPTS = 8
_KEY = r"[a-z][a-z0-9_]{0,31}"


class PrivacyPrompt(BaseModel):
    """One safeguard: ``question`` is what the client reads ("Are you wearing headphones?"),
    or for a reminder the sentence shown; ``label`` is the roster's word for it; ``when_no``
    what the roster says, marked, when a client answers no ("No headphones")."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str
    question: str = Field(min_length=1, max_length=160)
    ask: Literal["yes_no", "reminder"] = "yes_no"
    label: str = Field(min_length=1, max_length=40)
    when_no: str = Field(default="", max_length=40)

    @field_validator("ask", mode="before")
    @classmethod
    def _how(cls, v: object) -> object:
        if v not in ("yes_no", "reminder"):
            raise ValueError("ask is yes_no (a yes/no question) or reminder (shown only)")
        return v

    @field_validator("key")
    @classmethod
    def _key(cls, v: str) -> str:
        if not re.fullmatch(_KEY, v):
            raise ValueError("a key is 1 to 32 lowercase letters, digits or _, starting with "
                             "a letter, like headphones")
        return v

    @field_validator("question", "label")
    @classmethod
    def _words(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("write it in words (it cannot be only spaces)")
        return v.strip()

    @property
    def asked(self) -> bool:
        return self.ask == "yes_no"

    def said(self, answer: bool) -> str:
        """The answer in the roster's words: "Headphones: yes", "No headphones"."""
        if answer:
            return f"{self.label}: yes"
        return self.when_no.strip() or f"{self.label}: no"


def _default_prompts() -> list[PrivacyPrompt]:
    return [
        PrivacyPrompt(key="headphones", question="Are you wearing headphones?",
                      label="Headphones", when_no="No headphones"),
        PrivacyPrompt(key="private_spot",
                      question="Are you somewhere private, where nobody else can hear the group?",
                      label="Private spot", when_no="Not private"),
        PrivacyPrompt(key="virtual_background", ask="reminder",
                      question="Turn on a virtual background or blur, so your home stays private.",
                      label="Virtual background"),
    ]


NEVER_RECORDED = "This session is never recorded."


class PrivacyPrompts(BaseModel):
    """The program's privacy prompts, in the order clients see them, and its recording
    statement (empty: none is shown)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    prompts: list[PrivacyPrompt] = Field(default_factory=_default_prompts,
                                         max_length=MAX_PROMPTS)
    recording_statement: str = Field(default=NEVER_RECORDED, max_length=200)

    @field_validator("prompts")
    @classmethod
    def _unique(cls, v: list[PrivacyPrompt]) -> list[PrivacyPrompt]:
        keys = [p.key for p in v]
        twice = sorted({k for k in keys if keys.count(k) > 1})
        if twice:
            raise ValueError(f"each prompt needs its own key; used twice: {', '.join(twice)}")
        return v

    @property
    def asked(self) -> list[PrivacyPrompt]:
        return [p for p in self.prompts if p.asked]

    def statement(self, stops_recordings: bool) -> str:
        """The recording statement to show: none unless recordings are really stopped."""
        return self.recording_statement.strip() if stops_recordings else ""

    def kept(self, answers: Mapping[str, bool | None]) -> dict[str, bool]:
        """The answers to this program's yes/no prompts; anything else (a skipped prompt,
        a prompt since removed) is left out rather than refused."""
        out: dict[str, bool] = {}
        for p in self.asked:
            said = answers.get(p.key)
            if isinstance(said, bool):
                out[p.key] = said
        return out

    def in_words(self, answers: Mapping[str, bool]) -> list[tuple[PrivacyPrompt, bool]]:
        """The answered prompts in the program's order, each with its answer."""
        return [(p, answers[p.key]) for p in self.asked if p.key in answers]
