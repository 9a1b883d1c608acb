"""Timeline entries: what panels render and what the after-action review reads."""

from __future__ import annotations

import json
from typing import Any

TIMELINE_MAXLEN = 20_000


def entry(kind: str, at_ms: int, **data: Any) -> dict[str, str]:
    return {"kind": kind, "at": str(at_ms), "data": json.dumps(data, separators=(",", ":"))}


def decode(entry_id: str, fields: dict[str, str]) -> dict[str, Any]:
    return {"id": entry_id, "kind": fields.get("kind", ""), "at": int(fields.get("at", "0")),
            "data": json.loads(fields.get("data") or "{}")}
