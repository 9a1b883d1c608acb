"""What the sidecar shows of a Jitsi session fed by our Prosody module (roster, timeline,
calls), and the fixtures tests against a real Prosody share."""

from __future__ import annotations

import os
import time
from typing import Any
from urllib.parse import quote

import pytest

from tests.conftest import Harness, eventually
from tests.jitsi import events as je
from tests.jitsi.prosody_server import BREAKOUT, MUC, prosody_binary

ROOM = f"{je.ROOM}@{MUC}"
BREAKOUT_ROOM = f"6a1f0c2e-5d7b-4c3e-9f1a-2b3c4d5e6f70@{BREAKOUT}"
CASEY_NAME = "Casey B"  # on file for client-001
CASEY_PHONE = "+13125550111"


def require_prosody() -> str:
    binary = prosody_binary()
    if binary is None:
        if os.environ.get("CI"):
            raise RuntimeError("CI needs Debian's prosody (apt-get install prosody)")
        pytest.skip("no prosody on this machine (apt-get install prosody)")
    return binary


def meeting() -> str:
    return je.meeting(int(time.time() * 1000))


async def row(h: Harness, nick: str) -> dict[str, Any] | None:
    r = await h.http.get(f"{h.base}/api/meetings/{quote(meeting(), safe='')}/roster",
                         headers=h.token())
    if r.status_code == 404:  # no event applied yet
        return None
    r.raise_for_status()
    return next((p for p in r.json()["people"] if p["participant"] == nick), None)


async def until(h: Harness, nick: str, timeout: float = 5.0, **expected: str) -> dict[str, Any]:
    """Wait until the roster shows the participant with these fields."""
    found: dict[str, Any] = {}

    async def check() -> bool:
        found.update(await row(h, nick) or {})
        return bool(found) and all(found.get(k) == v for k, v in expected.items())

    try:
        await eventually(check, timeout=timeout)
    except AssertionError:
        raise AssertionError(f"{nick}: wanted {expected}, roster has {found}") from None
    return found


async def kinds(h: Harness) -> list[str]:
    return [e["kind"] for e in await h.timeline(meeting())]


async def entries_of(h: Harness, kind: str) -> list[dict[str, Any]]:
    return [e for e in await h.timeline(meeting()) if e["kind"] == kind]


async def calls_to(h: Harness, number: str) -> int:
    return sum(1 for c in h.standin.calls if c.to == number)


async def called(h: Harness, number: str) -> bool:
    return await calls_to(h, number) > 0
