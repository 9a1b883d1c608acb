"""The contracts' public surface and their checked-in JSON Schema."""

from __future__ import annotations

import json
import typing

from contracts import SCHEMA_VERSION, Event, EventEnvelope
from contracts.commands import CommandBody
from contracts.schema_export import SCHEMA_DIR, render, stale


def _tags(union: object) -> set[str]:
    members = typing.get_args(typing.get_args(union)[0])
    return {m.model_fields["type"].default for m in members}


def test_checked_in_schema_matches_the_models() -> None:
    assert stale() == [], "run: python -m contracts.schema_export"


def test_a_changed_model_makes_the_schema_stale(tmp_path: object) -> None:
    name, text = next(iter(render().items()))
    original = (SCHEMA_DIR / name).read_text()
    try:
        (SCHEMA_DIR / name).write_text(text.replace('"1.0"', '"0.9"'))
        assert stale() == [name]
    finally:
        (SCHEMA_DIR / name).write_text(original)


def test_event_and_command_tags_are_pinned() -> None:
    assert _tags(Event) == {
        "participant.joined", "participant.left", "waiting_room.joined",
        "waiting_room.admitted", "waiting_room.left", "breakout.joined", "breakout.left",
        "recording.started", "recording.stopped", "meeting.started", "meeting.ended",
        "chat.message_sent"}
    assert _tags(CommandBody) == {"move_to_breakout", "return_to_main_room", "admit",
                                  "stop_recording", "prompt_check_in", "show_notification"}


def test_envelope_is_versioned_and_rejects_unknown_fields() -> None:
    schema = json.loads((SCHEMA_DIR / "event.schema.json").read_text())
    assert schema["properties"]["schema_version"]["const"] == SCHEMA_VERSION
    body = {"id": "x", "platform": "zoom", "meeting": "m", "meeting_number": "1",
            "occurred_at": "2026-11-27T01:00:00Z", "event": {"type": "meeting.ended"},
            "extra": 1}
    try:
        EventEnvelope.model_validate(body)
    except ValueError as exc:
        assert "extra" in str(exc)
    else:
        raise AssertionError("an unknown field was accepted")
