"""Twilio's ``X-Twilio-Signature``: base64 HMAC-SHA1 over the URL and sorted form params."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping


def twilio_signature(auth_token: str, url: str, params: Mapping[str, str]) -> str:
    data = url + "".join(k + params[k] for k in sorted(params))
    digest = hmac.new(auth_token.encode(), data.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def twilio_signature_ok(
    auth_token: str, url: str, params: Mapping[str, str], header: str
) -> bool:
    """False for anything but the signature, including a header that is not ASCII."""
    if not header.isascii():
        return False
    return hmac.compare_digest(twilio_signature(auth_token, url, params), header)
