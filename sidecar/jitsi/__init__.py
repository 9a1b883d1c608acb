"""Jitsi-specific sidecar pieces that need no plugin code: the clinician console's events."""
