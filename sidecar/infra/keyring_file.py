"""Where the keys come from: a keyring file (``TETHER_KEYRING_FILE``), a single key in the
environment (``TETHER_DATA_KEY``), or, on the embedded store only, a development keyring
kept outside the data folder.

The file is JSON, mode 0600, written whole and renamed into place::

    {"primary": "<kid>", "keys": {"<kid>": "<base64 key>", ...},
     "rotating_from": ["<kid>"], "pinned": {"<purpose>": "<base64 derived key>"},
     "retired": {"<kid>": {"at_ms": 0, "tokens_until_ms": 0,
                           "tokens": {"<purpose>": "<base64 derived key>"}}}}

In production the file is rendered by the secrets manager (a KMS-backed secret mounted
read-only is fine until a rotation, which writes it)."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
from pathlib import Path
from typing import Any

from sidecar.infra.keyring import KeyProblem, Keyring, KeySet, Retired, key_id, new_key, parse_key
from sidecar.infra.settings import Settings

logger = logging.getLogger(__name__)


def dumps(state: KeySet) -> str:
    def enc(raw: bytes) -> str:
        return base64.b64encode(raw).decode()

    doc: dict[str, Any] = {
        "primary": state.primary,
        "keys": {kid: enc(material) for kid, material in state.keys.items()},
        "rotating_from": list(state.rotating_from),
        "pinned": {p: enc(k) for p, k in state.pinned.items()},
        "retired": {r.kid: {"at_ms": r.at_ms, "tokens_until_ms": r.tokens_until_ms,
                            "tokens": {p: enc(k) for p, k in r.tokens.items()}}
                    for r in state.retired.values()},
    }
    return json.dumps(doc, indent=2) + "\n"


def loads(text: str, where: str) -> KeySet:
    try:
        doc = json.loads(text)
        keys = {}
        for kid, material in doc["keys"].items():
            raw = parse_key(str(material), f"key {kid} in {where}")
            if key_id(raw) != kid:
                raise KeyProblem(f"key {kid} in {where} is not the key its id names")
            keys[kid] = raw
        retired = {
            kid: Retired(kid, int(r["at_ms"]), int(r["tokens_until_ms"]),
                         {p: base64.b64decode(k) for p, k in r.get("tokens", {}).items()})
            for kid, r in doc.get("retired", {}).items()}
        pinned = {p: base64.b64decode(k) for p, k in doc.get("pinned", {}).items()}
        return KeySet(keys, str(doc["primary"]), retired,
                      tuple(str(k) for k in doc.get("rotating_from", [])), pinned)
    except KeyProblem:
        raise
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise KeyProblem(f"{where} is not a Tether keyring file ({exc})") from exc


def read(path: Path) -> KeySet:
    try:
        text = path.read_text()
    except FileNotFoundError as exc:
        raise KeyProblem(f"TETHER_KEYRING_FILE names {path}, which does not exist") from exc
    except OSError as exc:
        raise KeyProblem(f"cannot read the keyring file {path}: {exc.strerror}") from exc
    return loads(text, str(path))


def write(path: Path, state: KeySet) -> None:
    """Replace the file whole (a reader never sees half of it), readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(dumps(state))
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def create(path: Path, material: bytes | None = None) -> KeySet:
    """A new keyring file with one key; an existing file is left alone and read."""
    state = KeySet.single(material or new_key())
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return read(path)
    with os.fdopen(fd, "w") as fh:
        fh.write(dumps(state))
    return state


def development_path(data_dir: Path) -> Path:
    """The embedded store's development keyring: outside the data folder (a copy of the
    data folder alone opens nothing), one per data folder."""
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    tag = hashlib.sha256(str(data_dir.resolve()).encode()).hexdigest()[:12]
    return base / "tether" / "keyrings" / f"{tag}.json"


def keyring_path(settings: Settings, embedded: bool) -> Path | None:
    """The keyring file this process uses, if its keys come from a file."""
    if settings.tether_keyring_file:
        return Path(settings.tether_keyring_file)
    if settings.tether_data_key.get_secret_value() or not embedded:
        return None
    return development_path(Path(settings.tether_data_dir))


def load(settings: Settings, embedded: bool) -> Keyring:
    text = settings.tether_data_key.get_secret_value()
    path = keyring_path(settings, embedded)
    if settings.tether_keyring_file:
        if text:
            raise KeyProblem("set TETHER_KEYRING_FILE or TETHER_DATA_KEY, not both")
        return Keyring(read(Path(settings.tether_keyring_file)))
    if text:
        return Keyring.single(parse_key(text))
    if path is None:
        raise KeyProblem("TETHER_KEYRING_FILE (or TETHER_DATA_KEY) must be set when "
                         "TETHER_REDIS_URL is set")
    if not path.exists():
        legacy = Path(settings.tether_data_dir) / "secrets" / "data.key"
        material = parse_key(legacy.read_text(), str(legacy)) if legacy.exists() else None
        create(path, material)
        if material is not None:
            legacy.unlink()
            logger.warning("moved the development data key out of the data folder to %s",
                           path)
        else:
            logger.warning("generated a development keyring at %s (set TETHER_KEYRING_FILE "
                           "in production)", path)
    return Keyring(read(path))
