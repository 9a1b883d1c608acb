"""How staff sign in: OpenID Connect against the program's identity provider (Google
Workspace, Entra ID, Okta, Keycloak), the authorization code flow with PKCE, and the checks
an ID token must pass before anyone is let in (``oidc.py``).

May import: ``sidecar.infra``.
"""
