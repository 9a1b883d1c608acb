"""The one port the callback ladder dials through."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

ANSWERED = frozenset({"in-progress", "completed"})
NOT_ANSWERED = frozenset({"busy", "no-answer", "canceled"})
FAILED = frozenset({"failed"})
FINAL = ANSWERED | NOT_ANSWERED | FAILED


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
        self, to: str, *, status_url: str, twiml_url: str, ring_timeout_s: int
    ) -> CallRef: ...

    async def find_call(self, to: str, created_after_ms: int) -> CallRef | None:
        """A call to ``to`` created after the given time, if the provider has one."""
        ...

    async def call_status(self, sid: str) -> str: ...

    async def send_sms(self, to: str, body: str) -> str: ...
