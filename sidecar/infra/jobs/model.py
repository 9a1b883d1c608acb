"""What a claimed job looks like to its handler, and what a handler may answer."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ClaimedJob:
    key: str
    kind: str
    payload: dict[str, Any]
    data: dict[str, Any]
    epoch: str
    attempts: int
    wake: str
    due_ms: int
    claimed_at_ms: int
    signals: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_hash(cls, key: str, raw: dict[str, str], now_ms: int) -> ClaimedJob:
        return cls(
            key=key,
            kind=raw.get("kind", ""),
            payload=json.loads(raw.get("payload") or "{}"),
            data=json.loads(raw.get("data") or "{}"),
            epoch=raw.get("epoch", "0"),
            attempts=int(raw.get("attempts", "0")),
            wake=raw.get("wake", "0"),
            due_ms=int(raw.get("due", "0")),
            claimed_at_ms=now_ms,
            signals={k[4:]: v for k, v in raw.items() if k.startswith("sig:")},
        )


@dataclass(frozen=True)
class Done:
    """The job is finished; ``outcome`` is a short word for the record."""

    outcome: str
    data: dict[str, Any] | None = None


@dataclass(frozen=True)
class Defer:
    """Fire again at ``due_ms`` (the next ladder step or a timeout) with ``data``."""

    due_ms: int
    data: dict[str, Any]


@dataclass(frozen=True)
class Retry:
    """The effect failed; try again after a backoff (keeping ``data`` if given)."""

    reason: str
    data: dict[str, Any] | None = None


Outcome = Done | Defer | Retry
Handler = Callable[[ClaimedJob], Awaitable[Outcome]]
