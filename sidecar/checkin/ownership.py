"""Whose check-in an in-meeting token may open or replace. Pure.

A client's check-in for a session is linked to the Zoom participants the roster links to
that client (``client:<id>``: by a registrant id, e-mail or display name on file, by a
clinician, or by the client's own in-meeting check-in). A token the in-meeting form got
without the code step (the Zoom account on the record vouched for the client) may not
open or replace a check-in while another participant is linked to the same client: that
is a second device, or somebody else, and only a code texted to the number on file may
take the check-in over. A token that came from a texted link or a texted code has proved
the phone already.
"""

from __future__ import annotations

from collections.abc import Iterable

from sidecar.checkin.store import LinkClaims
from sidecar.presence.roster import PersonState

HELD_ELSEWHERE = ("You already checked in from another device or connection. To see or "
                  "change that check-in here, confirm it is you with a code we text you.")


def needs_code(claims: LinkClaims, people: Iterable[PersonState], checked_in: bool) -> bool:
    """True when this token must go through the code step before it opens or replaces
    the client's check-in."""
    if not claims.participant or claims.via == "code" or not checked_in:
        return False
    mine = f"client:{claims.client}"
    return any(p.subject == mine and p.participant != claims.participant for p in people)
