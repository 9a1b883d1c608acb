"""Signing staff in and out: OpenID Connect against the program's identity provider
(Google Workspace, Entra ID, Okta, Keycloak; authorization code with PKCE, and the checks an
ID token must pass: ``oidc.py``), the session cookie it leads to, logout, revocation, the
exchange of a staff token for a session, and break-glass access to a client outside one's
groups.

May import: ``sidecar.records`` (names on the admin page), ``sidecar.infra``. What it
uses comes through ``deps.py``.
"""
