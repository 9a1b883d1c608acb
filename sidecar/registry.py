"""The one module that knows the concrete platform plugins."""

from __future__ import annotations

import logging

from plugins.base import WebhookAdapter
from plugins.zoom import ZoomWebhookAdapter
from sidecar.settings import Settings

logger = logging.getLogger(__name__)


def webhook_adapters(settings: Settings) -> dict[str, WebhookAdapter]:
    adapters: dict[str, WebhookAdapter] = {}
    secret = settings.zoom_webhook_secret_token.get_secret_value()
    if secret:
        adapters["zoom"] = ZoomWebhookAdapter(secret)
    else:
        logger.error("ZOOM_WEBHOOK_SECRET_TOKEN not set: /webhooks/zoom answers 404")
    return adapters
