"""The connection-lost ladder: call the client, then a consented support person, then
prompt the clinicians and the on-call lead to send local responders.

One job per disconnect episode. Each time it fires it decides again from current state:
the client rejoined (stop), a call's outcome (a person pressed 1: reached, stop; a
voicemail, a fax, silence, no answer: next), a dial recorded but never confirmed because a
replica died (reconcile with the provider before dialling again), or a step still ringing
(wait). With the first call the client is texted (when their record allows texts): a reply
of 2 calls them again at once. The number being dialled is kept in the job sealed.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, NamedTuple
from urllib.parse import urlencode

import redis.asyncio as aioredis
from redis.asyncio.client import Pipeline

from sidecar.callbacks import scripts
from sidecar.callbacks.sms import Texter
from sidecar.checkin.store import CheckInStore
from sidecar.infra import keys
from sidecar.infra.config import CallbackPolicy, LadderStep, ProgramConfig, Staff
from sidecar.infra.config_store import LiveConfig
from sidecar.infra.jobs import ClaimedJob, Defer, Done, JobEngine, Outcome, Retry
from sidecar.infra.metrics import Metrics
from sidecar.infra.telephony.port import FAILED, FINAL, REACHED, Dialer, TelephonyError, machine
from sidecar.infra.timeline import TIMELINE_MAXLEN, entry
from sidecar.presence.meetings import MeetingStore
from sidecar.presence.roster import PersonState, absence
from sidecar.records.clients import ClientStore
from sidecar.records.model import ClientRecord

logger = logging.getLogger(__name__)
RING_SLACK_MS = 10_000  # wait this long past the ring timeout for the provider's callback
MAX_FAILED_REDIALS = 3
MAX_PROVIDER_ERRORS = 3  # provider errors on one attempt before the ladder moves on
REPROMPTS = 3
PROMPT_WINDOW_MS = 45_000  # something picked up: time to hear the prompt and press 1
_CALL_STATE = ("call_sid", "intent", "intent_at", "ring_deadline", "talk_wait")
_KEEP = ("first_dial_at", "call_now_seen", "prompts", "sms_ok")  # kept from one step to the next


async def no_rejoin_link(meeting: str, client: str, program_meeting: str) -> str | None:
    return None


@dataclass(frozen=True)
class LadderDeps:
    redis: aioredis.Redis
    engine: JobEngine
    meetings: MeetingStore
    clients: ClientStore
    live: LiveConfig  # the program's configuration; `config` reads it now
    dialer: Dialer
    metrics: Metrics
    public_url: str
    checkins: CheckInStore
    # the way back into the meeting for a client (meeting id, client, program meeting)
    rejoin_link: Callable[[str, str, str], Awaitable[str | None]] = no_rejoin_link

    @property
    def config(self) -> ProgramConfig:
        return self.live.current


class CallbackLadder:
    def __init__(self, deps: LadderDeps) -> None:
        self.d = deps
        self.texter = Texter(deps.redis, deps.dialer, deps.metrics, deps.public_url)

    def _now(self) -> int:
        return self.d.engine.now_ms()

    def _number(self, job: ClaimedJob, state: dict[str, Any]) -> str:
        """The number this step dials (kept sealed in the job's data)."""
        return self.d.meetings.sealer.open_number(job.key, state["to"])

    def _policy(self, job: ClaimedJob) -> CallbackPolicy:
        """The policy this ladder started with (ladders scheduled before it was kept in
        the job follow the policy now)."""
        kept = job.payload.get("policy")
        return _kept_policy(kept) if isinstance(kept, str) else self.d.config.callback_policy

    async def __call__(self, job: ClaimedJob) -> Outcome:
        p = job.payload
        state = {"step": 0, "attempt": 0, **job.data}
        policy = self._policy(job)
        stop_ok = bool(policy.reply_ok_stops_ladder and job.signals.get("reply_ok"))
        planned, call_now = self._after_call_now(job, state)
        steps = policy.steps
        step = steps[planned["step"]] if planned["step"] < len(steps) else None
        # a dial comes next: its reads go in the same round trip as the roster's
        dialing = (not stop_ok and step is not None and step.action != "prompt_responders"
                   and not planned.get("call_sid"))
        people, reads = await self._read(job, step if dialing else None)
        if absence(people, p["subject"]) is None:
            return await self._finish(job, "rejoined", "ladder.stopped", reason="rejoined")
        if stop_ok:
            return await self._finish(job, "client_ok", "ladder.stopped",
                                      reason="the client replied that they are OK")
        if call_now:
            await self.d.meetings.append(p["meeting"], entry(
                "ladder.call_now", self._now(), subject=p["subject"],
                reason="the client texted 2"))
        state = planned
        if step is None:
            return await self._finish(job, "exhausted", "ladder.exhausted")
        if step.action == "prompt_responders":
            return await self._prompt(job, state, step)
        return await self._call_step(job, state, step, reads)

    async def _read(self, job: ClaimedJob, step: LadderStep | None
                    ) -> tuple[list[PersonState], DialReads | None]:
        """The meeting's people; with ``step`` (a dial comes next) also whom it calls and
        whether the client agreed to texts, in the same round trip: for the client's call
        the number on file and the check-in's, for a support person's the record's
        consented contacts. What is read is opened only once its reads are on the audit
        stream (the pipeline raised no error); a client who rejoined meanwhile leaves
        those reads recorded, unused."""
        p = job.payload
        purpose = f"{step.action}:{job.key}" if step is not None else ""
        calling_client = step is not None and step.action == "call_client"

        def reads(pipe: Pipeline) -> None:
            self.d.meetings.people_cmds(pipe, p["meeting"])
            if calling_client:
                self.d.clients.call_cmds(pipe, p["client"], "ladder", purpose)
                self.d.checkins.get_cmds(pipe, p["meeting"], p["client"], "ladder", purpose)
            elif step is not None:
                self.d.clients.get_cmds(pipe, p["client"], "ladder", purpose)

        replies = await self.d.engine.batch.execute(reads)
        people = self.d.meetings.people_of(replies[0])
        if step is None:
            return people, None
        if absence(people, p["subject"]) is None:
            return people, None  # nothing opened: the ladder stops
        if not calling_client:
            record = self.d.clients.opened(p["client"], replies[1])
            if record is None:
                return people, DialReads([], False)
            return people, DialReads(targets_for(record, step), record.sms_consent)
        details = self.d.clients.call_opened(p["client"], replies[1])
        if details is None:
            return people, DialReads([], False)
        checkin = self.d.checkins.opened(p["meeting"], p["client"], replies[3])
        # the number the client gave for this session first, then the one on file
        numbers = [checkin.callback_phone] if checkin is not None else []
        numbers.append(details.callback_phone)
        return people, DialReads([("client", n) for n in dict.fromkeys(numbers)],
                                 details.sms_consent)

    async def _finish(self, job: ClaimedJob, outcome: str, kind: str, **data: Any) -> Done:
        p = job.payload
        await self.d.meetings.append(p["meeting"], entry(kind, self._now(),
                                                         subject=p["subject"], **data))
        await self.d.meetings.release_ladder(p["meeting"], p["subject"], job.key)
        return Done(outcome)

    # ---- calling ---------------------------------------------------------------------
    async def _call_step(self, job: ClaimedJob, state: dict[str, Any], step: LadderStep,
                         reads: DialReads | None) -> Outcome:
        if state.get("call_sid"):
            return await self._after_dial(job, state, step)
        if reads is None:  # never: __call__ reads them for every step that dials
            raise RuntimeError("a dial without its reads")
        targets, sms_ok = reads
        state = {**state, "sms_ok": sms_ok}
        if not targets:
            await self.d.meetings.append(job.payload["meeting"], entry(
                "ladder.skipped", self._now(), subject=job.payload["subject"],
                action=step.action, reason="no consented number on file"))
            return self._next_step(state)
        if state.get("intent"):
            found = await self.d.dialer.find_call(self._number(job, state),
                                                  state["intent_at"] - 2000)
            if found is not None:
                logger.info("ladder %s: adopting call placed before a replica died", job.key)
                return await self._placed(job, state, step, found.sid, adopted=True)
        return await self._dial(job, state, step, targets)

    async def _dial(self, job: ClaimedJob, state: dict[str, Any], step: LadderStep,
                    targets: list[tuple[str, str]]) -> Outcome:
        label, number = targets[state["attempt"] % len(targets)]
        intent = f"{state['step']}.{state['attempt']}.{state.get('failed', 0)}"
        state = {**state, "intent": intent, "intent_at": self._now(),
                 "to": self.d.meetings.sealer.seal_number(job.key, number), "target": label}
        if not await self.d.engine.touch(job, state):
            return Retry("fenced out before dialling")
        query = urlencode({"job": job.key, "intent": intent})
        try:
            ref = await self.d.dialer.place_call(
                number, status_url=f"{self.d.public_url}/webhooks/telephony?{query}",
                twiml_url=f"{self.d.public_url}/webhooks/telephony/twiml?{query}",
                amd_url=f"{self.d.public_url}/webhooks/telephony/amd?{query}",
                ring_timeout_s=int(step.ring_timeout_seconds))
        except TelephonyError as exc:
            errors = state.get("errors", 0) + 1
            await self.d.meetings.append(job.payload["meeting"], entry(
                "ladder.dial_failed", self._now(), subject=job.payload["subject"],
                action=step.action, error=str(exc), errors=errors))
            if errors > MAX_PROVIDER_ERRORS:  # the provider is down: the ladder goes on
                return self._next_attempt(state, step)
            # keep the intent: reconcile with the provider before redialling
            return Retry(str(exc), data={**state, "errors": errors})
        return await self._placed(job, state, step, ref.sid, adopted=False)

    async def _placed(self, job: ClaimedJob, state: dict[str, Any], step: LadderStep,
                      sid: str, *, adopted: bool) -> Outcome:
        now = self._now()
        state = {**state, "call_sid": sid, "ring_deadline": now + int(
            step.ring_timeout_seconds * 1000) + RING_SLACK_MS}
        p = job.payload
        first = not state.get("first_dial_at")
        if first:
            state["first_dial_at"] = now
            self.d.metrics.disconnect_to_dial.observe((now - p["since_ms"]) / 1000)
        line = entry("ladder.dialing", now, subject=p["subject"], action=step.action,
                     target=state["target"], attempt=state["attempt"] + 1, adopted=adopted,
                     deadline=p["deadline_ms"], late=now > p["deadline_ms"])
        texting = first and step.action == "call_client" and self._policy(job).text_client

        def records(pipe: Pipeline) -> None:
            pipe.hset(keys.call(sid), mapping={
                "job": job.key, "intent": state["intent"], "meeting": p["meeting"],
                "subject": p["subject"], "program_meeting": p.get("program_meeting", ""),
                "action": step.action})
            pipe.expire(keys.call(sid), keys.CALL_TTL_S)
            pipe.xadd(keys.timeline(p["meeting"]), line, maxlen=TIMELINE_MAXLEN,
                      approximate=True)
            if first:  # kept for the program's figures across incidents (no PHI)
                pipe.xadd(keys.STATS_DIALS, {"at": now, "ms": now - p["since_ms"],
                                             "meeting_number": p.get("program_meeting", "")},
                          maxlen=100_000, approximate=True)
            if texting and not state.get("sms_ok"):  # said in the same round trip
                pipe.xadd(keys.timeline(p["meeting"]), entry(
                    "ladder.text_skipped", now, subject=p["subject"],
                    reason="the record does not say the client agreed to texts"),
                    maxlen=TIMELINE_MAXLEN, approximate=True)
            pipe.hget(keys.call(sid), "status")

        *_, status = await self.d.engine.batch.execute(records)
        if texting and state.get("sms_ok"):
            await self._text_client(job, state)
        if status in FINAL:
            return await self._after_dial(job, state, step)  # it ended while we were away
        return Defer(state["ring_deadline"], state)

    async def _after_dial(self, job: ClaimedJob, state: dict[str, Any], step: LadderStep
                          ) -> Outcome:
        call = await self.d.redis.hgetall(keys.call(state["call_sid"]))
        status = call.get("status", "")
        if call.get("pressed") != "1":
            if status not in FINAL and self._now() >= state["ring_deadline"]:
                status = await self._ask_provider(state["call_sid"])
                if status == "in-progress" and not state.get("talk_wait"):
                    # something picked up and is hearing the prompt: time to press 1
                    until = self._now() + PROMPT_WINDOW_MS
                    return Defer(until, {**state, "talk_wait": True, "ring_deadline": until})
                if status not in FINAL:
                    status = "completed" if status == "in-progress" else "no-answer"
            if status not in FINAL:
                return Defer(state["ring_deadline"], state)
        outcome = call_outcome(status, call.get("answered_by", ""), call.get("pressed", ""))
        p = job.payload
        # once per call: a step run again (its lease ran out mid-step) never says it twice
        async with self.d.redis.pipeline(transaction=True) as pipe:
            pipe.hsetnx(keys.call(state["call_sid"]), "logged", "1")
            pipe.expire(keys.call(state["call_sid"]), keys.CALL_TTL_S)
            first, _ = await pipe.execute()
        if first:
            self.d.metrics.call_outcomes.labels(step.action, outcome).inc()
            await self.d.meetings.append(p["meeting"], entry(
                "ladder.call_outcome", self._now(), subject=p["subject"],
                action=step.action, target=state["target"], attempt=state["attempt"] + 1,
                status=status, outcome=outcome, answered_by=call.get("answered_by", "")))
        if outcome == REACHED:
            return await self._finish(job, f"reached:{state['target']}", "ladder.answered",
                                      action=step.action, target=state["target"],
                                      reached=True)
        cleared = {k: v for k, v in state.items() if k not in _CALL_STATE}
        if status in FAILED and cleared.get("failed", 0) < MAX_FAILED_REDIALS:
            cleared["failed"] = cleared.get("failed", 0) + 1
            return Defer(self._now() + 2000, cleared)
        return self._next_attempt(cleared, step)

    async def _ask_provider(self, sid: str) -> str:
        try:
            return await self.d.dialer.call_status(sid)
        except TelephonyError:
            return "no-answer"

    def _next_attempt(self, state: dict[str, Any], step: LadderStep) -> Defer:
        cleared = {k: v for k, v in state.items()
                   if k not in (*_CALL_STATE, "failed", "errors")}
        if cleared["attempt"] + 1 < step.attempts:
            cleared["attempt"] += 1
            return Defer(self._now(), cleared)
        return self._next_step(cleared)

    def _next_step(self, state: dict[str, Any]) -> Defer:
        keep = {k: v for k, v in state.items() if k in _KEEP}
        return Defer(self._now(), {**keep, "step": state["step"] + 1, "attempt": 0})

    # ---- prompting responders ----------------------------------------------------------
    async def _prompt(self, job: ClaimedJob, state: dict[str, Any], step: LadderStep
                      ) -> Outcome:
        p = job.payload
        count = state.get("prompts", 0)
        if count >= REPROMPTS:
            return await self._finish(job, "responders_prompted", "ladder.exhausted")
        meeting = self.d.config.meeting_by_number(p["program_meeting"])
        text = scripts.responders_text(meeting.name if meeting else "your group")
        staff = self._responders_staff(p["program_meeting"])
        sent, failed = await self.texter.text_staff(p["meeting"], p["subject"], staff, text,
                                                    "responders")
        now = self._now()
        await self.d.meetings.append(p["meeting"], entry(
            "ladder.responders_prompt", now, subject=p["subject"], client=p["client"],
            notified=sent, failed=failed, prompt=count + 1))
        if not sent:  # nobody heard it: the panels must say so, loudly
            await self.d.meetings.append(p["meeting"], entry(
                "alert.responders_unreached", now, subject=p["subject"], client=p["client"],
                failed=failed))
        due = now + int(step.ring_timeout_seconds * 1000)
        return Defer(due, {**state, "prompts": count + 1})

    # ---- texting the client --------------------------------------------------------------
    async def _text_client(self, job: ClaimedJob, state: dict[str, Any]) -> None:
        """With the first call: the way back in and "reply 1 if OK, 2 for a call", when the
        record says the client agreed to texts. A failure is on the timeline, never fatal."""
        p = job.payload
        number = self._number(job, state)
        now = self._now()
        program = self.d.config.program
        meeting = self.d.config.meeting_by_number(p["program_meeting"])
        body = scripts.client_text(
            program.name, rejoin=await self.d.rejoin_link(p["meeting"], p["client"],
                                                          p["program_meeting"]),
            dial_in=meeting.dial_in if meeting else None,
            after_hours=program.after_hours_number, crisis_line=program.crisis_line)
        try:
            await self.texter.send(number, body, meeting=p["meeting"], subject=p["subject"],
                                   purpose="client", to="client")
        except TelephonyError as exc:
            await self.d.meetings.append(p["meeting"], entry(
                "ladder.text_failed", now, subject=p["subject"], error=str(exc)))
            return
        reply_to = json.dumps({"job": job.key, "meeting": p["meeting"],
                               "subject": p["subject"], "client": p["client"]})
        await self.d.redis.set(keys.sms_from(self.d.clients.phone_index(number)), reply_to,
                               ex=keys.SMS_FROM_TTL_S)
        await self.d.meetings.append(p["meeting"], entry("ladder.texted", now,
                                                         subject=p["subject"]))

    def _after_call_now(self, job: ClaimedJob, state: dict[str, Any]
                        ) -> tuple[dict[str, Any], bool]:
        """The client texted 2 ("I want a call"): the next thing the ladder does is call
        them, unless a call to them is already under way. A support call still ringing is
        left to ring; its outcome no longer moves the ladder. The state to go on with, and
        whether the ladder turns to the client's call now (the timeline says so)."""
        asked = job.signals.get("call_now")
        if not asked or asked == state.get("call_now_seen"):
            return state, False
        state = {**state, "call_now_seen": asked}
        steps = self._policy(job).steps
        first = next((i for i, s in enumerate(steps) if s.action == "call_client"), 0)
        if state.get("call_sid") and state["step"] == first:
            return state, False  # the client's phone is ringing now
        keep = {k: v for k, v in state.items() if k in _KEEP}
        return {**keep, "step": first, "attempt": 0 if state["step"] != first
                else state["attempt"]}, True

    def _responders_staff(self, program_meeting: str) -> list[Staff]:
        meeting = self.d.config.meeting_by_number(program_meeting)
        ids = {meeting.lead, meeting.co_facilitator} if meeting else set()
        chosen = [s for s in self.d.config.staff if s.id in ids]
        return chosen + [s for s in self.d.config.on_call() if s.id not in ids]


class DialReads(NamedTuple):
    """What a dial needs read: whom the step calls; whether the client agreed to texts."""

    targets: list[tuple[str, str]]
    sms_ok: bool


@functools.lru_cache(maxsize=64)
def _kept_policy(kept: str) -> CallbackPolicy:
    """A kept policy (steps, texting, replies; the rest is not the ladder's to use)."""
    return CallbackPolicy.model_validate_json(kept)


def call_outcome(status: str, answered_by: str, pressed: str) -> str:
    """One word for what became of a call: reached (a person pressed 1), voicemail, fax,
    no_key (picked up, nothing pressed), or the provider's no-answer, busy, failed,
    canceled."""
    if pressed == "1":
        return REACHED
    if status != "completed":
        return status
    if answered_by == "fax":
        return "fax"
    return "voicemail" if machine(answered_by) else "no_key"


def targets_for(record: ClientRecord, step: LadderStep) -> list[tuple[str, str]]:
    if step.action == "call_client":
        return [("client", record.callback_phone)]
    return [(f"support:{i}", c.phone)
            for i, c in enumerate(record.consented_contacts("callback_ladder"))]
