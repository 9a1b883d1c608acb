"""The data keys, by id. The primary key seals and signs; the other active keys still open
what they sealed and verify what they signed, until a rotation has moved everything to the
primary and retires them. A retired key keeps nothing that opens data: only the derived keys
that verify tokens it signed, and only until those tokens have expired.

Every purpose has its own key derived from the data key (HKDF with the purpose as info), so
the key that seals fields never signs a token. A key's id is derived from the key itself, so
``TETHER_DATA_KEY`` and a keyring file holding the same key agree on it."""

from __future__ import annotations

import base64
import hashlib
import os
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from sidecar.infra.problems import StartupProblem

KID_LEN = 8
# purposes whose keys sign tokens (verified after their key retired, until they expire)
TOKEN_PURPOSES = ("tether/tokens/v1", "tether/checkin-links/v1", "tether/checkin-codes/v1",
                  "tether/plan-links/v1")
# purposes whose keys make stable pseudonyms (a Jitsi user id must not change mid-meeting):
# kept, derived from the key they were first derived from, across rotations
PINNED_PURPOSES = ("tether/jitsi-users/v1",)


class KeyProblem(StartupProblem):
    """A data key or keyring that cannot be used, said in one sentence."""


class UnknownKey(Exception):
    """A ciphertext or token names a key this keyring does not hold (retired or foreign)."""


def derive(material: bytes, purpose: str) -> bytes:
    return HKDF(algorithm=SHA256(), length=32, salt=None, info=purpose.encode()).derive(material)


def key_id(material: bytes) -> str:
    return hashlib.sha256(b"tether/key-id\x00" + material).hexdigest()[:KID_LEN]


def parse_key(text: str, where: str = "TETHER_DATA_KEY") -> bytes:
    try:
        material = base64.b64decode(text.strip(), validate=True)
    except ValueError as exc:
        raise KeyProblem(f"{where} is not base64: make one with "
                         "`python -c \"import os,base64;print(base64.b64encode(os.urandom(32))"
                         ".decode())\"`") from exc
    if len(material) != 32:
        raise KeyProblem(f"{where} must decode to 32 bytes, not {len(material)}")
    return material


def new_key() -> bytes:
    return os.urandom(32)


@dataclass(frozen=True)
class Retired:
    """A retired key: when, and the token keys honoured until ``tokens_until_ms``."""

    kid: str
    at_ms: int
    tokens_until_ms: int
    tokens: Mapping[str, bytes] = field(default_factory=dict)  # purpose -> derived key


@dataclass(frozen=True)
class KeySet:
    """One immutable state of the keyring."""

    keys: Mapping[str, bytes]  # kid -> data key (active: primary and the ones still read)
    primary: str
    retired: Mapping[str, Retired] = field(default_factory=dict)
    rotating_from: tuple[str, ...] = ()  # the keys a rotation in progress moves away from
    pinned: Mapping[str, bytes] = field(default_factory=dict)  # purpose -> derived key

    def __post_init__(self) -> None:
        if self.primary not in self.keys:
            raise KeyProblem("the keyring's primary key is not among its keys")

    @classmethod
    def single(cls, material: bytes) -> KeySet:
        kid = key_id(material)
        return cls({kid: material}, kid)

    def with_new_primary(self, material: bytes) -> KeySet:
        kid = key_id(material)
        old = tuple(k for k in self.keys if k != kid)
        pinned = {p: self.pinned.get(p) or derive(self.keys[self.primary], p)
                  for p in PINNED_PURPOSES}
        return KeySet({kid: material, **{k: v for k, v in self.keys.items() if k != kid}},
                      kid, self.retired, old, pinned)

    def retiring(self, now_ms: int, tokens_for_ms: int) -> KeySet:
        """Every key but the primary retired; their token keys kept for ``tokens_for_ms``."""
        retired = {k: r for k, r in self.retired.items() if r.tokens_until_ms > now_ms}
        for kid, material in self.keys.items():
            if kid != self.primary:
                retired[kid] = Retired(kid, now_ms, now_ms + tokens_for_ms,
                                       {p: derive(material, p) for p in TOKEN_PURPOSES})
        return KeySet({self.primary: self.keys[self.primary]}, self.primary, retired,
                      pinned=self.pinned)


class Keyring:
    """The keys a process holds now; ``replace`` swaps them whole (a reload after a
    rotation). Derived keys are cached per key and purpose."""

    def __init__(self, state: KeySet) -> None:
        self._state = state
        self._derived: dict[tuple[str, str], bytes] = {}
        self._lock = threading.Lock()

    @classmethod
    def single(cls, material: bytes) -> Keyring:
        return cls(KeySet.single(material))

    @property
    def state(self) -> KeySet:
        return self._state

    @property
    def primary(self) -> str:
        return self._state.primary

    def active(self) -> tuple[str, ...]:
        """Active key ids, the primary first."""
        s = self._state
        return (s.primary, *(k for k in s.keys if k != s.primary))

    def replace(self, state: KeySet) -> None:
        with self._lock:
            self._state = state
            self._derived = {}

    def derive(self, purpose: str, kid: str | None = None) -> bytes:
        """The key for ``purpose`` from key ``kid`` (the primary when None)."""
        kid = kid or self._state.primary
        cached = self._derived.get((kid, purpose))
        if cached is not None:
            return cached
        material = self._state.keys.get(kid)
        if material is None:
            raise UnknownKey(kid)
        value = derive(material, purpose)
        self._derived[(kid, purpose)] = value
        return value

    def pinned(self, purpose: str) -> bytes:
        """The key of a pseudonym purpose: the same before and after a rotation."""
        return self._state.pinned.get(purpose) or self.derive(purpose)

    def verifying(self, purpose: str, kid: str, now_ms: int) -> bytes | None:
        """The key that checks a token signed by ``kid``: an active key's, or a retired
        key's while its tokens may still be alive; None when it is neither."""
        if kid in self._state.keys:
            return self.derive(purpose, kid)
        gone = self._state.retired.get(kid)
        if gone is not None and now_ms < gone.tokens_until_ms:
            return gone.tokens.get(purpose)
        return None


class SigningKeys:
    """The keys of one signing purpose: sign with the primary, verify by the key id a
    token names. Built over a keyring, or over a fixed key (tests, tools)."""

    def __init__(self, keyring: Keyring | bytes, purpose: str) -> None:
        self._ring = keyring if isinstance(keyring, Keyring) else Keyring.single(
            derive(keyring, "tether/fixed-signing/v1"))
        self._purpose = purpose

    def current(self) -> tuple[str, bytes]:
        return self._ring.primary, self._ring.derive(self._purpose)

    def for_kid(self, kid: str, now_ms: int) -> bytes | None:
        return self._ring.verifying(self._purpose, kid, now_ms)

    def candidates(self) -> Iterable[bytes]:
        """Every active key, for tokens made before they named their key."""
        return [self._ring.derive(self._purpose, kid) for kid in self._ring.active()]
