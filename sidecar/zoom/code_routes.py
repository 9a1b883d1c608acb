"""The code step of the in-meeting check-in: a client Zoom does not name asks for a
one-time code, texted to the number on file, and types it in for their check-in token.

Asking: a client says who they are by first name and the last four digits of their
number (or, signed in to Zoom with the account on their record, by nothing). That chooses
whose number is texted; it is never proof. Every answer to details that match nobody is
the same as to details that match (a handle, "we texted a code to the number ending ..."),
so the form does not tell a stranger whether they guessed right. Limits (10 minutes, 5
tries a code, 3 codes a client an hour) belong to the client and the code, never to a
participant or a meeting: see ``sidecar/checkin/code_rules.py``.

Every step is on the meeting's timeline with the client's id only: ``checkin.unmatched``,
``checkin.code_sent``, ``checkin.code_refused``, ``alert.checkin_code_unsent``,
``checkin.code_failed``, ``checkin.code_verified``.
"""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from sidecar.checkin.code_rules import Attempt, cleaned, last4
from sidecar.checkin.code_store import Capped
from sidecar.checkin.identify import Candidate, Factors, matches
from sidecar.infra.access import public, rule
from sidecar.infra.apidoc import described
from sidecar.infra.errors import where as where_of
from sidecar.infra.telephony import TelephonyError
from sidecar.infra.timeline import entry
from sidecar.zoom import answers
from sidecar.zoom.checkin_routes import (
    InMeeting,
    answer,
    in_meeting,
    known_by_zoom,
    read_body,
    session_for,
)
from sidecar.zoom.deps import ZOOM, ZoomDeps

logger = logging.getLogger(__name__)
routes = web.RouteTableDef()

SENT = "We texted a code to the number ending {last4}. It works for 10 minutes."
SENT_IF = ("We texted a code to the number ending {last4} (if that is the number your care "
           "team has for you). It works for 10 minutes.")
CAPPED = ("We have already texted 3 codes to this number in the last hour, so we cannot send "
          "another yet. Use the newest code we sent, or ask your care team to text you a "
          "check-in link.")
UNSENT = "We could not text a code; your care team will text you a link."
WRONG = ("That code is not right. You can try {n} more time{s}. If we texted you more than "
         "one code, use the newest.")
LAST_WRONG = "That code is not right, and it no longer works. Send a new code."
DEAD = "That code has expired or no longer works. Send a new code."
NOT_A_CODE = "The code is the 6 digits in the text we sent."


class CodeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    context: str = Field(min_length=1, max_length=4096)
    participant: str = Field(default="", max_length=128)
    identify: Factors | None = None  # absent: the Zoom account on file says who


class CodeEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    context: str = Field(min_length=1, max_length=4096)
    participant: str = Field(default="", max_length=128)
    challenge: str = Field(min_length=1, max_length=64)
    code: str = Field(max_length=20)


def _now(t: ZoomDeps) -> int:
    return int(t.clock.now() * 1000)


async def _say(t: ZoomDeps, meeting: str, kind: str, **data: Any) -> None:
    await t.meetings.append(meeting, entry(kind, _now(t), **data))


async def _chosen(t: ZoomDeps, where: InMeeting, factors: Factors) -> list[str]:
    """The expected clients the details fit (each record read is audited)."""
    candidates = []
    for c in where.expected:
        record = await t.clients.get(c, actor="zoom-app",
                                     purpose=f"checkin-identify:{where.meeting}")
        if record is not None:
            candidates.append(Candidate(c, record.name, record.callback_phone))
    return matches(candidates, factors)


@routes.post("/api/zoom/checkin-code")
@rule(public("Zoom's encrypted app context"))
@described(CodeRequest, also=(401, 403, 404, 429, 502),
           answer=answers.CodeSent, refusal=answers.FormRefusal)
async def ask_for_code(request: web.Request) -> web.Response:
    """Text a code: 200 ``{"challenge","sent_to","message"}``; 429 at the hourly cap (the
    handle still takes the newest code); 502 when the text could not be sent."""
    t = request.app[ZOOM]
    body = await read_body(request, CodeRequest, "identify")
    if isinstance(body, web.Response):
        return body
    where = await in_meeting(t, body.context)
    if isinstance(where, web.Response):
        return where
    if body.identify is None:
        known = await known_by_zoom(t, where)
        if known is None:
            return answer(401, "Tell us who you are.", "identify")
        return await _text_code(t, where, known, SENT)
    found = await _chosen(t, where, body.identify)
    if len(found) != 1:  # nobody, or two clients with the same details: text nobody
        await _say(t, where.meeting, "checkin.unmatched", participant=body.participant,
                   ambiguous=len(found) > 1)
        handle = await t.codes.decoy(where.meeting, _now(t))
        typed = body.identify.phone_last4.strip()
        return web.json_response({"challenge": handle, "sent_to": typed,
                                  "message": SENT_IF.format(last4=typed)})
    return await _text_code(t, where, found[0], SENT_IF)


async def _text_code(t: ZoomDeps, where: InMeeting, client: str, said: str) -> web.Response:
    m = where.meeting
    issued = await t.codes.issue(m, client, _now(t))
    if isinstance(issued, Capped):
        await _say(t, m, "checkin.code_refused", client=client, reason="hourly_cap")
        return answer(429, CAPPED, "code", challenge=issued.handle)
    await t.audit.minted("zoom-app", "checkin_code", f"client:{client}",
                         f"in-meeting-checkin:{m}")
    record = await t.clients.get(client, actor="zoom-app", purpose=f"checkin-code:{m}")
    if record is None:
        await t.codes.withdraw(client, issued)
        await _say(t, m, "alert.checkin_code_unsent", client=client, reason="no record")
        return answer(502, UNSENT)
    try:
        await t.code_texter.send(record.callback_phone, issued.code, meeting=m, client=client)
    except TelephonyError as exc:
        logger.warning("check-in code text failed meeting=%s client=%s (%s)", m, client,
                       where_of(exc))
        await t.codes.withdraw(client, issued)
        await _say(t, m, "alert.checkin_code_unsent", client=client, reason="provider")
        return answer(502, UNSENT)
    await _say(t, m, "checkin.code_sent", client=client)
    await t.audit.record(f"client:{client}", "checkin.code_sent", m)
    ending = last4(record.callback_phone)
    return web.json_response({"challenge": issued.handle, "sent_to": ending,
                              "message": said.format(last4=ending)})


def _refused(attempt: Attempt) -> web.Response:
    if attempt.outcome == "dead":
        return answer(410, DEAD, "new_code")
    if attempt.tries_left == 0:
        return answer(403, LAST_WRONG, "new_code", tries_left=0)
    n = attempt.tries_left
    return answer(403, WRONG.format(n=n, s="" if n == 1 else "s"), "code", tries_left=n)


@routes.post("/api/zoom/checkin-code/verify")
@rule(public("Zoom's encrypted app context"))
@described(CodeEntry, also=(403, 404, 410), answer=answers.ClientToken,
           refusal=answers.FormRefusal)
async def enter_code(request: web.Request) -> web.Response:
    """The code typed in: 200 ``{"token","first_name"}``; 403 wrong (``tries_left``); 410
    expired, used up or replaced; 400 not six digits (not counted as a try)."""
    t = request.app[ZOOM]
    body = await read_body(request, CodeEntry, "code")
    if isinstance(body, web.Response):
        return body
    where = await in_meeting(t, body.context)
    if isinstance(where, web.Response):
        return where
    typed = cleaned(body.code)
    if typed is None:
        return answer(400, NOT_A_CODE, "code")
    attempt = await t.codes.attempt(body.challenge, where.meeting, typed, _now(t))
    if attempt.outcome == "ok":
        await _say(t, where.meeting, "checkin.code_verified", client=attempt.client)
        return await session_for(t, where.meeting, attempt.client, body.participant, "code")
    await _say(t, where.meeting, "checkin.code_failed", client=attempt.client or None,
               reason="expired" if attempt.outcome == "dead" else "wrong",
               tries_left=attempt.tries_left,
               dead=attempt.outcome == "dead" or attempt.tries_left == 0)
    return _refused(attempt)

