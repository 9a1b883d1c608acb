"""Whom a client who pressed 1 is put through to (pure)."""

from __future__ import annotations

from sidecar.infra.config import ProgramConfig, Staff
from sidecar.records.oncall import on_call_now


def bridge_to(config: ProgramConfig, program_meeting: str, taken_by: str | None,
              now_ms: int) -> list[Staff]:
    """In order: the clinician who took the alert ("I'm calling them"), the group's
    ``connection_lost_responder``, its co-facilitator, then whoever is on call now. The
    lead runs the group and is called only when named (or taking the alert) themselves."""
    meeting = config.meeting_by_number(program_meeting)
    named = [taken_by, meeting.connection_lost_responder if meeting else None]
    ids = [*named, meeting.co_facilitator if meeting else None]
    ids += [s.id for s in on_call_now(config, now_ms)]
    lead = meeting.lead if meeting is not None else None
    staff = [config.staff_by_id(i) for i in dict.fromkeys(i for i in ids if i)]
    return [s for s in staff if s is not None and (s.id != lead or s.id in named)]
