"""The Zoom webhook adapter: signature, replay window, handshake, translation."""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import ValidationError

from contracts.prepared import PreparedEvent
from plugins.base import BadSignature, MalformedPayload, StaleRequest, WebhookResult
from plugins.zoom.fast import prepare
from plugins.zoom.payloads import ZoomWebhook
from plugins.zoom.signature import encrypt_plain_token, signature_matches
from plugins.zoom.translate import translate


class ZoomWebhookAdapter:
    platform = "zoom"

    def __init__(self, secret_token: str, replay_window_s: float = 300.0) -> None:
        if not secret_token:
            raise ValueError("ZOOM_WEBHOOK_SECRET_TOKEN is empty")
        self._secret = secret_token
        self._window = replay_window_s

    def verify(self, headers: Mapping[str, str], body: bytes, now: float) -> None:
        ts = headers.get("x-zm-request-timestamp", "")
        sig = headers.get("x-zm-signature", "")
        if not ts or not sig:
            raise BadSignature("missing x-zm-signature or x-zm-request-timestamp")
        if not (ts.isascii() and ts.isdigit() and len(ts) <= 12):
            raise BadSignature("x-zm-request-timestamp is not unix seconds")
        if not signature_matches(self._secret, ts, body, sig):
            raise BadSignature("x-zm-signature does not match")
        if abs(now - int(ts)) > self._window:
            raise StaleRequest("x-zm-request-timestamp outside the replay window")

    def prepare(self, body: bytes) -> PreparedEvent | None:
        return prepare(body)

    def handle(self, body: bytes) -> WebhookResult:
        try:
            hook = ZoomWebhook.model_validate_json(body)
        except ValidationError as exc:
            raise MalformedPayload(f"not a Zoom webhook: {exc.error_count()} errors") from exc
        if hook.event == "endpoint.url_validation":
            return self._url_validation(hook)
        try:
            envelope = translate(hook)
        except ValidationError as exc:  # a field past what the contract holds
            raise MalformedPayload(f"not a Zoom event Tether can hold: {exc.error_count()} "
                                   "errors") from exc
        if envelope is None:
            return WebhookResult(skipped=hook.event)
        return WebhookResult(events=[envelope])

    def _url_validation(self, hook: ZoomWebhook) -> WebhookResult:
        plain = hook.payload.plain_token
        if not plain:
            raise MalformedPayload("endpoint.url_validation without plainToken")
        reply = {"plainToken": plain, "encryptedToken": encrypt_plain_token(self._secret, plain)}
        return WebhookResult(reply=reply)
