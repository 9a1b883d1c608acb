"""Placeholder Jitsi adapter: refuses every callback until the Prosody module exists."""

from __future__ import annotations

from collections.abc import Mapping

from plugins.base import BadSignature, WebhookResult


class JitsiWebhookAdapter:
    platform = "jitsi"

    def verify(self, headers: Mapping[str, str], body: bytes, now: float) -> None:
        raise BadSignature("the Jitsi adapter is not implemented yet")

    def handle(self, body: bytes) -> WebhookResult:
        return WebhookResult(skipped="jitsi adapter not implemented")
