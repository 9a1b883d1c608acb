"""``tether keys rotate`` and ``tether keys status``: the data keys of a keyring file
(``sidecar/infra/keyring_file.py``), rotated while the sidecar runs
(``sidecar/infra/rotation.py``)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path

from sidecar.infra import keyring_file
from sidecar.infra.keyring import KeyProblem
from sidecar.infra.settings import Settings


def _say(text: str) -> None:
    print(text, flush=True)


def _path(settings: Settings, embedded: bool) -> Path:
    path = keyring_file.keyring_path(settings, embedded)
    if path is None:
        raise KeyProblem("the keys come from TETHER_DATA_KEY, which cannot be rotated: put "
                         "the key in a keyring file (see docs/deploy.md) and set "
                         "TETHER_KEYRING_FILE")
    return path


async def _rotate(args: argparse.Namespace) -> str:
    from sidecar.cli_audit import shell_source
    from sidecar.infra.audit import Audit, from_source
    from sidecar.infra.clock import SystemClock
    from sidecar.infra.crypto import FieldCipher
    from sidecar.infra.keyring import Keyring
    from sidecar.infra.rotation import rotate
    from sidecar.records.clients import ClientStore
    from sidecar.services import open_store

    settings = Settings()
    async with open_store(settings) as (redis, embedded):
        path = _path(settings, embedded)
        cipher = FieldCipher(Keyring(keyring_file.read(path)))
        audit = Audit(redis, SystemClock())
        clients = ClientStore(redis, cipher, audit)
        with from_source(shell_source()):
            await audit.record("cli:keys-rotate", "keys.rotate:start", str(path))
            primary = await rotate(redis, path, cipher, clients.reindex, _say,
                                   replica_wait_s=args.replica_wait)
            await audit.record("cli:keys-rotate", "keys.rotate:done", primary)
        return primary


def cmd_keys_rotate(args: argparse.Namespace) -> int:
    try:
        asyncio.run(_rotate(args))
    except KeyProblem as exc:
        print(str(exc), file=sys.stderr)
        return 1
    return 0


def cmd_keys_status(args: argparse.Namespace) -> int:
    settings = Settings()
    try:
        path = _path(settings, not settings.tether_redis_url)
        state = keyring_file.read(path)
    except KeyProblem as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print(f"keyring {path}")
    for kid in state.keys:
        role = "primary" if kid == state.primary else (
            "being rotated away from" if kid in state.rotating_from else "active")
        print(f"  key {kid}: {role}")
    for r in state.retired.values():
        until = datetime.fromtimestamp(r.tokens_until_ms / 1000, UTC).strftime("%Y-%m-%d %H:%M")
        print(f"  key {r.kid}: retired; its tokens pass until {until} UTC")
    if state.rotating_from:
        print("a rotation is under way: `tether keys rotate` finishes it")
    return 0


def cmd_keys_create(args: argparse.Namespace) -> int:
    path: Path = args.path
    if path.exists():
        print(f"{path} exists already: it is left as it is", file=sys.stderr)
        return 1
    state = keyring_file.create(path)
    print(f"made {path} with one key, {state.primary}; set TETHER_KEYRING_FILE={path}")
    return 0


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    k = sub.add_parser("keys", help="the data keys: rotate them, see their state")
    ksub = k.add_subparsers(dest="keys_command", required=True)
    r = ksub.add_parser("rotate", help="add a key, reseal everything with it, retire the old "
                                       "(resumes a rotation that stopped)")
    r.add_argument("--replica-wait", type=float, default=60.0,
                   help="seconds to wait for every running replica to take the new key")
    r.set_defaults(fn=cmd_keys_rotate)
    c = ksub.add_parser("create", help="make a new keyring file with one key (mode 0600)")
    c.add_argument("path", type=Path)
    c.set_defaults(fn=cmd_keys_create)
    s = ksub.add_parser("status", help="the keyring's keys and any rotation under way")
    s.set_defaults(fn=cmd_keys_status)



