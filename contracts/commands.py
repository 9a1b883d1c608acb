"""Commands the sidecar asks a platform (or a panel) to carry out (imperative)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from contracts.ids import MeetingId, ParticipantId


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class MoveToBreakout(_Frozen):
    type: Literal["move_to_breakout"] = "move_to_breakout"
    participants: tuple[ParticipantId, ...]
    room_name: str = Field(max_length=100)


class ReturnToMainRoom(_Frozen):
    type: Literal["return_to_main_room"] = "return_to_main_room"
    participants: tuple[ParticipantId, ...]


class Admit(_Frozen):
    type: Literal["admit"] = "admit"
    participant: ParticipantId


class StopRecording(_Frozen):
    type: Literal["stop_recording"] = "stop_recording"


class PromptCheckIn(_Frozen):
    type: Literal["prompt_check_in"] = "prompt_check_in"
    participant: ParticipantId | None = None


class ShowNotification(_Frozen):
    type: Literal["show_notification"] = "show_notification"
    text: str = Field(max_length=500)


CommandBody = Annotated[
    MoveToBreakout | ReturnToMainRoom | Admit | StopRecording | PromptCheckIn | ShowNotification,
    Field(discriminator="type"),
]


class Command(_Frozen):
    schema_version: Literal["1.0"] = "1.0"
    meeting: MeetingId
    command: CommandBody


command_adapter: TypeAdapter[Command] = TypeAdapter(Command)
