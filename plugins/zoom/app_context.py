"""The ``x-zoom-app-context`` header: AES-256-GCM, keyed with SHA-256 of the client secret.

Layout (base64): [ivLength: 1 byte][iv][aadLength: 2 bytes LE][aad]
[cipherTextLength: 4 bytes LE][cipherText][tag: 16 bytes]. Zoom's own samples read both
lengths little-endian. The context expires about two minutes after it is made.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import struct
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pydantic import BaseModel, ConfigDict, ValidationError

MAX_HEADER_CHARS = 4096
TAG_BYTES = 16


class AppContextError(Exception):
    """The header is missing, malformed, forged, expired or meant for another app."""


class AppContext(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    typ: str
    uid: str = ""  # absent in Guest Mode
    mid: str = ""  # meeting UUID when typ is "meeting"
    ts: int
    exp: int
    attendrole: str = ""
    bmid: str = ""
    aud: str = ""
    iss: str = ""


def _decode_b64(text: str) -> bytes:
    s = text.strip().replace("-", "+").replace("_", "/")  # tolerate base64url
    s += "=" * (-len(s) % 4)
    try:
        return base64.b64decode(s, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise AppContextError("app context is not base64") from exc


def _split(buf: bytes) -> tuple[bytes, bytes, bytes, bytes]:
    try:
        iv_len = buf[0]
        pos = 1
        iv = buf[pos:pos + iv_len]
        pos += iv_len
        (aad_len,) = struct.unpack_from("<H", buf, pos)
        pos += 2
        aad = buf[pos:pos + aad_len]
        pos += aad_len
        (ct_len,) = struct.unpack_from("<i", buf, pos)
        pos += 4
    except (IndexError, struct.error) as exc:
        raise AppContextError("app context is truncated") from exc
    ct, tag = buf[pos:pos + ct_len], buf[pos + ct_len:]
    if len(iv) != iv_len or ct_len < 0 or len(ct) != ct_len or len(tag) != TAG_BYTES:
        raise AppContextError("app context lengths do not add up")
    return iv, aad, ct, tag


def decrypt(header: str, client_secret: str) -> dict[str, Any]:
    if not header or len(header) > MAX_HEADER_CHARS:
        raise AppContextError("app context missing or too long")
    iv, aad, ct, tag = _split(_decode_b64(header))
    key = hashlib.sha256(client_secret.encode()).digest()
    try:
        plain = AESGCM(key).decrypt(iv, ct + tag, aad)
    except (InvalidTag, ValueError) as exc:
        raise AppContextError("app context does not decrypt with this app's secret") from exc
    try:
        value = json.loads(plain)
    except ValueError as exc:
        raise AppContextError("app context is not JSON") from exc
    if not isinstance(value, dict):
        raise AppContextError("app context is not an object")
    return value


def open_context(header: str, client_secret: str, client_id: str, now_ms: int) -> AppContext:
    """Decrypt and check: not expired, and (when Zoom names one) for this app."""
    try:
        ctx = AppContext.model_validate(decrypt(header, client_secret))
    except ValidationError as exc:
        raise AppContextError("app context lacks typ, ts or exp") from exc
    if ctx.exp < now_ms:
        raise AppContextError("app context expired")
    if ctx.aud and ctx.aud != client_id:
        raise AppContextError("app context is for another app")
    return ctx
