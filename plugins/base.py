"""The port every platform adapter implements, and the errors it may raise.

The webhook edge and the sidecar depend on this module only, never on a concrete plugin.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from contracts.events import EventEnvelope
from contracts.prepared import PreparedEvent

# the latest time a platform may date an event: 1 January 3000, in ms (past it a date is
# a mistake, and Python's dates end at the year 9999)
LATEST_MS = 32_503_680_000_000


class WebhookRejected(Exception):
    """A platform callback we refuse. ``status`` is the HTTP answer (4xx: no retry)."""

    status = 400

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class BadSignature(WebhookRejected):
    """Signature missing or wrong: the sender is not the platform."""

    status = 401


class StaleRequest(WebhookRejected):
    """Signed timestamp outside the replay window."""

    status = 401


class MalformedPayload(WebhookRejected):
    """Signed but not a payload we can read."""

    status = 400


@dataclass(frozen=True)
class WebhookResult:
    """What one verified callback amounts to."""

    events: list[EventEnvelope] = field(default_factory=list)
    reply: dict[str, Any] | None = None  # a handshake answer the platform expects
    skipped: str | None = None  # platform event type we knowingly ignore


class WebhookAdapter(Protocol):
    """One platform's webhook knowledge: authenticate, then translate."""

    platform: str

    def verify(self, headers: Mapping[str, str], body: bytes, now: float) -> None:
        """Raise a ``WebhookRejected`` unless the request is authentic and fresh."""
        ...

    def prepare(self, body: bytes) -> PreparedEvent | None:
        """A verified body's common event, prepared without models; None: ``handle`` it."""
        ...

    def handle(self, body: bytes) -> WebhookResult:
        """Translate a verified body into contract events (pure, no I/O)."""
        ...


class CommandFailed(Exception):
    """A platform command could not be carried out; ``retry_after_s`` if worth retrying."""

    def __init__(self, reason: str, *, retry_after_s: float | None = None,
                 final: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after_s = retry_after_s
        self.final = final  # retrying cannot help (meeting not live, no permission)


class MeetingCommands(Protocol):
    """Server-side commands on a live meeting, through the platform's API."""

    platform: str

    async def stop_recording(self, meeting: str) -> None:
        """Stop cloud recording of the live meeting instance; raise ``CommandFailed``."""
        ...


class PanelContextError(Exception):
    """The platform's signed context for an in-meeting panel is missing, bad or expired."""


@dataclass(frozen=True)
class PanelContext:
    """Who opened an in-meeting panel, as the platform vouches for it."""

    platform: str
    user: str  # the platform's user id ("" for a guest)
    meeting: str  # the meeting instance, when opened in a meeting
    role: str  # host, co-host, participant...


AppContextReader = Callable[[str, int], PanelContext]
"""Opens a platform's signed panel context at a given time (ms); raises PanelContextError."""
