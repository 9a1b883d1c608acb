"""Key rotation on a running sidecar: `tether keys rotate` (the real command, in its own
process) adds a key, reseals everything while webhooks keep arriving, and retires the old
key; every record, check-in and timeline still reads, tokens and links made before still
pass, and nothing in the store is left sealed with the old key."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from sidecar.infra import keyring_file, keys
from sidecar.infra.crypto import TOKEN, FieldCipher
from sidecar.infra.keyring import Keyring, parse_key
from sidecar.infra.rotation import RotationStuck, rotate
from tests import zoom_payloads as zp
from tests.conftest import DATA_KEY, ROOT, Harness, eventually, running_sidecar

M = quote(zp.MEETING_UUID, safe="")
CHECKIN = {"location": {"street": "48 Marigold Terrace", "unit": "2B", "city": "Springfield",
                        "region": "IL", "postal_code": "62704", "country": "US",
                        "room": "kitchen"},
           "callback_phone": "+13125550131", "emergency_contact_ok": True,
           "others_present": "alone"}


@pytest.fixture
def keyring_path(tmp_path: Path) -> Path:
    path = tmp_path / "secrets" / "keyring.json"
    keyring_file.create(path, parse_key(DATA_KEY))
    return path


@pytest.fixture
async def kh(redis_url: str, tmp_path: Path, standin: Any, keyring_path: Path
             ) -> AsyncIterator[Harness]:
    settings = {"tether_keyring_file": str(keyring_path), "tether_data_key": ""}
    # the sidecar's clock at the real time: a retired key's tokens pass for a real window
    async with running_sidecar(redis_url, tmp_path, standin, {}, settings=settings,
                               clock_start=time.time()) as h:
        yield h


async def _sealed_kids(h: Harness) -> dict[str, int]:
    """How many sealed values each key holds, over every value in the store."""
    r, found = h.tether.redis, {}
    async for name in r.scan_iter(count=500):
        kind = await r.type(name)
        if kind == "string":
            texts = [await r.get(name) or ""]
        elif kind == "hash":
            texts = list((await r.hgetall(name)).values())
        elif kind == "stream":
            texts = [v for _, f in await r.xrange(name) for v in f.values()]
        else:
            continue
        for text in texts:
            for m in TOKEN.finditer(text):
                found[m.group(1)] = found.get(m.group(1), 0) + 1
    return found


async def join_group(h: Harness) -> None:
    now = int(h.clock.now() * 1000)
    for puuid, name in [("pu-casey-1", "Casey B"), ("pu-lead", "Avery (lead)")]:
        assert (await h.zoom(zp.joined(now - 60_000, puuid, name))).status_code == 200


async def _checked_in_link(h: Harness) -> str:
    r = await h.http.post(f"{h.base}/api/meetings/{M}/clients/client-001/checkin-link",
                          headers=h.token())
    assert r.status_code == 200, r.text
    url: str = r.json()["url"]
    token = url.split("t=", 1)[1]
    r = await h.http.post(f"{h.base}/api/checkin?t={token}", json=CHECKIN)
    assert r.status_code == 200, r.text
    return url


async def _keep_webhooks_coming(h: Harness, stop: asyncio.Event) -> int:
    sent = 0
    while not stop.is_set():
        sent += 1
        body = zp.joined(int(h.clock.now() * 1000) + sent, f"pu-extra-{sent}", f"Visitor {sent}")
        assert (await h.zoom(body)).status_code == 200
        await asyncio.sleep(0.02)
    return sent


async def test_rotate_mid_traffic(kh: Harness, keyring_path: Path, redis_url: str) -> None:
    h = kh
    await join_group(h)
    await h.settle()
    link = await _checked_in_link(h)
    old_token, old_kid = h.token(), h.tether.keyring.primary
    assert (await _sealed_kids(h)).get(old_kid, 0) >= 4  # the client records, the check-in

    stop = asyncio.Event()
    traffic = asyncio.create_task(_keep_webhooks_coming(h, stop))
    env = {**os.environ, "TETHER_REDIS_URL": redis_url,
           "TETHER_KEYRING_FILE": str(keyring_path), "TETHER_DATA_KEY": ""}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "sidecar.cli", "keys", "rotate", "--replica-wait", "20",
        cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(proc.communicate(), timeout=120)
    stop.set()
    sent = await traffic
    said = out.decode()
    assert proc.returncode == 0, said + err.decode()
    print(said)
    assert sent > 3
    new_kid = keyring_file.read(keyring_path).primary
    assert new_kid != old_kid and f"Retired key(s) {old_kid}" in said

    # the file holds no material of the old key, only its token-checking keys
    doc = json.loads(keyring_path.read_text())
    assert list(doc["keys"]) == [new_kid] and old_kid in doc["retired"]
    assert oct(keyring_path.stat().st_mode & 0o777) == "0o600"
    # the running sidecar reloaded it
    async def reloaded() -> bool:
        ring = h.tether.keyring
        return ring.primary == new_kid and old_kid not in ring.state.keys

    await eventually(reloaded)
    await h.settle()
    kids = await _sealed_kids(h)
    assert old_kid not in kids and kids.get(new_kid, 0) >= 4, kids

    # everything still reads, with the new key alone
    record = await h.tether.clients.get("client-001", "test", "rotation check")
    assert record is not None and record.callback_phone == "+13125550111"
    r = await h.http.get(f"{h.base}/api/meetings/{M}/roster", headers=old_token)
    assert r.status_code == 200, r.text  # a token of the retired key passes until it expires
    assert r.json()["checkins"]["client-001"]["checked_in_at"] is not None
    checkin = await h.tether.checkins.get(zp.MEETING_UUID, "client-001", "test", "rotation")
    assert checkin is not None and checkin.callback_phone == "+13125550131"
    assert (await h.http.get(link, follow_redirects=True)).status_code == 200  # still opens
    # a client is still found by the identity on file (the index was rebuilt)
    rejoin = zp.joined(int(h.clock.now() * 1000) + 10_000, "pu-casey-2", "Casey B")
    assert (await h.zoom(rejoin)).status_code == 200
    await h.settle()
    roster = await h.roster()
    casey = next(p for p in roster["people"] if p["participant"] == "pu-casey-2")
    assert casey.get("client") == "client-001", casey
    # names sealed in the roster and on the timeline before the rotation open with the new key
    first = next(p for p in roster["people"] if p["participant"] == "pu-casey-1")
    assert "Casey B" in json.dumps(first), first
    timeline = json.dumps(await h.timeline())
    assert "Casey B" in timeline and "Avery (lead)" in timeline
    assert "tk1." not in timeline  # nothing handed out sealed
    # new tokens name the new key
    import jwt
    assert jwt.get_unverified_header(h.token()["Authorization"][7:])["kid"] == new_kid
    # the old key alone opens nothing that is stored
    only_old = FieldCipher(parse_key(DATA_KEY))
    assert only_old.keyring.primary == old_kid
    sealed = await h.tether.redis.hget(keys.client("client-001"), "name")
    with pytest.raises(ValueError):
        only_old.decrypt("client-001", "name", sealed or "")


async def test_a_stopped_rotation_resumes_and_names_the_replica_behind(
        kh: Harness, keyring_path: Path) -> None:
    h = kh
    redis = h.tether.redis
    cipher = FieldCipher(Keyring(keyring_file.read(keyring_path)))
    said: list[str] = []
    # a replica that never takes the new key (its keyring file differs)
    await redis.hset(keys.KEYRING_REPLICAS, "w-elsewhere", "00000000 9999999999999")
    with pytest.raises(RotationStuck, match="w-elsewhere"):
        await rotate(redis, keyring_path, cipher, h.tether.clients.reindex, said.append,
                     replica_wait_s=1)
    state = keyring_file.read(keyring_path)
    assert state.rotating_from and len(state.keys) == 2  # under way, both keys held
    record = await h.tether.clients.get("client-001", "test", "mid-rotation")
    assert record is not None  # mid-rotation, every record still opens
    await redis.hdel(keys.KEYRING_REPLICAS, "w-elsewhere")
    new = await rotate(redis, keyring_path, cipher, h.tether.clients.reindex, said.append,
                       replica_wait_s=10)
    assert new == state.primary and any(s.startswith("Resuming") for s in said)
    assert not keyring_file.read(keyring_path).rotating_from


def test_a_keyring_from_the_environment_cannot_rotate(tmp_path: Path) -> None:
    import subprocess

    env = {**os.environ, "TETHER_REDIS_URL": "redis://127.0.0.1:1/0",
           "TETHER_DATA_KEY": DATA_KEY, "TETHER_KEYRING_FILE": ""}
    out = subprocess.run([sys.executable, "-m", "sidecar.cli", "keys", "status"], cwd=ROOT,
                         env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 1 and "TETHER_KEYRING_FILE" in out.stderr
    assert "Traceback" not in out.stderr and len(out.stderr.strip().splitlines()) == 1


def test_a_new_keyring_file_is_private_and_never_overwritten(tmp_path: Path) -> None:
    import subprocess

    path = tmp_path / "k" / "keyring.json"
    run = [sys.executable, "-m", "sidecar.cli", "keys", "create", str(path)]
    out = subprocess.run(run, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and "TETHER_KEYRING_FILE=" in out.stdout, out.stderr
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    before = path.read_text()
    again = subprocess.run(run, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert again.returncode == 1 and "left as it is" in again.stderr
    assert path.read_text() == before
    env = {**os.environ, "TETHER_KEYRING_FILE": str(path), "TETHER_DATA_KEY": ""}
    status = subprocess.run([sys.executable, "-m", "sidecar.cli", "keys", "status"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    kid = keyring_file.read(path).primary
    assert f"key {kid}: primary" in status.stdout, status.stderr
