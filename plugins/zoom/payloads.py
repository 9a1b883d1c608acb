"""Zoom's own webhook JSON, as documented; unknown fields are ignored (Zoom adds them)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from plugins.base import LATEST_MS


class _Zoom(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class ZoomParticipant(_Zoom):
    participant_uuid: str = ""
    user_id: str = ""
    user_name: str = ""
    id: str = ""
    email: str = ""
    registrant_id: str = ""
    customer_key: str = ""
    participant_user_id: str = ""
    join_time: datetime | None = None
    leave_time: datetime | None = None
    date_time: datetime | None = None
    leave_reason: str = ""

    @field_validator("user_id", "id", mode="before")
    @classmethod
    def _to_str(cls, v: object) -> object:
        return str(v) if isinstance(v, int) else v


class ZoomChatMessage(_Zoom):
    """``meeting.chat_message_sent``'s ``chat_message``; ``message_content`` is PHI."""

    message_id: str = ""
    sender_session_id: str = ""
    sender_name: str = ""
    sender_email: str = ""
    message_content: str = ""

    @field_validator("sender_session_id", mode="before")
    @classmethod
    def _session_to_str(cls, v: object) -> object:
        return str(v) if isinstance(v, int) else v


class ZoomObject(_Zoom):
    id: str = ""
    uuid: str = ""
    topic: str = ""
    breakout_room_uuid: str = ""
    participant: ZoomParticipant | None = None
    chat_message: ZoomChatMessage | None = None

    @field_validator("id", mode="before")
    @classmethod
    def _id_to_str(cls, v: object) -> object:
        return str(v) if isinstance(v, int) else v


class ZoomPayload(_Zoom):
    account_id: str = ""
    object: ZoomObject | None = None
    plain_token: str = Field(default="", alias="plainToken")


class ZoomWebhook(_Zoom):
    event: str = Field(min_length=1)
    event_ts: int = Field(ge=0, le=LATEST_MS)
    payload: ZoomPayload
