"""x-zoom-app-context against vectors built here from the documented layout."""

from __future__ import annotations

import base64
import hashlib
import json
import struct
from typing import Any

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from plugins.zoom.app_context import AppContextError, decrypt, open_context

SECRET = "sample-client-secret-0001"
CLIENT_ID = "SampleClientId01"
NOW = 1_800_000_000_000


def vector(payload: dict[str, Any], secret: str = SECRET, iv: bytes = b"\x07" * 12,
           aad: bytes = b"", urlsafe: bool = False) -> str:
    """Encrypt as Zoom documents it: [ivLen:1][iv][aadLen:2 LE][aad][ctLen:4 LE][ct][tag:16]."""
    key = hashlib.sha256(secret.encode()).digest()
    sealed = AESGCM(key).encrypt(iv, json.dumps(payload).encode(), aad)
    ct, tag = sealed[:-16], sealed[-16:]
    raw = (bytes([len(iv)]) + iv + struct.pack("<H", len(aad)) + aad
           + struct.pack("<i", len(ct)) + ct + tag)
    return (base64.urlsafe_b64encode if urlsafe else base64.b64encode)(raw).decode()


CTX = {"typ": "meeting", "uid": "UsEr0001", "mid": "mT3x/Sample+Uuid==", "ts": NOW - 1000,
       "exp": NOW + 119_000, "attendrole": "host", "iss": "marketplace.zoom.us",
       "aud": CLIENT_ID}


def test_documented_layout_decrypts() -> None:
    assert decrypt(vector(CTX, aad=b"zoom"), SECRET) == CTX


def test_known_answer_for_a_fixed_iv() -> None:
    # the same inputs always give the same header: a regression pin on the layout
    header = vector({"typ": "panel", "ts": 1, "exp": 2})
    assert header.startswith("DAcHBwcHBwcHBwcHBwAA")
    assert decrypt(header, SECRET) == {"typ": "panel", "ts": 1, "exp": 2}


def test_base64url_is_tolerated() -> None:
    assert open_context(vector(CTX, urlsafe=True), SECRET, CLIENT_ID, NOW).uid == "UsEr0001"


def test_guest_mode_without_uid_is_accepted() -> None:
    ctx = {k: v for k, v in CTX.items() if k != "uid"}
    assert open_context(vector(ctx), SECRET, CLIENT_ID, NOW).uid == ""


@pytest.mark.parametrize(("header", "why"), [
    ("", "missing"),
    ("%%%not-base64%%%", "base64"),
    (base64.b64encode(b"\x0c" + b"\x00" * 5).decode(), "truncated"),
])
def test_malformed_headers(header: str, why: str) -> None:
    with pytest.raises(AppContextError, match=why):
        decrypt(header, SECRET)


def test_wrong_secret_or_tampering_is_refused() -> None:
    with pytest.raises(AppContextError, match="decrypt"):
        decrypt(vector(CTX), "another-secret")
    raw = bytearray(base64.b64decode(vector(CTX)))
    raw[-20] ^= 1  # flip a ciphertext bit
    with pytest.raises(AppContextError, match="decrypt"):
        decrypt(base64.b64encode(bytes(raw)).decode(), SECRET)


def test_expired_and_foreign_contexts_are_refused() -> None:
    with pytest.raises(AppContextError, match="expired"):
        open_context(vector({**CTX, "exp": NOW - 1}), SECRET, CLIENT_ID, NOW)
    with pytest.raises(AppContextError, match="another app"):
        open_context(vector({**CTX, "aud": "someone-else"}), SECRET, CLIENT_ID, NOW)
