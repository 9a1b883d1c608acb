"""Jitsi: a stub until the Jitsi issue lands (Prosody events, JWT, the console)."""

from plugins.jitsi.adapter import JitsiWebhookAdapter

__all__ = ["JitsiWebhookAdapter"]
