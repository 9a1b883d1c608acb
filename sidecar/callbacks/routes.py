"""The panel's "I'm calling them": a clinician takes over and the ladder stops."""

from __future__ import annotations

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from sidecar.callbacks import answers
from sidecar.callbacks.deps import CALLBACKS
from sidecar.infra import keys
from sidecar.infra.access import in_meeting, principal, rule
from sidecar.infra.apidoc import described
from sidecar.infra.timeline import entry
from sidecar.infra.validation import read_json

routes = web.RouteTableDef()


class AckBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: str = Field(default="I'm calling them", max_length=300)


@routes.post("/api/meetings/{meeting}/ladders/{subject}/ack")
@rule(in_meeting())
@described(AckBody, also=(404,), answer=answers.Acknowledged)
async def acknowledge(request: web.Request) -> web.Response:
    """A clinician takes over ("I'm calling them"): the ladder stops."""
    t = request.app[CALLBACKS]
    who = principal(request)
    m, subject = request.match_info["meeting"], request.match_info["subject"]
    body = await read_json(request, AckBody)
    job_key = (await t.meetings.ladders(m)).get(subject)
    if job_key is None:
        raise web.HTTPNotFound(text="no callback ladder is running for this participant")
    stopped = await t.engine.cancel(job_key, f"acknowledged by {who.staff_id}")
    # a call still ringing may yet be answered: a client who presses 1 gets this clinician
    await t.redis.set(keys.ladder_owner(job_key), who.staff_id, ex=keys.CALL_TTL_S)
    await t.meetings.release_ladder(m, subject, job_key)
    now = int(t.clock.now() * 1000)
    await t.meetings.append(m, entry("ladder.acknowledged", now, subject=subject,
                                     by=who.staff_id, note=body.note, stopped=stopped))
    await t.audit.record(who.staff_id, "ladder.ack", job_key)
    return web.json_response({"stopped": stopped, "ladder": job_key})
