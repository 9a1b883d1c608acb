"""Zoom webhook signatures (``x-zm-signature``) and the URL-validation handshake."""

from __future__ import annotations

import hashlib
import hmac


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """``v0=`` + hex HMAC-SHA256 of ``v0:{timestamp}:{raw body}``."""
    message = b"v0:" + timestamp.encode("ascii") + b":" + body
    return "v0=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_matches(secret: str, timestamp: str, body: bytes, header: str) -> bool:
    """False for anything but the signature, including a header that is not ASCII."""
    if not (timestamp.isascii() and header.isascii()):
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), header)


def encrypt_plain_token(secret: str, plain_token: str) -> str:
    """Answer to ``endpoint.url_validation``: hex HMAC-SHA256 of the plain token."""
    return hmac.new(secret.encode(), plain_token.encode(), hashlib.sha256).hexdigest()
