"""What the Jitsi routes answer: a join grant, heartbeats, the console's session."""

from __future__ import annotations

from sidecar.infra.apidoc import Reply


class Grant(Reply):
    """What the page needs to open the Jitsi room: domain, room, session and a join token."""

    domain: str
    room: str
    meeting: str | None
    jwt: str | None
    display_name: str | None


class Joined(Grant):
    heartbeat_seconds: int


class Beat(Reply):
    ok: bool
    state: str
    every_s: int


class Left(Reply):
    ok: bool
    left: bool


class ConsoleSession(Reply):
    """Who the console is for, today's session, the Jitsi domain and room, a moderator
    token."""

    meeting: str
    room: str
    group: str
    domain: str
    staff: str
    name: str
    jwt: str | None


class Accepted(Reply):
    accepted: int


class JoinLink(Reply):
    url: str
    expires_at: int
    meeting: str
    sms_sent: bool
