"""The Jitsi adapter: our module's signature over raw bytes, the replay window, translation
of every module event, the session's day in the program's time zone."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from contracts.events import (
    BreakoutJoined,
    BreakoutLeft,
    EventEnvelope,
    LeaveReason,
    MeetingEnded,
    MeetingStarted,
    ParticipantJoined,
    ParticipantLeft,
    WaitingRoomJoined,
    WaitingRoomLeft,
)
from plugins.base import BadSignature, MalformedPayload, StaleRequest
from plugins.jitsi import JitsiWebhookAdapter
from plugins.jitsi.signature import sign
from plugins.jitsi.translate import SUPPORTED_EVENTS
from tests.jitsi import events as je

NOW = 1_800_000_000.0
adapter = JitsiWebhookAdapter(je.SECRET, "America/Chicago")


def handle(body: dict[str, Any]) -> list[EventEnvelope]:
    return adapter.handle(json.dumps(body).encode()).events


def only(body: dict[str, Any]) -> EventEnvelope:
    events = handle(body)
    assert len(events) == 1
    return events[0]


# ---- signature and replay window ------------------------------------------------------

def test_signature_is_hex_hmac_sha256_of_timestamp_dot_body() -> None:
    body = b'{"event":"room.created"}'
    expected = hmac.new(b"k", b"1658940994." + body, hashlib.sha256).hexdigest()
    assert sign("k", "1658940994", body) == "sha256=" + expected


def test_valid_signature_over_raw_non_ascii_bytes_passes() -> None:
    raw = json.dumps(je.joined(je.T0_MS, "a1b2c3d4", "Zoë Ångström"), ensure_ascii=False)
    body, headers = je.signed(raw.encode(), NOW)
    adapter.verify(headers, body, NOW)  # no exception


def test_header_names_are_case_insensitive() -> None:
    body, headers = je.signed(je.joined(je.T0_MS, "a1b2c3d4", "Casey B"), NOW)
    adapter.verify({k.lower(): v for k, v in headers.items()}, body, NOW)


@pytest.mark.parametrize("tamper", ["body", "signature", "secret", "missing", "timestamp",
                                    "not-a-number", "prefix"])
def test_bad_signatures_are_rejected(tamper: str) -> None:
    body, headers = je.signed(je.joined(je.T0_MS, "a1b2c3d4", "Casey B"), NOW,
                              secret="wrong" if tamper == "secret" else je.SECRET)
    if tamper == "body":
        body = body.replace(b"Casey", b"Casey ")
    if tamper == "signature":
        headers["X-Tether-Signature"] = "sha256=" + "0" * 64
    if tamper == "missing":
        del headers["X-Tether-Signature"]
    if tamper == "timestamp":  # signed for another second
        headers["X-Tether-Timestamp"] = str(int(NOW) + 1)
    if tamper == "not-a-number":
        headers["X-Tether-Timestamp"] = "\uff11\uff18\uff10\uff10"  # full-width digits
    if tamper == "prefix":
        headers["X-Tether-Signature"] = headers["X-Tether-Signature"].removeprefix("sha256=")
    with pytest.raises(BadSignature):
        adapter.verify(headers, body, NOW)


@pytest.mark.parametrize("skew", [-301, 301, -10_000])
def test_timestamps_outside_the_replay_window_are_stale(skew: int) -> None:
    body, headers = je.signed(b"{}", NOW + skew)
    with pytest.raises(StaleRequest):
        adapter.verify(headers, body, NOW)


@pytest.mark.parametrize("skew", [-300, 0, 300])
def test_timestamps_inside_the_window_pass(skew: int) -> None:
    body, headers = je.signed(b"{}", NOW + skew)
    adapter.verify(headers, body, NOW)


def test_an_empty_secret_is_refused() -> None:
    with pytest.raises(ValueError):
        JitsiWebhookAdapter("", "UTC")


# ---- translation ----------------------------------------------------------------------

def test_join_becomes_participant_joined_with_envelope() -> None:
    body = je.joined(je.T0_MS + 250, "a1b2c3d4", "Casey B", user_id="uid-7f3a", key="k-1")
    env = only(body)
    assert isinstance(env.event, ParticipantJoined)
    assert env.platform == "jitsi" and env.id == "jitsi:k-1"
    assert env.meeting_number == je.ROOM
    assert env.meeting == "tuesday-evening-group~2027-01-15"  # 02:00 in Chicago
    assert env.occurred_at == datetime.fromtimestamp((je.T0_MS + 250) / 1000, tz=UTC)
    person = env.event.person
    assert (person.participant, person.display_name, person.platform_user_id) == (
        "a1b2c3d4", "Casey B", "uid-7f3a")


def test_the_session_day_is_the_programs_calendar_day() -> None:
    late_evening = 1_800_025_200_000  # 2027-01-15T15:00Z = 09:00 Chicago; +14 h below
    env = only(je.joined(late_evening + 14 * 3600_000, "a1b2c3d4", "Casey B"))
    assert env.meeting == "tuesday-evening-group~2027-01-15"  # 23:00 Chicago, not UTC's 16th


def test_a_session_running_past_midnight_stays_on_its_first_day() -> None:
    start = 1_800_072_000_000  # 2027-01-16T04:00Z = 22:00 Chicago on the 15th
    after_midnight = start + 3 * 3600_000
    env = only(je.left(after_midnight, "a1b2c3d4", "Casey B", reason="disconnected",
                       session_started_ms=start))
    assert env.meeting == "tuesday-evening-group~2027-01-15"
    stale = only(je.left(after_midnight, "a1b2c3d4", "Casey B",
                         session_started_ms=start - 24 * 3600_000))  # a room kept for days
    assert stale.meeting == "tuesday-evening-group~2027-01-16"


@pytest.mark.parametrize(("reason", "breakout", "expected"), [
    ("left", None, LeaveReason.LEFT),
    ("kicked", None, LeaveReason.REMOVED_BY_HOST),
    ("disconnected", None, LeaveReason.DISCONNECTED),
    ("switch_room", None, LeaveReason.MOVED_TO_BREAKOUT),
    ("switch_room", "6a1f-uuid", LeaveReason.MOVED_TO_MAIN),
    ("room_destroyed", None, LeaveReason.MEETING_ENDED),
    ("something_new", None, LeaveReason.UNKNOWN),
    ("", None, LeaveReason.UNKNOWN),
])
def test_leave_reasons(reason: str, breakout: str | None, expected: LeaveReason) -> None:
    envs = handle(je.left(je.T0_MS, "a1b2c3d4", "Casey B", reason=reason, breakout=breakout))
    assert isinstance(envs[0].event, ParticipantLeft)
    assert envs[0].event.reason == expected


def test_disconnect_keeps_the_servers_words() -> None:
    env = only(je.left(je.T0_MS, "a1b2c3d4", "Casey B", reason="disconnected",
                       detail="Hibernating too long"))
    assert isinstance(env.event, ParticipantLeft)
    assert env.event.reason_text == "Hibernating too long"


def test_breakout_join_and_leave_are_presence_and_room() -> None:
    joined = handle(je.joined(je.T0_MS, "a1b2c3d4", "Casey B", breakout="6a1f-uuid", key="k"))
    assert [type(e.event) for e in joined] == [ParticipantJoined, BreakoutJoined]
    assert [e.id for e in joined] == ["jitsi:k", "jitsi:k:1"]
    room_event = joined[1].event
    assert isinstance(room_event, BreakoutJoined) and room_event.room == "6a1f-uuid"
    assert joined[0].meeting == joined[1].meeting == je.meeting()  # the main room's session
    dropped = handle(je.left(je.T0_MS, "a1b2c3d4", "Casey B", reason="disconnected",
                             breakout="6a1f-uuid"))
    assert [type(e.event) for e in dropped] == [ParticipantLeft, BreakoutLeft]
    assert isinstance(dropped[0].event, ParticipantLeft)
    assert dropped[0].event.reason == LeaveReason.DISCONNECTED


def test_interrupted_is_a_disconnect_and_restored_a_join_after_it() -> None:
    t = je.T0_MS + 400
    gone = only(je.occupant_event("occupant.interrupted", t, "a1b2c3d4", "Casey B"))
    assert isinstance(gone.event, ParticipantLeft)
    assert gone.event.reason == LeaveReason.DISCONNECTED
    back = only(je.occupant_event("occupant.restored", t + 300, "a1b2c3d4", "Casey B",
                                  interrupted_at_ms=t))
    assert isinstance(back.event, ParticipantJoined)
    # within one second a drop outranks a join: the resume counts from the next second
    assert back.occurred_at == datetime.fromtimestamp((je.T0_MS + 1000) / 1000, tz=UTC)
    later = only(je.occupant_event("occupant.restored", t + 5000, "a1b2c3d4", "Casey B",
                                   interrupted_at_ms=t))
    assert later.occurred_at == datetime.fromtimestamp((t + 5000) / 1000, tz=UTC)


def test_lobby_knock_and_leave_are_the_waiting_room() -> None:
    assert isinstance(only(je.occupant_event("lobby.knock", je.T0_MS, "a1b2c3d4", "Casey B")
                           ).event, WaitingRoomJoined)
    assert isinstance(only(je.occupant_event("lobby.left", je.T0_MS, "a1b2c3d4", "Casey B",
                                             reason="left")).event, WaitingRoomLeft)


def test_main_room_created_and_destroyed_start_and_end_the_meeting() -> None:
    assert isinstance(only(je.room_event("room.created", je.T0_MS)).event, MeetingStarted)
    assert isinstance(only(je.room_event("room.destroyed", je.T0_MS)).event, MeetingEnded)


@pytest.mark.parametrize("name", ["breakout.created", "breakout.destroyed", "room.renamed"])
def test_events_without_a_contract_event_are_skipped(name: str) -> None:
    result = adapter.handle(json.dumps(je.room_event(name, je.T0_MS, is_breakout=True,
                                                     breakout_room_id="b1")).encode())
    assert result.events == [] and result.skipped == name


def test_every_supported_event_translates() -> None:
    for name in SUPPORTED_EVENTS:
        body = je.occupant_event(name, je.T0_MS, "a1b2c3d4", "Casey B", reason="left")
        assert handle(body), name


def test_unknown_fields_are_ignored_and_long_names_clipped() -> None:
    body = je.joined(je.T0_MS, "a1b2c3d4", "C" * 400, future_field={"x": 1})
    env = only(body)
    assert isinstance(env.event, ParticipantJoined)
    assert len(env.event.person.display_name) == 200


@pytest.mark.parametrize("body", [
    b"not json",
    b'{"event": "occupant.joined"}',
    json.dumps(je.room_event("occupant.joined", je.T0_MS)).encode(),  # no occupant
    json.dumps(je.joined(je.T0_MS, "", "Casey B")).encode(),  # empty participant id
    json.dumps(je.joined(je.T0_MS, "a1b2c3d4", "Casey B", breakout="")).encode(),
    json.dumps(je.joined(-1, "a1b2c3d4", "Casey B")).encode(),
])
def test_malformed_bodies_are_400(body: bytes) -> None:
    with pytest.raises(MalformedPayload):
        adapter.handle(body)
