"""Field-by-field encryption of client PHI (AES-256-GCM) and keyed blind indexes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


class KeyError_(Exception):
    """TETHER_DATA_KEY is missing or not 32 bytes of base64."""


def parse_data_key(text: str) -> bytes:
    try:
        key = base64.b64decode(text, validate=True)
    except ValueError as exc:
        raise KeyError_("TETHER_DATA_KEY is not base64") from exc
    if len(key) != 32:
        raise KeyError_("TETHER_DATA_KEY must decode to 32 bytes")
    return key


def new_data_key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def derive(master: bytes, purpose: str) -> bytes:
    return HKDF(algorithm=SHA256(), length=32, salt=None, info=purpose.encode()).derive(master)


class FieldCipher:
    """Encrypts one field of one record; the record id and field name are bound as AAD."""

    def __init__(self, master: bytes) -> None:
        self._aead = AESGCM(derive(master, "tether/fields/v1"))
        self._index_key = derive(master, "tether/blind-index/v1")

    def encrypt(self, record: str, field: str, plaintext: str) -> str:
        nonce = os.urandom(12)
        ct = self._aead.encrypt(nonce, plaintext.encode(), f"{record}/{field}".encode())
        return "v1:" + base64.b64encode(nonce + ct).decode()

    def decrypt(self, record: str, field: str, token: str) -> str:
        if not token.startswith("v1:"):
            raise ValueError("unknown ciphertext version")
        raw = base64.b64decode(token[3:])
        aad = f"{record}/{field}".encode()
        return self._aead.decrypt(raw[:12], raw[12:], aad).decode()

    def blind_index(self, kind: str, value: str) -> str:
        """A lookup key for an identity that reveals nothing without the data key."""
        norm = " ".join(value.casefold().split())
        return hmac.new(self._index_key, f"{kind}:{norm}".encode(), hashlib.sha256).hexdigest()
