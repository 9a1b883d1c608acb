"""What a claimed job looks like to its handler, and what a handler may answer.

A job's hash, as it is stored (small enough for Redis's compact listpack encoding, whose
values must stay within ``hash-max-listpack-value``, 64 bytes by default):

- ``k`` its kind; ``p.<name>`` one payload entry each, as JSON; ``d`` the handler's data
  as JSON (absent: ``{}``); ``t`` due ms; ``n`` attempts (absent: 0);
- ``state`` pending, leased, done or cancelled; ``epoch`` and ``wake``, counters that only
  grow (absent: 0); ``owner`` the replica holding its lease (absent: nobody);
  ``outcome`` once done or cancelled; ``sig:<name>`` a signal's last value.

Hashes written before this layout (``kind``, ``payload``, ``data``, ``due``, ``attempts``,
``created``, ``lease_until``, empty ``owner`` and ``outcome``) are read the same way, and
rewritten to it when next claimed.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

PAYLOAD_PREFIX = "p."
SIGNAL_PREFIX = "sig:"


def dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def payload_fields(payload: Mapping[str, Any]) -> dict[str, str]:
    """A payload as hash fields: one short value each, rather than one long JSON value."""
    return {PAYLOAD_PREFIX + name: dumps(value) for name, value in payload.items()}


def new_fields(kind: str, due_ms: int, payload: Mapping[str, Any],
               data: Mapping[str, Any] | None) -> dict[str, str]:
    """A pending job's fields, but its counters (``epoch``, ``wake``)."""
    fields = {"k": kind, **payload_fields(payload), "state": "pending", "t": str(due_ms)}
    if data:
        fields["d"] = dumps(data)
    return fields


def read_payload(raw: Mapping[str, str]) -> dict[str, Any]:
    """A stored job's payload, in either layout."""
    fields = {k[len(PAYLOAD_PREFIX):]: json.loads(v) for k, v in raw.items()
              if k.startswith(PAYLOAD_PREFIX)}
    if fields or "payload" not in raw:
        return fields
    return dict(json.loads(raw["payload"] or "{}"))


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
            kind=raw.get("k", raw.get("kind", "")),
            payload=read_payload(raw),
            data=json.loads(raw.get("d", raw.get("data")) or "{}"),
            epoch=raw.get("epoch", "0"),
            attempts=int(raw.get("n", raw.get("attempts")) or "0"),
            wake=raw.get("wake", "0"),
            due_ms=int(raw.get("t", raw.get("due")) or "0"),
            claimed_at_ms=now_ms,
            signals={k[len(SIGNAL_PREFIX):]: v for k, v in raw.items()
                     if k.startswith(SIGNAL_PREFIX)},
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
