"""Signing staff in and out: the program's identity provider (OpenID Connect), the session
cookie it leads to, logout, revocation, the exchange of a staff token for a session, and
break-glass access to a client outside one's groups.

May import: ``sidecar.records`` (names on the admin page), ``sidecar.infra``. What it
uses comes through ``deps.py``.
"""
