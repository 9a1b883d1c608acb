"""A durable local spool for events accepted while the store is unreachable.

Zoom retries a failed delivery only after 5, 25 and 85 minutes, far too late for a
disconnect; so the edge answers 200 and keeps the event here (fsynced JSON lines) until
the store is back, then replays it. De-duplication downstream makes a replay harmless.

Events carry PHI (display names, chat text): each line is sealed by the ``LineSeal`` the
sidecar gives, and the spool's folder and file are the process user's alone (0700, 0600).
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Protocol

from pydantic import ValidationError

from contracts.events import EventEnvelope

logger = logging.getLogger(__name__)


class LineSeal(Protocol):
    """Seals one spool line (an event's JSON) and opens it again; the line has no newline."""

    def seal_line(self, line: str) -> str: ...
    def open_line(self, line: str) -> str: ...


class Spool:
    def __init__(self, path: Path, lines: LineSeal) -> None:
        self.path = path
        self.lines = lines
        self._lock = asyncio.Lock()

    def append(self, events: list[EventEnvelope]) -> None:
        folder = self.path.parent
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        folder.chmod(0o700)  # also a folder made before the spool was private
        text = "".join(self.lines.seal_line(e.model_dump_json()) + "\n" for e in events)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as fh:
            os.fchmod(fd, 0o600)
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())

    def reseal(self, again: Callable[[str], str]) -> int:
        """Every line passed through ``again`` (sealed anew with the current key, after a key
        rotation), each file replaced whole; how many lines changed. Synchronous, so no
        append or replay runs in between."""
        changed = 0
        for path in (self.path, self.path.with_suffix(".replaying")):
            if not path.exists():
                continue
            lines = path.read_text(encoding="utf-8").splitlines()
            new = [again(line) if line.strip() else line for line in lines]
            moved = sum(1 for a, b in zip(lines, new, strict=True) if a != b)
            if not moved:
                continue
            tmp = path.with_name(path.name + ".reseal")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write("".join(line + "\n" for line in new))
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
            changed += moved
        return changed

    def pending(self) -> bool:
        return self.path.exists() and self.path.stat().st_size > 0

    def _read(self) -> list[EventEnvelope]:
        events = []
        for n, line in enumerate(self.path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                events.append(EventEnvelope.model_validate_json(self.lines.open_line(line)))
            except (ValidationError, ValueError):
                logger.error("spool line %s unreadable (torn write?); skipped", n)
        return events

    async def replay(self, ingest: Callable[[list[EventEnvelope]], Awaitable[int]]) -> int:
        """Hand every spooled event to ``ingest``; clear the spool only if all succeeded."""
        async with self._lock:
            replaying = self.path.with_suffix(".replaying")
            if not replaying.exists():
                if not self.pending():
                    return 0
                os.replace(self.path, replaying)
            events = Spool(replaying, self.lines)._read()
            await ingest(events)  # raises while the store is still down: file is kept
            replaying.unlink()
            logger.info("spool: replayed %s events", len(events))
            return len(events)
