"""Tether sidecar: the service behind the panels and the platform plugins."""
