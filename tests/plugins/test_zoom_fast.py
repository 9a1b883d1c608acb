"""The fast path for participant webhooks says only what the model path says.

``prepare`` may always decline (None: the model path decides). When it does not, the
event it prepares must be the model path's to the byte: the same delivery id, the same
inbox JSON, the same name and e-mail. Checked on Zoom's documented shapes, on odd ones
written by hand, and on bodies generated with every field's type and text varied.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contracts.events import EventEnvelope
from plugins.base import MalformedPayload
from plugins.zoom import ZoomWebhookAdapter, fast
from plugins.zoom.fast import prepare
from plugins.zoom.translate import SUPPORTED_EVENTS
from tests import zoom_payloads as zp

adapter = ZoomWebhookAdapter(zp.SECRET)
TS = 1_796_000_000_123
PARTICIPANT_EVENTS = sorted(e for e in SUPPORTED_EVENTS if "participant" in e)
BARE = {"event": {"person": {"display_name", "email"}}}


def model_path(body: bytes) -> EventEnvelope | None:
    """What the adapter's model path makes of ``body``: its one event, or None."""
    try:
        result = adapter.handle(body)
    except MalformedPayload:
        return None
    return result.events[0] if len(result.events) == 1 else None


def assert_same(body: bytes) -> bool:
    """The fast path agrees with the model path; whether it took the body."""
    prepared = prepare(body)
    if prepared is None:
        return False
    env = model_path(body)
    assert env is not None, f"fast path took a body the model path refuses: {body!r}"
    person = env.event.person  # type: ignore[union-attr]
    assert prepared.bare == env.model_dump_json(exclude=BARE)
    assert (prepared.id, prepared.meeting, prepared.type, prepared.participant) == (
        env.id, env.meeting, env.event.type, person.participant)
    assert (prepared.display_name, prepared.email) == (person.display_name, person.email)
    assert prepared.envelope() == env
    return True


def encode(hook: dict[str, Any]) -> bytes:
    return json.dumps(hook, ensure_ascii=False).encode()


@pytest.mark.parametrize("event", PARTICIPANT_EVENTS)
def test_every_participant_event_in_zooms_shape_takes_the_fast_path(event: str) -> None:
    extra = {"breakout_room_uuid": "bR00m/Uuid=="} if "breakout" in event else {}
    hook = zp.participant_event(event, TS, "pu-Fast-1", "Zoë Ångström", **extra)
    hook["payload"]["object"]["participant"]["email"] = "zoe@example.org"
    assert assert_same(encode(hook))


@pytest.mark.parametrize("reason", [
    "got disconnected from the meeting. Reason : Client Close.",
    "left the meeting to join breakout room.", "removed by host", "", "x" * 700])
def test_a_leave_keeps_its_reason_as_the_model_path_does(reason: str) -> None:
    assert assert_same(encode(zp.left(TS, "pu-Fast-2", "Riley Example", reason)))


def test_numbers_for_ids_a_user_id_alone_and_long_names_read_the_same() -> None:
    hook = zp.joined(TS, "", "N" * 450)
    p = hook["payload"]["object"]["participant"]
    p.update({"user_id": 16778240, "id": 12345})
    hook["payload"]["object"]["id"] = 81234567890
    assert assert_same(encode(hook))
    assert prepare(encode(hook)).participant == "user:16778240"  # type: ignore[union-attr]


@pytest.mark.parametrize("body", [
    b'{"event":"meeting.participant_joined","event_ts":1.5e3,"payload":{}}',
    b"[1, 2]", b"not json", b'{"event": NaN}', "\ufeff{}".encode(),
    json.dumps(zp.joined(0, "pu-3", "Riley Example")).encode(),  # dated by its join time
    json.dumps(zp.joined(TS, "pu-3", "Riley \ud800 Example")).encode(),  # lone surrogate
    encode(zp.participant_event("meeting.participant_joined", TS, "pu-3", "R",
                                chat_message={"sender_session_id": "1"})),
    encode(zp.meeting_event("meeting.started", TS)),
])
def test_what_the_fast_path_is_not_sure_of_goes_to_the_model_path(body: bytes) -> None:
    assert prepare(body) is None


def test_a_time_that_does_not_exist_goes_to_the_model_path() -> None:
    hook = zp.joined(TS, "pu-4", "Riley Example")
    hook["payload"]["object"]["participant"]["join_time"] = "2026-02-30T10:00:00Z"
    assert prepare(encode(hook)) is None
    assert model_path(encode(hook)) is None  # which refuses it


def test_an_id_past_the_contracts_limit_goes_to_the_model_path() -> None:
    hook = zp.joined(TS, "p" * 300, "Riley Example")
    assert prepare(encode(hook)) is None
    assert model_path(encode(hook)) is None


def test_a_fault_in_the_fast_path_costs_speed_not_the_event(
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    def broken(event_ts: int) -> str:
        raise TypeError("Riley Example")  # a message carrying a value from the body

    monkeypatch.setattr(fast, "_occurred", broken)
    body = encode(zp.disconnected(TS, "pu-5", "Riley Example"))
    assert prepare(body) is None
    assert model_path(body) is not None  # the model path still reads it
    assert "TypeError" in caplog.text and "Riley" not in caplog.text  # no name in the log


# ---- generated bodies -------------------------------------------------------------------
TEXT = st.one_of(st.sampled_from(["", "pu-Gen-1", "Riley Example", "Zoë", "a\"b\\c\n\u0007",
                                  "\u2028", "left the meeting", "x" * 301]),
                 st.text(max_size=40))
ODD = st.one_of(st.none(), st.booleans(), st.integers(-2, 2**63), st.floats(allow_nan=False),
                st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=3),
                                                                     st.integers(), max_size=2))
VALUE = st.one_of(TEXT, TEXT, TEXT, ODD)
TIME = st.one_of(st.none(), st.sampled_from([
    "2026-12-01T18:00:00Z", "2026-12-01T18:00:00.123Z", "2026-12-01T18:00:00+05:30",
    "2026-12-01 18:00:00Z", "2026-13-01T18:00:00Z", "2026-12-01T24:00:00Z", "yesterday",
    "2026-12-01", "2026-12-01T18:00:00.1234567Z", "0000-01-01T00:00:00Z"]), ODD)
FIELDS: dict[tuple[str, ...], st.SearchStrategy[Any]] = {  # where a field sits: its values
    (): VALUE,  # a field Zoom might add at the top
    ("event",): st.one_of(st.sampled_from(PARTICIPANT_EVENTS), VALUE),
    ("event_ts",): st.one_of(st.integers(-1, 32_503_680_000_001), ODD),
    ("payload",): ODD, ("payload", "account_id"): VALUE, ("payload", "plainToken"): VALUE,
    ("payload", "object"): ODD,
    **{("payload", "object", k): v for k, v in {
        "id": st.one_of(VALUE, st.integers(0, 10**12)), "uuid": VALUE, "topic": VALUE,
        "breakout_room_uuid": VALUE, "participant": ODD, "chat_message": ODD}.items()},
    **{("payload", "object", "participant", k): v for k, v in {
        "participant_uuid": VALUE, "user_id": st.one_of(VALUE, st.integers(0, 10**9)),
        "user_name": VALUE, "id": st.one_of(VALUE, st.integers(0, 10**9)), "email": VALUE,
        "registrant_id": VALUE, "customer_key": VALUE, "participant_user_id": VALUE,
        "join_time": TIME, "leave_time": TIME, "date_time": TIME,
        "leave_reason": VALUE}.items()},
}
DROP = object()


def _change(hook: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    """Set (or with DROP remove) the field at ``path``, if its parents are still objects."""
    if not path:
        path = ("extra_field",)
    parent: Any = hook
    for key in path[:-1]:
        parent = parent.get(key) if isinstance(parent, dict) else None
    if not isinstance(parent, dict):
        return
    if value is DROP:
        parent.pop(path[-1], None)
    else:
        parent[path[-1]] = value


@st.composite
def hooks(draw: st.DrawFn) -> dict[str, Any]:
    """A participant webhook in Zoom's shape with up to three fields changed or removed."""
    event = draw(st.sampled_from(PARTICIPANT_EVENTS))
    hook = zp.participant_event(event, draw(st.integers(1, 10**13)), draw(TEXT),
                                draw(TEXT), leave_reason=draw(st.one_of(st.none(), TEXT)),
                                breakout_room_uuid=draw(TEXT))
    for _ in range(draw(st.integers(0, 3))):
        path = draw(st.sampled_from(sorted(FIELDS)))
        _change(hook, path, draw(st.one_of(st.just(DROP), FIELDS[path])))
    return hook


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hooks())
def test_generated_bodies_the_fast_path_takes_the_model_path_reads_the_same(
        hook: dict[str, Any]) -> None:
    body = json.dumps(hook, ensure_ascii=False).encode()
    assert_same(body)


@settings(max_examples=300, deadline=None)
@given(name=TEXT, reason=TEXT, puuid=st.text(min_size=1, max_size=60), ts=st.integers(1, 10**13))
def test_generated_names_and_reasons_in_zooms_shape_take_the_fast_path(
        name: str, reason: str, puuid: str, ts: int) -> None:
    body = encode(zp.left(ts, puuid, name, reason))
    assert assert_same(body)
