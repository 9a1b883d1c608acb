"""Workflows: decisions as pure functions of (state, event, now), and their job handlers."""
