"""The one port the callback ladder dials and texts through.

A call is placed with answering-machine detection and plays a keypress prompt; only a
person who presses 1 counts as reached. Statuses are the provider's call statuses;
``in-progress`` means something picked up (a person, a voicemail, a fax), not that
anyone was reached, so it is not an outcome.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

ENDED = frozenset({"completed"})  # picked up, then hung up: reached only if 1 was pressed
NOT_ANSWERED = frozenset({"busy", "no-answer", "canceled"})
FAILED = frozenset({"failed"})
FINAL = ENDED | NOT_ANSWERED | FAILED
REACHED = "reached"  # the outcome of a call on which a person pressed 1


def machine(answered_by: str) -> bool:
    """The provider's ``AnsweredBy`` says a voicemail, an answering machine or a fax."""
    return answered_by.startswith("machine") or answered_by == "fax"


class TelephonyError(Exception):
    """The provider could not be reached or refused the request; the effect may be retried."""


@dataclass(frozen=True)
class CallRef:
    sid: str
    status: str
    to: str = ""
    created_ms: int = 0


class Dialer(Protocol):
    async def place_call(
        self, to: str, *, status_url: str, twiml_url: str, amd_url: str, ring_timeout_s: int
    ) -> CallRef:
        """Place a call; ``amd_url`` hears who or what answered (``AnsweredBy``)."""
        ...

    async def find_call(self, to: str, created_after_ms: int) -> CallRef | None:
        """A call to ``to`` created after the given time, if the provider has one."""
        ...

    async def call_status(self, sid: str) -> str: ...

    async def send_sms(self, to: str, body: str, *, status_url: str = "") -> str:
        """Send a text; ``status_url`` hears whether it was delivered. Returns its id."""
        ...

    async def aclose(self) -> None:
        """Close the connections kept for the next request (at shutdown)."""
        ...
