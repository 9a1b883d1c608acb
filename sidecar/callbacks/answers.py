"""What "I'm calling them" answers (the telephony callbacks answer TwiML or nothing)."""

from __future__ import annotations

from sidecar.infra.apidoc import Reply


class Acknowledged(Reply):
    stopped: bool  # the ladder was still running and is stopped now
    ladder: str  # the ladder's job
