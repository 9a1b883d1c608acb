"""The outage spool: each line sealed, the file and its folder private, every event back
on replay (also a clear line an older version wrote)."""

from __future__ import annotations

import stat
from datetime import UTC, datetime
from pathlib import Path

from contracts.events import ChatMessageSent, EventEnvelope, ParticipantJoined, Person
from contracts.ids import MeetingId, MeetingNumber, ParticipantId
from sidecar.infra.crypto import FieldCipher
from sidecar.infra.sealing import Sealer
from webhooks.spool import Spool

KEY = bytes(range(32))


def event(n: int, what: str) -> EventEnvelope:
    person = Person(participant=ParticipantId(f"pu-{n}"), display_name="Casey Brightwater")
    ev = (ChatMessageSent(sender=person, text="a blue umbrella kind of day") if what == "chat"
          else ParticipantJoined(person=person))
    return EventEnvelope(id=f"d-{n}", platform="zoom", meeting=MeetingId("m-1"),
                         meeting_number=MeetingNumber("81234567890"),
                         occurred_at=datetime(2026, 12, 1, 18, tzinfo=UTC), event=ev)


async def test_lines_are_sealed_and_private_and_replay_whole(tmp_path: Path) -> None:
    folder = tmp_path / "spool"
    folder.mkdir(mode=0o755)  # made by an older version: made private on the next append
    spool = Spool(folder / "webhooks.jsonl", Sealer(FieldCipher(KEY)))
    events = [event(1, "join"), event(2, "chat")]
    spool.append(events)
    text = spool.path.read_text()
    assert "Brightwater" not in text and "umbrella" not in text and "m-1" not in text
    assert len(text.splitlines()) == 2
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(spool.path.stat().st_mode) == 0o600
    with spool.path.open("a") as fh:  # a line an older version wrote in clear
        fh.write(event(3, "join").model_dump_json() + "\n")
    got: list[EventEnvelope] = []

    async def ingest(batch: list[EventEnvelope]) -> int:
        got.extend(batch)
        return len(batch)

    assert await spool.replay(ingest) == 3
    assert got == [*events, event(3, "join")]
    assert not spool.pending()


async def test_a_line_another_key_sealed_is_skipped_not_fatal(tmp_path: Path) -> None:
    path = tmp_path / "spool" / "webhooks.jsonl"
    Spool(path, Sealer(FieldCipher(bytes(32)))).append([event(1, "join")])
    spool = Spool(path, Sealer(FieldCipher(KEY)))
    spool.append([event(2, "join")])
    got: list[EventEnvelope] = []

    async def ingest(batch: list[EventEnvelope]) -> int:
        got.extend(batch)
        return len(batch)

    assert await spool.replay(ingest) == 1 and got == [event(2, "join")]


async def test_a_key_rotation_reseals_the_spool_so_the_old_key_can_retire(
        tmp_path: Path) -> None:
    from sidecar.infra.keyring import Keyring, KeySet

    ring = Keyring(KeySet.single(KEY))
    cipher = FieldCipher(ring)
    spool = Spool(tmp_path / "spool" / "webhooks.jsonl", Sealer(cipher))
    spool.append([event(1, "join"), event(2, "chat")])
    old = ring.primary
    ring.replace(ring.state.with_new_primary(bytes(range(1, 33))))  # the rotation's new key
    assert spool.reseal(lambda line: cipher.reseal_all(line)[0]) == 2
    text = spool.path.read_text()
    assert f"tk1.{ring.primary}." in text and f"tk1.{old}." not in text
    assert stat.S_IMODE(spool.path.stat().st_mode) == 0o600
    ring.replace(ring.state.retiring(0, 0))  # the old key gone: the spool still replays
    got: list[EventEnvelope] = []

    async def ingest(events: list[EventEnvelope]) -> int:
        got.extend(events)
        return len(events)

    assert await spool.replay(ingest) == 2
    assert [e.id for e in got] == ["d-1", "d-2"]
    assert spool.reseal(lambda line: cipher.reseal_all(line)[0]) == 0  # nothing left to move
