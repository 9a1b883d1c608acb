"""The Zoom adapter: signatures over raw bytes, replay window, handshake, translation."""

from __future__ import annotations

import json

import pytest

from contracts.events import LeaveReason
from plugins.base import BadSignature, MalformedPayload, StaleRequest
from plugins.zoom import ZoomWebhookAdapter
from plugins.zoom.leave_reason import classify
from plugins.zoom.signature import encrypt_plain_token, sign
from tests import zoom_payloads as zp

NOW = 1_800_000_000.0


def headers_for(body: bytes, ts: float = NOW, secret: str = zp.SECRET) -> dict[str, str]:
    return {"x-zm-request-timestamp": str(int(ts)), "x-zm-signature": sign(secret, str(int(ts)),
                                                                            body)}


adapter = ZoomWebhookAdapter(zp.SECRET)


def test_signature_is_hex_hmac_sha256_of_v0_timestamp_body() -> None:
    import hashlib
    import hmac

    body = b'{"event":"meeting.started"}'
    expected = hmac.new(b"k", b"v0:1658940994:" + body, hashlib.sha256).hexdigest()
    assert sign("k", "1658940994", body) == "v0=" + expected


def test_valid_signature_over_raw_non_ascii_bytes_passes() -> None:
    body = json.dumps(zp.joined(0, "pu-1", "Zoë Ångström"), ensure_ascii=False).encode()
    adapter.verify(headers_for(body), body, NOW)  # no exception


@pytest.mark.parametrize("tamper", ["body", "signature", "secret", "missing"])
def test_bad_signatures_are_rejected(tamper: str) -> None:
    body = json.dumps(zp.joined(0, "pu-1", "Casey B")).encode()
    headers = headers_for(body, secret="wrong" if tamper == "secret" else zp.SECRET)
    if tamper == "body":
        body = body.replace(b"Casey", b"Casey ")
    if tamper == "signature":
        headers["x-zm-signature"] = "v0=" + "0" * 64
    if tamper == "missing":
        del headers["x-zm-signature"]
    with pytest.raises(BadSignature):
        adapter.verify(headers, body, NOW)


@pytest.mark.parametrize("skew", [-301, 301, -10_000])
def test_timestamps_outside_the_replay_window_are_stale(skew: int) -> None:
    body = b"{}"
    with pytest.raises(StaleRequest):
        adapter.verify(headers_for(body, ts=NOW + skew), body, NOW)


def test_timestamp_inside_the_window_is_fine() -> None:
    adapter.verify(headers_for(b"{}", ts=NOW - 299), b"{}", NOW)


def test_url_validation_answers_hex_hmac_of_plain_token() -> None:
    body = json.dumps({"payload": {"plainToken": "qgg8vlvZRS6UYooatFL8Aw"},
                       "event_ts": 1654503849680, "event": "endpoint.url_validation"}).encode()
    result = adapter.handle(body)
    assert result.reply == {"plainToken": "qgg8vlvZRS6UYooatFL8Aw",
                            "encryptedToken": encrypt_plain_token(zp.SECRET,
                                                                  "qgg8vlvZRS6UYooatFL8Aw")}
    assert len(result.reply["encryptedToken"]) == 64
    int(result.reply["encryptedToken"], 16)  # hex, not base64


@pytest.mark.parametrize("body", [b"not json", b"{}", b'{"event":"x"}',
                                  b'{"event":"meeting.participant_joined","event_ts":1,'
                                  b'"payload":{"object":{"id":"1"}}}'])
def test_malformed_payloads(body: bytes) -> None:
    with pytest.raises(MalformedPayload):
        adapter.handle(body)


def test_unknown_event_is_skipped_not_failed() -> None:
    body = json.dumps(zp.meeting_event("meeting.sharing_started", 1)).encode()
    assert adapter.handle(body).skipped == "meeting.sharing_started"


def test_documented_left_payload_translates() -> None:
    body = json.dumps(zp.disconnected(1626230691572, "55555AAAiAAAAAiAiAiiAii", "Sam Q")).encode()
    (env,) = adapter.handle(body).events
    assert env.meeting == zp.MEETING_UUID and env.meeting_number == zp.MEETING_NUMBER
    assert env.event.type == "participant.left"
    assert env.event.reason is LeaveReason.DISCONNECTED  # type: ignore[union-attr]
    assert env.event.person.participant == "55555AAAiAAAAAiAiAiiAii"  # type: ignore[union-attr]
    assert int(env.occurred_at.timestamp() * 1000) == 1626230691572


def test_recording_started_with_numeric_meeting_id() -> None:
    raw = zp.meeting_event("recording.started", 1626230691572)
    raw["payload"]["object"]["id"] = 81234567890
    (env,) = adapter.handle(json.dumps(raw).encode()).events
    assert env.event.type == "recording.started" and env.meeting_number == "81234567890"


def test_breakout_and_waiting_room_events_translate() -> None:
    kinds = {
        "meeting.participant_joined_breakout_room": "breakout.joined",
        "meeting.participant_left_breakout_room": "breakout.left",
        "meeting.participant_joined_waiting_room": "waiting_room.joined",
        "meeting.participant_admitted": "waiting_room.admitted",
        "meeting.participant_left_waiting_room": "waiting_room.left",
        "meeting.participant_put_in_waiting_room": "waiting_room.joined",
    }
    for zoom_event, ours in kinds.items():
        raw = zp.participant_event(zoom_event, 1, "pu-1", "Casey B",
                                   breakout_room_uuid="FkQbpP2UR028mDrwzEahqw==")
        (env,) = adapter.handle(json.dumps(raw).encode()).events
        assert env.event.type == ours


def test_same_event_twice_has_the_same_delivery_id() -> None:
    body = json.dumps(zp.joined(5, "pu-1", "Casey B")).encode()
    assert adapter.handle(body).events[0].id == adapter.handle(body).events[0].id


@pytest.mark.parametrize(("text", "reason"), [
    ("left the meeting. Reason : left the meeting", LeaveReason.LEFT),
    ("left the meeting. Reason : left the meeting to join breakout room",
     LeaveReason.MOVED_TO_BREAKOUT),
    ("got disconnected from the meeting. Reason : Client Close.", LeaveReason.DISCONNECTED),
    ("left the meeting. Reason : left the meeting leave breakout room to join main meeting",
     LeaveReason.MOVED_TO_MAIN),
    ("left the meeting. Reason : Host ended the meeting.", LeaveReason.MEETING_ENDED),
    ("Jill Chill left the meeting.<br>Reason: Host ended the meeting.", LeaveReason.MEETING_ENDED),
    ("Removed by host.", LeaveReason.REMOVED_BY_HOST),
    ("Network connection error.", LeaveReason.DISCONNECTED),
    ("Leave waiting room.", LeaveReason.LEFT_WAITING_ROOM),
    ("", LeaveReason.UNKNOWN),
    ("Unknown reason.", LeaveReason.UNKNOWN),
])
def test_leave_reasons_by_substring(text: str, reason: LeaveReason) -> None:
    assert classify(text) is reason
