"""Whose number to text a check-in code to, when Zoom does not say who is checking in.

A client who opens the Zoom App as a guest carries no Zoom user id, and the participant
id the app reports is the browser's word, not Zoom's. So the client says who they are by
their first name and the last four digits of the number on file. That only chooses which
expected client's number gets a one-time code (``code_rules.py``); it proves nothing,
because both can be guessed. Only the clients expected in this meeting are candidates,
and only one may match.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field


class Factors(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    first_name: str = Field(min_length=1, max_length=100)
    phone_last4: str = Field(pattern=r"^\s*[0-9]{4}\s*$")


@dataclass(frozen=True)
class Candidate:
    client: str
    name: str
    phone: str


def _fold(text: str) -> str:
    """Case, accents and stray punctuation do not matter: "José" is "jose"."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", plain.casefold())


def first_name(full: str) -> str:
    parts = full.split()
    return parts[0] if parts else ""


def matches(candidates: list[Candidate], factors: Factors) -> list[str]:
    """Every candidate whose first name and phone's last four digits both agree."""
    name, last4 = _fold(factors.first_name), factors.phone_last4.strip()
    return [c.client for c in candidates
            if _fold(first_name(c.name)) == name and c.phone.endswith(last4)]
