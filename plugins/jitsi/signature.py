"""Tether's own signature on the Prosody module's events (``X-Tether-Signature``)."""

from __future__ import annotations

import hashlib
import hmac


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=`` + hex HMAC-SHA256 of ``{timestamp}.{raw body}``, as the module signs."""
    message = timestamp.encode("ascii") + b"." + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_matches(secret: str, timestamp: str, body: bytes, header: str) -> bool:
    """False for anything but the signature, including a header that is not ASCII."""
    if not (timestamp.isascii() and header.isascii()):
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), header)
