"""Zoom webhook bodies in Zoom's documented shapes, with synthetic people only."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from plugins.zoom.signature import sign

MEETING_NUMBER = "81234567890"
MEETING_UUID = "mT3x/Sample+Uuid==" # contains / and +, as real uuids can
SECRET = "test-webhook-secret-token"


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _object(extra: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"id": MEETING_NUMBER, "uuid": MEETING_UUID, "host_id": "hOsTiD0001",
            "topic": "Evening group", "type": 8, "start_time": "2026-11-27T01:00:00Z",
            "timezone": "America/Chicago", "duration": 90, **(extra or {})}


def participant_event(event: str, ts_ms: int, participant_uuid: str, name: str,
                      leave_reason: str | None = None, **extra: Any) -> dict[str, Any]:
    p: dict[str, Any] = {"user_id": str(abs(hash(participant_uuid)) % 10**8),
                         "user_name": name, "id": "", "participant_uuid": participant_uuid,
                         "email": "", "participant_user_id": "", "registrant_id": ""}
    if event.endswith("joined") or event.endswith("joined_breakout_room"):
        p["join_time"] = _iso(ts_ms)
    elif "waiting_room" in event or event.endswith("admitted"):
        p["date_time"] = _iso(ts_ms)
    else:
        p["leave_time"] = _iso(ts_ms)
    if leave_reason is not None:
        p["leave_reason"] = leave_reason
    obj = _object({"participant": p, **extra})
    return {"event": event, "event_ts": ts_ms, "payload": {"account_id": "AcCt0001",
                                                           "object": obj}}


def joined(ts_ms: int, puuid: str, name: str) -> dict[str, Any]:
    return participant_event("meeting.participant_joined", ts_ms, puuid, name)


def disconnected(ts_ms: int, puuid: str, name: str) -> dict[str, Any]:
    return participant_event("meeting.participant_left", ts_ms, puuid, name,
                             "got disconnected from the meeting. Reason : Client Close.")


def left(ts_ms: int, puuid: str, name: str, reason: str = "left the meeting. Reason : "
         "left the meeting") -> dict[str, Any]:
    return participant_event("meeting.participant_left", ts_ms, puuid, name, reason)


def meeting_event(event: str, ts_ms: int) -> dict[str, Any]:
    return {"event": event, "event_ts": ts_ms, "payload": {"account_id": "AcCt0001",
                                                           "object": _object()}}


def chat(ts_ms: int, session_id: str, name: str, text: str, email: str = "",
         message_id: str = "") -> dict[str, Any]:
    """``meeting.chat_message_sent`` as Zoom's webhook reference shows it (to everyone)."""
    message = {"date_time": _iso(ts_ms), "sender_session_id": session_id, "sender_name": name,
               "sender_email": email, "sender_type": "guest", "recipient_session_id": "",
               "recipient_name": "Everyone", "recipient_email": "", "recipient_type": "",
               "message_id": message_id or f"MS{ts_ms}{session_id}",
               "message_content": text, "file_ids": []}
    obj = {"id": int(MEETING_NUMBER), "uuid": MEETING_UUID, "chat_message": message}
    return {"event": "meeting.chat_message_sent", "event_ts": ts_ms,
            "payload": {"account_id": "AcCt0001", "object": obj}}


def signed(body: dict[str, Any] | bytes, now: float, secret: str = SECRET
           ) -> tuple[bytes, dict[str, str]]:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    ts = str(int(now))
    return raw, {"x-zm-request-timestamp": ts, "x-zm-signature": sign(secret, ts, raw),
                 "content-type": "application/json"}
