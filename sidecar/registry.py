"""The one module that knows the concrete platform plugins."""

from __future__ import annotations

from plugins.base import WebhookAdapter
from plugins.zoom import ZoomWebhookAdapter
from sidecar.settings import Settings


def webhook_adapters(settings: Settings) -> dict[str, WebhookAdapter]:
    adapters: dict[str, WebhookAdapter] = {}
    secret = settings.zoom_webhook_secret_token.get_secret_value()
    if secret:
        adapters["zoom"] = ZoomWebhookAdapter(secret)
    return adapters
