"""The exported audit record as a hash chain (pure: no I/O).

An export is JSON lines, oldest first. Each line holds an entry's fields (``id``, ``at``,
``actor``, ``action``, ``target``, ``source``) plus ``prev`` and ``hash``. A line's
canonical form is its JSON without ``hash``, keys sorted, no spaces; ``hash`` is the hex
SHA-256 of that form, and ``prev`` is the previous line's ``hash`` (the first line's is the
hash the export continues from, 64 zeros for a first export). Changing, removing or
reordering a line breaks the chain at that line; keep the last hash elsewhere to notice
lines cut off the end.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

GENESIS = "0" * 64


def canonical(line: Mapping[str, str]) -> bytes:
    body = {k: v for k, v in line.items() if k != "hash"}
    return json.dumps(body, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode()


def digest(line: Mapping[str, str]) -> str:
    return hashlib.sha256(canonical(line)).hexdigest()


def link(entry: Mapping[str, str], prev: str) -> dict[str, str]:
    """The entry as a line of the chain, after the line whose hash is ``prev``."""
    line = {**entry, "prev": prev}
    line["hash"] = digest(line)
    return line


def dumps(line: Mapping[str, str]) -> str:
    """A line as it is written (no newline)."""
    return json.dumps(line, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def chain(entries: Iterable[Mapping[str, str]], after: str = GENESIS
          ) -> Iterator[dict[str, str]]:
    """Each entry as a line of the chain, linked to the one before."""
    prev = after
    for entry in entries:
        line = link(entry, prev)
        prev = line["hash"]
        yield line


@dataclass(frozen=True)
class Verdict:
    count: int  # lines that matched
    last: str  # the last matching line's hash (``after`` when none did)
    bad_line: int = 0  # 1-based; 0: the whole chain matched
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.bad_line == 0


def _problem(text: str, prev: str) -> tuple[str, str]:
    """What is wrong with one line (""), and its hash."""
    try:
        line = json.loads(text)
    except ValueError:
        return "not a JSON line", ""
    if not isinstance(line, dict) or not all(isinstance(v, str) for v in line.values()):
        return "not an audit entry", ""
    if line.get("prev") != prev:
        return "its prev is not the previous line's hash (a line removed or moved?)", ""
    if line.get("hash") != digest(line):
        return "its hash does not match its content (changed after export?)", ""
    return "", str(line["hash"])


def verify(lines: Iterable[str], after: str = GENESIS) -> Verdict:
    """Recompute the chain; the first line that does not match stops it."""
    prev, count = after, 0
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        problem, hashed = _problem(text, prev)
        if problem:
            return Verdict(count, prev, number, problem)
        prev, count = hashed, count + 1
    return Verdict(count, prev)
