"""The HTTP edge for platform callbacks. It is handed an ``ingest`` callable and never
imports the sidecar."""

from webhooks.edge import Ingest, IngestUnavailable, WebhookEdge

__all__ = ["Ingest", "IngestUnavailable", "WebhookEdge"]
