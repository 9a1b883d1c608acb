"""A harm-reduction agreement (pure data and transitions): what the client and the lead
agreed for the next few minutes ("stay on video together, lock away the pills"), how long
it runs, and its history: made, extended, ended, the reminder when it ran out.

The terms are PHI: the store seals the whole agreement (``agreement_store.py``)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from sidecar.clinical.deescalation import LONGEST_AGREEMENT_MIN, TERM_MAX

NOTE_MAX, MOST_TERMS = 500, 12
How = Literal["early", "checked_in"]  # ended before its time, or checked in after it
What = Literal["made", "extended", "ended", "reminded"]
HOW_WORDS: dict[str, str] = {"early": "ended before its time",
                             "checked_in": "checked in after it ended"}


class AgreementError(ValueError):
    """A change the agreement's state does not allow, or terms that cannot be kept."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Happened(_Model):
    at_ms: int
    by: str  # a staff id, or "tether" for the reminder
    what: What
    minutes: int | None = None  # made: its length; extended: the minutes added


def clean_terms(picks: list[str], note: str) -> tuple[list[str], str]:
    """The quick picks and the free text as agreed, refused in a sentence when empty or
    too long."""
    chosen = list(dict.fromkeys(p.strip() for p in picks if p.strip()))
    text = note.strip()
    if not chosen and not text:
        raise AgreementError("Say what was agreed: choose a term or write one.")
    if len(chosen) > MOST_TERMS:
        raise AgreementError(f"Choose at most {MOST_TERMS} terms.")
    if any(len(p) > TERM_MAX for p in chosen):
        raise AgreementError(f"Each term is at most {TERM_MAX} characters.")
    if len(text) > NOTE_MAX:
        raise AgreementError(f"The written terms are {len(text)} characters long: keep them "
                             f"to {NOTE_MAX} or fewer.")
    return chosen, text


def check_minutes(minutes: int) -> int:
    if minutes < 1:
        raise AgreementError("An agreement lasts at least 1 minute.")
    if minutes > LONGEST_AGREEMENT_MIN:
        raise AgreementError(f"An agreement lasts at most {LONGEST_AGREEMENT_MIN} minutes "
                             "(4 hours): make a new one after that.")
    return minutes


class Agreement(_Model):
    id: str
    meeting: str
    client: str
    terms: list[str]
    note: str = ""
    minutes: int  # its whole length so far, extensions included
    made_ms: int
    made_by: str
    ends_ms: int
    ended_ms: int | None = None
    ended_by: str | None = None
    ended_how: How | None = None
    reminded_ms: int | None = None  # the reminder for the current end (reset by extending)
    history: list[Happened] = []

    @classmethod
    def make(cls, agreement_id: str, meeting: str, client: str, picks: list[str], note: str,
             minutes: int, at_ms: int, by: str) -> Agreement:
        terms, text = clean_terms(picks, note)
        length = check_minutes(minutes)
        return cls(id=agreement_id, meeting=meeting, client=client, terms=terms, note=text,
                   minutes=length, made_ms=at_ms, made_by=by, ends_ms=at_ms + length * 60_000,
                   history=[Happened(at_ms=at_ms, by=by, what="made", minutes=length)])

    def state(self, now_ms: int) -> Literal["running", "due", "ended"]:
        """Running until its end; then due (check in) until someone ends it."""
        if self.ended_ms is not None:
            return "ended"
        return "running" if now_ms < self.ends_ms else "due"

    def words(self) -> str:
        """The terms in one line, as the record shows them."""
        return "; ".join([*self.terms, *([self.note] if self.note else [])])

    def extend(self, minutes: int, at_ms: int, by: str) -> None:
        """More time: from its end while it runs, from now once it has run out."""
        if self.ended_ms is not None:
            raise AgreementError("This agreement has ended: make a new one.")
        added = check_minutes(minutes)
        if (self.ends_ms - self.made_ms) // 60_000 + added > LONGEST_AGREEMENT_MIN:
            raise AgreementError(f"An agreement lasts at most {LONGEST_AGREEMENT_MIN} minutes "
                                 "in all: make a new one.")
        self.ends_ms = max(self.ends_ms, at_ms) + added * 60_000
        self.minutes = (self.ends_ms - self.made_ms) // 60_000
        self.reminded_ms = None
        self.history.append(Happened(at_ms=at_ms, by=by, what="extended", minutes=added))

    def end(self, how: How, at_ms: int, by: str) -> None:
        if self.ended_ms is not None:
            raise AgreementError("This agreement has already ended.")
        self.ended_ms, self.ended_by, self.ended_how = at_ms, by, how
        self.history.append(Happened(at_ms=at_ms, by=by, what="ended"))

    def remind(self, at_ms: int) -> bool:
        """Mark the reminder for the current end; False when it is not due (ended, extended
        meanwhile, or already reminded)."""
        if self.ended_ms is not None or self.reminded_ms is not None or at_ms < self.ends_ms:
            return False
        self.reminded_ms = at_ms
        self.history.append(Happened(at_ms=at_ms, by="tether", what="reminded",
                                     minutes=self.minutes))
        return True
