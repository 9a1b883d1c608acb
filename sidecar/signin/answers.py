"""What the sign-in routes answer: who is signed in, a sign-out, a revocation, a
break-glass opening and the list of them (the sign-in itself answers with redirects and
pages)."""

from __future__ import annotations

from sidecar.infra.apidoc import Reply


class Me(Reply):
    """Who is calling, how (signin, zoom or token), the CSRF token of a session (null with
    a token), the idle limit and when the session or token ends (ms)."""

    staff: str
    name: str
    roles: list[str]
    csrf: str | None
    via: str
    idle_minutes: int
    ends_at: int
    program: str


class SignedOut(Reply):
    signed_out: bool


class Revoked(Reply):
    staff: str
    sessions_ended: int


class Opened(Reply):
    """A break-glass opening: the client, until when (ms), for how many minutes."""

    client: str
    until: int
    minutes: int


class Opening(Reply):
    staff: str
    staff_name: str
    client: str
    client_name: str
    reason: str
    at: int
    until: int
    open: bool


class Openings(Reply):
    openings: list[Opening]
