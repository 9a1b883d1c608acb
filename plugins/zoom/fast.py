"""The participant webhooks (most of what Zoom sends) checked and written out without models.

``prepare`` reads a body with the standard JSON parser and, for a participant event in the
shape Zoom documents, returns the same event the model path makes (``payloads.py``, then
``translate.py``, then the inbox's serialisation) as a ``PreparedEvent``. Anything it is
not sure of, it does not decide: it returns None and the model path reads the body, which
accepts, skips or rejects it as before. So it only ever says yes, and only where the
model path says the same thing; ``tests/plugins/test_zoom_fast.py`` holds the two to that
over generated bodies.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime
from typing import Any

from contracts.prepared import PreparedEvent
from plugins.base import LATEST_MS
from plugins.zoom.leave_reason import classify

logger = logging.getLogger(__name__)
# Zoom's participant events, by the contract type each becomes (meeting, recording and
# chat events, and anything rarer, take the model path)
_TYPES = {
    "meeting.participant_joined": "participant.joined",
    "meeting.participant_left": "participant.left",
    "meeting.participant_joined_waiting_room": "waiting_room.joined",
    "meeting.participant_put_in_waiting_room": "waiting_room.joined",
    "meeting.participant_admitted": "waiting_room.admitted",
    "meeting.participant_left_waiting_room": "waiting_room.left",
    "meeting.participant_joined_breakout_room": "breakout.joined",
    "meeting.participant_left_breakout_room": "breakout.left",
}
_PARTICIPANT_TEXT = ("participant_uuid", "user_name", "email", "registrant_id",
                     "customer_key", "participant_user_id", "leave_reason")
_PARTICIPANT_TIMES = ("join_time", "leave_time", "date_time")
_OBJECT_TEXT = ("uuid", "topic", "breakout_room_uuid")
# a time the model path certainly reads the same way (it reads more forms than these)
_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})")
# a surrogate escape: the model path refuses a lone one, and a pair is rare enough
_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F]")
_ID_MAX = 300  # EventEnvelope.id
_DUMP = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


class _Unsure(Exception):
    pass


def _no_constant(name: str) -> float:
    raise _Unsure(name)  # NaN and Infinity: not JSON, refused by the model path


def _finite(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise _Unsure(text)
    return value


_LOAD = json.JSONDecoder(parse_constant=_no_constant, parse_float=_finite).decode


def _number_text(d: dict[str, Any], key: str) -> str:
    """A field the model turns from a number into text (Zoom sends some ids as numbers)."""
    value = d.get(key, "")
    if type(value) is int:
        return str(value)
    if type(value) is not str:
        raise _Unsure(key)
    return value


def _checked(d: Any, text: tuple[str, ...], numbers: tuple[str, ...] = ()) -> dict[str, Any]:
    if type(d) is not dict:
        raise _Unsure("not an object")
    for key in text:
        if type(d.get(key, "")) is not str:
            raise _Unsure(key)
    for key in numbers:
        if type(d.get(key, "")) not in (str, int):
            raise _Unsure(key)
    return d


def _occurred(event_ts: int) -> str:
    """``occurred_at`` as the model writes it: UTC, microseconds when there are any."""
    at = datetime.fromtimestamp(event_ts / 1000, tz=UTC)
    return at.isoformat().replace("+00:00", "Z")


def prepare(body: bytes) -> PreparedEvent | None:
    """The prepared event for a participant webhook, or None to let the model path decide."""
    if _SURROGATE.search(body):
        return None
    try:
        return _prepare(_LOAD(body.decode("utf-8")))
    except (_Unsure, ValueError, RecursionError):
        return None
    except Exception as exc:  # a fault here may cost speed, never an event: the models decide
        # the type only: a message or a traceback's values could carry a name from the body
        logger.error("the fast path failed on a Zoom webhook (%s); the model path reads it",
                     type(exc).__name__)
        return None


def _participant(obj: dict[str, Any]) -> dict[str, Any]:
    """The object's participant, every field the model reads checked the way it reads it."""
    if obj.get("chat_message") is not None:
        raise _Unsure("chat_message")
    p = _checked(obj.get("participant"), _PARTICIPANT_TEXT, ("user_id", "id"))
    for key in _PARTICIPANT_TIMES:
        when = p.get(key)
        if when is None:
            continue
        if type(when) is not str or not _TIME.fullmatch(when):
            raise _Unsure(key)
        datetime.fromisoformat(when)  # a date that does not exist: ValueError, unsure
    return p


def _event(contract_type: str, participant: str, p: dict[str, Any],
           obj: dict[str, Any]) -> dict[str, Any]:
    """The contract event, its person without display name and e-mail."""
    event: dict[str, Any] = {"type": contract_type, "person": {
        "participant": participant, "registrant_id": p.get("registrant_id", ""),
        "customer_key": p.get("customer_key", ""),
        "platform_user_id": p.get("participant_user_id", "") or _number_text(p, "id")}}
    if contract_type == "participant.left":
        reason_text = p.get("leave_reason", "")
        event["reason"] = classify(reason_text).value
        event["reason_text"] = reason_text[:500]
    elif contract_type.startswith("breakout."):
        event["room"] = obj.get("breakout_room_uuid", "")
    return event


def _prepare(hook: Any) -> PreparedEvent | None:
    if type(hook) is not dict:
        return None
    kind = hook.get("event")
    contract_type = _TYPES.get(kind) if type(kind) is str else None
    ts = hook.get("event_ts")
    if contract_type is None or type(ts) is not int or not 0 < ts <= LATEST_MS:
        return None  # event_ts 0: the model path dates it by the participant's own time
    payload = _checked(hook.get("payload"), ("account_id", "plainToken"))
    obj = _checked(payload.get("object"), _OBJECT_TEXT, ("id",))
    p = _participant(obj)
    uuid, puuid, user_id = obj.get("uuid", ""), p.get("participant_uuid", ""), \
        _number_text(p, "user_id")
    delivery = f"zoom:{uuid}:{puuid}:{kind}:{ts}"
    if not uuid or not (puuid or user_id) or len(delivery) > _ID_MAX:
        return None  # the model path rejects these
    participant = puuid or f"user:{user_id}"
    envelope = {"schema_version": "1.0", "id": delivery, "platform": "zoom", "meeting": uuid,
                "meeting_number": _number_text(obj, "id"), "occurred_at": _occurred(ts),
                "event": _event(contract_type, participant, p, obj)}
    return PreparedEvent(id=delivery, meeting=uuid, type=contract_type,
                         participant=participant, display_name=p.get("user_name", "")[:200],
                         email=p.get("email", ""), bare=_DUMP(envelope))
