"""Jitsi: our Prosody module's signed events (``prosody/``), their translation, join tokens."""

from plugins.jitsi.adapter import JitsiWebhookAdapter

__all__ = ["JitsiWebhookAdapter"]
