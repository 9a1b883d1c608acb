"""The JSON our Prosody module (``prosody/mod_tether_events.lua``) posts; fields the
module may add later are ignored."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from plugins.base import LATEST_MS


class _Jitsi(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class JitsiOccupant(_Jitsi):
    id: str = Field(min_length=1, max_length=200)  # the MUC nickname: the participant id
    name: str = ""  # the presence's <nick> (display name)
    user_id: str = ""  # session.jitsi_meet_context_user.id, when a join token set it


class JitsiEvent(_Jitsi):
    event: str = Field(min_length=1)
    idempotency_key: str = Field(min_length=1, max_length=100)
    at_ms: int = Field(ge=0, le=LATEST_MS)
    room: str = Field(min_length=1, max_length=200)  # node of the main room
    room_jid: str = ""
    is_breakout: bool = False
    breakout_room_id: str = Field(default="", max_length=200)
    reason: str = ""  # occupant.left, lobby.left: left | kicked | switch_room | ...
    detail: str = ""  # the server's own words for a disconnect ("Hibernating too long")
    interrupted_at_ms: int | None = Field(default=None, ge=0, le=LATEST_MS)  # occupant.restored
    # the main room's creation
    session_started_ms: int | None = Field(default=None, ge=0, le=LATEST_MS)
    occupant: JitsiOccupant | None = None
