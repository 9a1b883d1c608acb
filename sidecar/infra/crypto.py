"""Field-by-field encryption of client PHI (AES-256-GCM) and keyed blind indexes.

A sealed value is one token, ``tk1.<key id>.<context>.<nonce and ciphertext>`` (the last
two base64url): it names the key that sealed it, and carries its context (the record and
field it was sealed for, bound as associated data) so a rotation can move it to a new key
without knowing where it lives. Opening checks that the context is the one the reader
expects, so a token copied to another record does not open there. Tokens are found by
their shape anywhere in a stored value (``TOKEN``), whole or inside JSON."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from sidecar.infra.keyring import KeyProblem, Keyring, UnknownKey, derive, new_key, parse_key

__all__ = ["TOKEN", "FieldCipher", "SealedError", "derive", "new_data_key", "parse_data_key"]

FIELDS = "tether/fields/v1"
INDEX = "tether/blind-index/v1"
TOKEN = re.compile(r"tk1\.([0-9a-f]{8})\.([A-Za-z0-9_-]*)\.([A-Za-z0-9_-]{38,})")
KeyError_ = KeyProblem  # the name callers used before keyrings


class SealedError(ValueError):
    """A sealed value that cannot be opened: a retired or foreign key, another record's
    value, or a damaged token."""


def parse_data_key(text: str) -> bytes:
    return parse_key(text)


def new_data_key() -> str:
    return base64.b64encode(new_key()).decode()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class FieldCipher:
    """Seals one field of one record with the keyring's primary key; opens with whichever
    active key sealed it."""

    def __init__(self, keyring: Keyring | bytes) -> None:
        self.keyring = keyring if isinstance(keyring, Keyring) else Keyring.single(keyring)
        self._aeads: dict[str, AESGCM] = {}

    def _aead(self, kid: str) -> AESGCM:
        aead = self._aeads.get(kid)
        if aead is None or kid not in self.keyring.state.keys:
            try:
                aead = AESGCM(self.keyring.derive(FIELDS, kid))
            except UnknownKey as exc:
                raise SealedError(f"sealed with key {kid}, which this keyring does not "
                                  "hold (retired or from another installation)") from exc
            self._aeads[kid] = aead
        return aead

    def encrypt(self, record: str, field: str, plaintext: str) -> str:
        return self._seal(f"{record}/{field}".encode(), plaintext.encode())

    def _seal(self, context: bytes, plaintext: bytes) -> str:
        kid = self.keyring.primary
        nonce = os.urandom(12)
        sealed = self._aead(kid).encrypt(nonce, plaintext, context)
        return f"tk1.{kid}.{_b64(context)}.{_b64(nonce + sealed)}"

    def decrypt(self, record: str, field: str, token: str) -> str:
        context = f"{record}/{field}".encode()
        if token.startswith("v1:"):
            return self._open_v1(context, token)
        kid, stored, raw = self._parts(token)
        if not hmac.compare_digest(stored, context):
            raise SealedError("this sealed value belongs to another record")
        return self._open(kid, context, raw).decode()

    def _parts(self, token: str) -> tuple[str, bytes, bytes]:
        found = TOKEN.fullmatch(token)
        if found is None:
            raise SealedError("not a sealed value")
        kid, context, raw = found.groups()
        return kid, _unb64(context), _unb64(raw)

    def _open(self, kid: str, context: bytes, raw: bytes) -> bytes:
        try:
            return self._aead(kid).decrypt(raw[:12], raw[12:], context)
        except InvalidTag as exc:
            raise SealedError("a sealed value failed its integrity check") from exc

    def _open_v1(self, context: bytes, token: str) -> str:
        """A value sealed before tokens named their key: tried with every active key."""
        raw = base64.b64decode(token[3:])
        for kid in self.keyring.active():
            try:
                return self._aead(kid).decrypt(raw[:12], raw[12:], context).decode()
            except InvalidTag:
                continue
        raise SealedError("a sealed value opens with none of the active keys")

    @staticmethod
    def key_of(token: str) -> str:
        """The id of the key that sealed ``token`` ("" for the old unnamed format)."""
        found = TOKEN.fullmatch(token)
        return found.group(1) if found else ""

    def reseal(self, token: str) -> str:
        """The same value sealed again with the primary key, for the same context."""
        kid, context, raw = self._parts(token)
        if kid == self.keyring.primary:
            return token
        return self._seal(context, self._open(kid, context, raw))

    def reseal_all(self, text: str) -> tuple[str, int]:
        """``text`` with every token sealed by another key resealed; (text, how many)."""
        primary, count = self.keyring.primary, 0

        def swap(found: re.Match[str]) -> str:
            nonlocal count
            if found.group(1) == primary:
                return found.group(0)
            count += 1
            return self.reseal(found.group(0))

        return TOKEN.sub(swap, text), count

    def blind_index(self, kind: str, value: str) -> str:
        """A lookup key for an identity that reveals nothing without the data key."""
        return self.blind_indexes(kind, value)[0]

    def blind_indexes(self, kind: str, value: str) -> list[str]:
        """The identity's lookup key under every active key, the primary's first: during a
        rotation an index written under the previous key is still found."""
        norm = f"{kind}:{' '.join(value.casefold().split())}".encode()
        return [hmac.new(self.keyring.derive(INDEX, kid), norm, hashlib.sha256).hexdigest()
                for kid in self.keyring.active()]
