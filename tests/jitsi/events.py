"""Bodies as our Prosody module posts them (synthetic people only), signed as it signs."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from contracts.ids import jitsi_meeting_id
from plugins.jitsi.signature import sign

SECRET = "test-jitsi-webhook-secret"
ROOM = "tuesday-evening-group"  # examples/program.yaml's Jitsi room
ZONE = ZoneInfo("America/Chicago")  # examples/program.yaml's time zone
T0_MS = 1_800_000_000_000  # the harness's fake clock starts here


def meeting(at_ms: int = T0_MS, room: str = ROOM) -> str:
    """The session id the sidecar files an event at ``at_ms`` under."""
    day = datetime.fromtimestamp(at_ms / 1000, tz=UTC).astimezone(ZONE).date().isoformat()
    return jitsi_meeting_id(room, day)


def room_event(name: str, at_ms: int, *, room: str = ROOM, key: str | None = None,
               **fields: Any) -> dict[str, Any]:
    return {"event": name, "idempotency_key": key or str(uuid.uuid4()), "at_ms": at_ms,
            "room": room, "room_jid": f"{room}@conference.meet.example.org",
            "is_breakout": False, **fields}


def occupant_event(name: str, at_ms: int, nick: str, display_name: str, *,
                   reason: str | None = None, breakout: str | None = None, user_id: str = "",
                   **fields: Any) -> dict[str, Any]:
    body = room_event(name, at_ms, **fields)
    occupant = {"id": nick, "name": display_name}
    if user_id:
        occupant["user_id"] = user_id
    body["occupant"] = occupant
    if reason is not None:
        body["reason"] = reason
    if breakout is not None:
        body.update(is_breakout=True, breakout_room_id=breakout)
    return body


def joined(at_ms: int, nick: str, name: str, **kw: Any) -> dict[str, Any]:
    return occupant_event("occupant.joined", at_ms, nick, name, **kw)


def left(at_ms: int, nick: str, name: str, reason: str = "left", **kw: Any) -> dict[str, Any]:
    return occupant_event("occupant.left", at_ms, nick, name, reason=reason, **kw)


def signed(body: dict[str, Any] | bytes, now: float, secret: str = SECRET
           ) -> tuple[bytes, dict[str, str]]:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    ts = str(int(now))
    key = json.loads(raw).get("idempotency_key", "") if raw.startswith(b"{") else ""
    return raw, {"Content-Type": "application/json", "X-Tether-Timestamp": ts,
                 "X-Tether-Signature": sign(secret, ts, raw),
                 "X-Tether-Idempotency-Key": str(key)}
