"""``tether keys rotate``: a new primary key, every sealed value moved to it, the old keys
retired. Each step can be interrupted and run again: the keyring file records that a
rotation is under way (``rotating_from``) and the sweep keeps its cursor in Redis.

1. Add a key and make it primary in the keyring file; name it in Redis
   (``keys.KEYRING_PRIMARY``) so every replica reloads its file.
2. Wait until every live replica reports sealing with it (a replica that cannot is named).
3. Sweep the store (``reseal.Sweep``) until no value sealed by another key is left; events
   still waiting to be applied are waited for.
4. Rebuild the client identity index under the new key.
5. Retire the old keys: their material leaves the file; only the keys that verify tokens
   they signed stay, until those tokens expire (``TOKENS_FOR_MS``)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import redis.asyncio as aioredis

from sidecar.infra import keyring_file, keys
from sidecar.infra.crypto import FieldCipher
from sidecar.infra.keyring import KeyProblem, new_key
from sidecar.infra.reseal import Sweep, Tally

TOKENS_FOR_MS = 48 * 3600 * 1000  # longest a link or token signed before retirement lives
REPLICA_FRESH_MS = 5_000  # a replica that reported within this is live
REPLICA_WAIT_S = 60.0
PASSES = 100

Say = Callable[[str], None]


class RotationStuck(KeyProblem):
    """A rotation that cannot go on now; running it again resumes it."""


async def _replicas_on(redis: aioredis.Redis, primary: str) -> list[str]:
    """Live replicas not yet sealing with ``primary``."""
    now = int(time.time() * 1000)
    behind = []
    for worker, report in (await redis.hgetall(keys.KEYRING_REPLICAS)).items():
        kid, _, at = report.partition(" ")
        if now - int(at or 0) > REPLICA_FRESH_MS:
            continue
        if kid != primary:
            behind.append(worker)
    return behind


async def rotate(redis: aioredis.Redis, path: Path, cipher: FieldCipher,
                 reindex: Callable[[], Awaitable[int]], say: Say, *,
                 replica_wait_s: float = REPLICA_WAIT_S,
                 tokens_for_ms: int = TOKENS_FOR_MS) -> str:
    """Rotate to a new key (or finish a rotation under way); the new key's id."""
    state = keyring_file.read(path)
    if state.rotating_from:
        say(f"Resuming the rotation to key {state.primary} (from "
            f"{', '.join(state.rotating_from)}).")
    else:
        state = state.with_new_primary(new_key())
        keyring_file.write(path, state)
        say(f"Added key {state.primary} to {path}; it seals everything from now on.")
    cipher.keyring.replace(state)
    await redis.set(keys.KEYRING_PRIMARY, state.primary)

    deadline = time.monotonic() + replica_wait_s
    while behind := await _replicas_on(redis, state.primary):
        if time.monotonic() > deadline:
            raise RotationStuck(
                f"replica(s) {', '.join(sorted(behind))} still seal with the old key after "
                f"{replica_wait_s:g} s: give them the same keyring file, then run "
                "`tether keys rotate` again to resume")
        await asyncio.sleep(0.25)
    say("Every running replica seals with the new key.")

    sweep = Sweep(redis, cipher)

    def progress(tally: Tally, done: bool) -> None:
        if done or tally.keys_seen % 5000 < 500:
            say(f"  {tally.keys_seen} keys looked at, {tally.resealed} values resealed"
                + (" (pass done)" if done else ""))

    for _ in range(PASSES):
        await sweep.walk(progress)
        stale, where = await sweep.count_stale()
        if not stale:
            break
        say(f"{stale} value(s) still sealed with the old key in {len(where)} key(s) "
            f"({', '.join(sorted(where)[:3])}); another pass")
        await asyncio.sleep(1)
    else:
        raise RotationStuck("values sealed with the old key remain after many passes; run "
                            "`tether keys rotate` again to resume")
    indexed = await reindex()  # the client identity index (ClientStore.reindex)
    say(f"Rebuilt the identity index: {indexed} entries under the new key.")

    retired = keyring_file.read(path).retiring(int(time.time() * 1000), tokens_for_ms)
    keyring_file.write(path, retired)
    cipher.keyring.replace(retired)
    await redis.set(keys.KEYRING_PRIMARY, retired.primary)
    old = ", ".join(sorted(k for k in state.keys if k != state.primary)) or "none"
    say(f"Retired key(s) {old}: nothing sealed with them is left, and their material is "
        f"gone from {path}; links and tokens they signed pass until they expire.")
    return retired.primary
