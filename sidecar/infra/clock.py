"""Injected clocks. Domain logic never reads the wall clock itself."""

from __future__ import annotations

import asyncio
import time
from typing import Protocol


class Clock(Protocol):
    server_time: bool
    """True: the job engine asks Redis ``TIME`` instead of this clock when it claims."""

    def now(self) -> float:
        """Seconds since the epoch, in this clock's time."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Sleep for ``seconds`` of this clock's time."""
        ...


class SystemClock:
    server_time = True

    def now(self) -> float:
        return time.time()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))


class SpeedClock:
    """Runs ``factor`` times faster than real time (the demo)."""

    server_time = False

    def __init__(self, factor: float, start: float | None = None) -> None:
        self._factor = factor
        self._t0 = time.time() if start is None else start
        self._m0 = time.monotonic()

    def now(self) -> float:
        return self._t0 + (time.monotonic() - self._m0) * self._factor

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds) / self._factor)


class FakeClock:
    """Moves only when a test calls ``advance``; sleepers wake when their time comes."""

    server_time = False

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self._now = start
        self._changed = asyncio.Event()

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        self._now += seconds
        self._changed.set()
        self._changed = asyncio.Event()

    async def sleep(self, seconds: float) -> None:
        target = self._now + seconds
        while self._now < target:
            await self._changed.wait()
