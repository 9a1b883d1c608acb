"""The export's hash chain: a good chain verifies; a changed field, a removed line and a
reordered line are each caught at the line where the chain breaks."""

from __future__ import annotations

import itertools
import json

from sidecar.infra.audit_chain import GENESIS, canonical, chain, digest, dumps, verify

ENTRIES = [{"id": f"1796169600000-{i}", "at": str(1796169600000 + i), "actor": "lead-avery",
            "action": "timeline.read:panel", "target": f"meeting-{i}", "source": "127.0.0.1"}
           for i in range(5)]


def lines(after: str = GENESIS) -> list[str]:
    return [dumps(line) for line in chain(ENTRIES, after)]


def test_each_line_links_to_the_hash_of_the_one_before() -> None:
    out = [json.loads(t) for t in lines()]
    assert out[0]["prev"] == GENESIS
    for before, line in itertools.pairwise(out):
        assert line["prev"] == before["hash"]
    assert all(line["hash"] == digest(line) for line in out)
    assert canonical(out[0]).startswith(b'{"action":"timeline.read:panel","actor"')
    assert b" " not in canonical(out[0]) and b"hash" not in canonical(out[0])


def test_a_good_chain_verifies_and_gives_its_last_hash() -> None:
    text = lines()
    verdict = verify(text)
    assert verdict.ok and verdict.count == 5
    assert verdict.last == json.loads(text[-1])["hash"]


def test_a_continued_export_verifies_from_the_hash_it_continued() -> None:
    first = verify(lines()).last
    assert verify(lines(after=first), first).ok
    assert verify(lines(after=first)).bad_line == 1  # without it, line 1 does not link


def test_a_changed_field_is_caught_at_its_line() -> None:
    text = lines()
    changed = json.loads(text[2])
    changed["actor"] = "someone-else"
    text[2] = dumps(changed)
    verdict = verify(text)
    assert (verdict.bad_line, verdict.count) == (3, 2)
    assert "hash does not match" in verdict.problem


def test_a_removed_line_is_caught_where_the_gap_is() -> None:
    text = lines()
    del text[1]
    verdict = verify(text)
    assert verdict.bad_line == 2 and "prev" in verdict.problem


def test_a_reordered_line_is_caught() -> None:
    text = lines()
    text[2], text[3] = text[3], text[2]
    assert verify(text).bad_line == 3


def test_a_line_that_is_not_json_is_named() -> None:
    text = lines()
    text[4] = "{not json"
    verdict = verify(text)
    assert (verdict.bad_line, verdict.problem) == (5, "not a JSON line")
