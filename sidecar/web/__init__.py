"""What browsers and operators fetch that belongs to no one capability: the pages and their
static files, the security headers on every answer, and health, readiness and metrics.

May import: ``sidecar.infra``. What it shows of the rest comes through ``deps.py``.
"""
