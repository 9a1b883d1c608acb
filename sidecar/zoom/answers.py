"""What the Zoom App's routes answer: a staff session, a client's check-in token, a code
texted."""

from __future__ import annotations

from pydantic.json_schema import SkipJsonSchema

from sidecar.infra.apidoc import Refusal, Reply


class StaffSession(Reply):
    """The panel's session (the cookie is set beside it) and the CSRF token it sends back."""

    csrf: str
    staff: str
    name: str
    roles: list[str]
    meeting: str
    zoom_role: str
    ends_at: int


class ClientToken(Reply):
    token: str  # the check-in token for this meeting and client
    first_name: str


class CodeSent(Reply):
    challenge: str  # the handle the code is entered against
    sent_to: str  # the last four digits
    message: str


class FormRefusal(Refusal):
    """A refusal the in-meeting form acts on: ``need`` is what to ask next (identify,
    code, new_code); ``tries_left`` after a wrong code; ``challenge`` at the hourly cap."""

    need: str | SkipJsonSchema[None] = None
    tries_left: int | SkipJsonSchema[None] = None
    challenge: str | SkipJsonSchema[None] = None


class Stopped(Reply):
    ok: bool
