"""Zoom: webhook verification and translation (server side)."""

from plugins.zoom.adapter import ZoomWebhookAdapter

__all__ = ["ZoomWebhookAdapter"]
