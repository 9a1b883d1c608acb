"""Timeline entries: what panels render and what the after-action review reads."""

from __future__ import annotations

import json
from typing import Any

from sidecar.roster import PersonState

TIMELINE_MAXLEN = 20_000


def entry(kind: str, at_ms: int, **data: Any) -> dict[str, str]:
    return {"kind": kind, "at": str(at_ms), "data": json.dumps(data, separators=(",", ":"))}


def person_view(p: PersonState) -> dict[str, Any]:
    """A roster row as panels see it (display names are untrusted text)."""
    kind = p.subject_kind
    return {
        "participant": p.participant,
        "display_name": p.display_name,
        "identity": kind,
        "client": p.subject.split(":", 1)[1] if kind == "client" else None,
        "status": p.status,
        "reason": p.reason,
        "room": p.current_room,
        "since": p.at_ms,
    }


def decode(entry_id: str, fields: dict[str, str]) -> dict[str, Any]:
    return {"id": entry_id, "kind": fields.get("kind", ""), "at": int(fields.get("at", "0")),
            "data": json.loads(fields.get("data") or "{}")}
