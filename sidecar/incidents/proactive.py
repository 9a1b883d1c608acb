"""Proactive check-ins as durable jobs on the injected clock. The job carries ids only (the
incident and the check-in) and looks everything up when it fires:

- at its time: a call check-in puts "check-in due: call <name> now" in front of the
  clinicians (the meeting's timeline, the incident's list) and texts the assigned clinician
  a PHI-free nudge when the program says so; a text check-in sends the program's fixed text
  to the client (with their consent to texts), whose reply the telephony webhook matches
  like the ladder's and signals here: "1" records the outcome "okay", "2" asks for a call;
- at its time plus the program's window: a check-in without an outcome raises an overdue
  alert like the other follow-ups (the timeline and the program's alert stream).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import redis.asyncio as aioredis
from redis.asyncio.client import Pipeline

from sidecar.clinical.proactive import overdue_at_ms
from sidecar.incidents.checkin_steps import find, mark_fired, mark_overdue, mark_reply, mark_texted
from sidecar.incidents.model import Incident
from sidecar.incidents.proactive_model import ProactiveCheckIn, Reply
from sidecar.incidents.store import OVERDUE, IncidentNotFound, IncidentStore, alert_cmds
from sidecar.infra import keys
from sidecar.infra.audit import Audit
from sidecar.infra.config_store import LiveConfig
from sidecar.infra.jobs import ClaimedJob, Defer, Done, JobEngine, Outcome
from sidecar.infra.metrics import Metrics
from sidecar.infra.telephony import Dialer, TelephonyError
from sidecar.infra.timeline import entry
from sidecar.presence.meetings import MeetingStore
from sidecar.records.clients import ClientStore

logger = logging.getLogger(__name__)
PROACTIVE_KIND = "proactive"
TASK = "proactive_checkin"
TITLES = {"call": "Check-in call", "text": "Check-in text"}
STAFF_TEXT = "Tether: a check-in is due now. Open Tether to see whom to call."


def job_key(incident: str, checkin: str) -> str:
    return f"proactive:{incident}:{checkin}"


@dataclass(frozen=True)
class ProactiveDue:
    engine: JobEngine
    meetings: MeetingStore
    incidents: IncidentStore
    clients: ClientStore
    live: LiveConfig
    dialer: Dialer
    redis: aioredis.Redis
    metrics: Metrics
    public_url: str
    audit: Audit

    async def __call__(self, job: ClaimedJob) -> Outcome:
        incident_id, cid = job.payload["incident"], job.payload["checkin"]
        try:
            incident = await self.incidents.get(incident_id)
        except IncidentNotFound:
            return Done("no incident")
        item = find(incident, cid)
        if item is None or item.outcome is not None or item.cancelled is not None:
            return Done("done")
        seen: dict[str, str] = dict(job.data.get("seen", {}))
        item = await self._replies(job, incident, item, seen)
        if item is None or item.outcome is not None:
            return Done("client replied 1")
        now = self.engine.now_ms()
        if item.fired_ms is None and now >= item.due_ms:
            item = await self._due(incident_id, cid, asked=False)
        overdue = overdue_at_ms(item.due_ms, self.live.current.proactive_policy)
        if now >= overdue:
            return await self._overdue(incident_id, cid)
        return Defer(item.due_ms if item.fired_ms is None else overdue, {"seen": seen})

    # ---- replies to the text --------------------------------------------------------
    async def _replies(self, job: ClaimedJob, incident: Incident, item: ProactiveCheckIn,
                       seen: dict[str, str]) -> ProactiveCheckIn | None:
        """A "1" or "2" the webhook signalled and this job has not handled yet."""
        pairs: tuple[tuple[str, Reply], ...] = (("reply_ok", "ok"), ("call_now", "call"))
        for signal, reply in pairs:
            value = job.signals.get(signal)
            if not value or seen.get(signal) == value:
                continue
            seen[signal] = value
            changed = await self.incidents.change(incident.id, self._replied(item.id, reply))
            await self.audit.record("client", f"incident.checkin_reply:{reply}", incident.id)
            item = find(changed, item.id) or item
            if reply == "call" and item.outcome is None:
                item = await self._due(incident.id, item.id, asked=True)
        return item

    def _replied(self, cid: str, reply: Reply) -> Callable[[Incident], None]:
        now = self.engine.now_ms()
        return lambda i: mark_reply(i, cid, reply, now)

    # ---- due --------------------------------------------------------------------------
    async def _due(self, incident_id: str, cid: str, asked: bool) -> ProactiveCheckIn:
        """Tell the clinicians (and, for a text, the client) once; ``asked``: the client
        replied 2, so a call is due now whatever the check-in's way."""
        now = self.engine.now_ms()
        fresh: list[bool] = []

        def mark(i: Incident) -> None:
            fresh.clear()  # a retry after a race starts from the stored document again
            c = find(i, cid)
            if c is not None and (asked or c.fired_ms is None):
                fresh.append(True)
                mark_fired(i, cid, now)

        def tell(i: Incident) -> list[dict[str, str]]:  # with the mark, or not at all
            c = find(i, cid)
            if not fresh or c is None:
                return []
            way = "call" if asked else c.way
            return [entry("alert.checkin_due", now, incident=i.id, client=i.client,
                          checkin=cid, way=way, asked=asked, assignee=c.assignee)]

        incident = await self.incidents.change(incident_id, mark, tell=tell)
        item = find(incident, cid)
        assert item is not None
        if not fresh:  # another run told them already
            return item
        if item.way == "text" and not asked:
            texted = await self._text_client(incident, item)
            incident = await self.incidents.change(incident_id,
                                                   lambda i: mark_texted(i, cid, texted))
        else:
            await self._nudge(incident, item)
        return find(incident, cid) or item

    async def _text_client(self, incident: Incident, item: ProactiveCheckIn) -> bool:
        record = await self.clients.get(incident.client, actor="proactive",
                                        purpose="proactive-checkin")
        if record is None or not record.sms_consent:
            return False
        about = {"meeting": incident.meeting, "subject": f"client:{incident.client}",
                 "purpose": "proactive", "to": "client"}
        url = f"{self.public_url}/webhooks/telephony/sms-status?{urlencode(about)}"
        try:
            await self.dialer.send_sms(record.callback_phone,
                                       self.live.current.proactive_policy.client_text,
                                       status_url=url)
        except TelephonyError as exc:
            logger.warning("proactive text for incident %s failed: %s", incident.id, exc)
            self.metrics.sms_failures.labels("proactive").inc()
            return False
        reply_to = json.dumps({"job": job_key(incident.id, item.id), "meeting": incident.meeting,
                               "subject": f"client:{incident.client}", "client": incident.client})
        await self.redis.set(keys.sms_from(self.clients.phone_index(record.callback_phone)),
                             reply_to, ex=keys.SMS_FROM_TTL_S)
        return True

    async def _nudge(self, incident: Incident, item: ProactiveCheckIn) -> None:
        """A text to the assigned clinician, without the client's name (PHI-free)."""
        person = self.live.current.staff_by_id(item.assignee)
        if person is None or not self.live.current.proactive_policy.text_clinician:
            return
        about = {"meeting": incident.meeting, "subject": f"client:{incident.client}",
                 "purpose": "proactive-staff", "to": person.id}
        url = f"{self.public_url}/webhooks/telephony/sms-status?{urlencode(about)}"
        try:
            await self.dialer.send_sms(person.phone, STAFF_TEXT, status_url=url)
        except TelephonyError as exc:
            logger.warning("proactive nudge to staff %s failed: %s", person.id, exc)
            self.metrics.sms_failures.labels("proactive-staff").inc()

    # ---- overdue ----------------------------------------------------------------------
    async def _overdue(self, incident_id: str, cid: str) -> Outcome:
        now = self.engine.now_ms()
        raised: list[bool] = []

        def mark(i: Incident) -> None:
            raised.clear()  # a retry after a race starts from the stored document again
            if mark_overdue(i, cid, now):
                raised.append(True)

        def raised_for(i: Incident) -> dict[str, Any] | None:
            c = find(i, cid)
            if not raised or c is None:
                return None
            return {"incident": i.id, "client": i.client, "task": TASK,
                    "title": TITLES[c.way], "due": c.due_ms, "checkin": cid}

        def alert(pipe: Pipeline, i: Incident) -> None:  # with the mark, or not at all
            data = raised_for(i)
            if data is not None:
                alert_cmds(pipe, now, data)

        def tell(i: Incident) -> list[dict[str, str]]:
            data = raised_for(i)
            return [] if data is None else [entry(OVERDUE, now, **data)]

        await self.incidents.change(incident_id, mark, alert, tell)
        if not raised:
            return Done("done in time or already alerted")
        self.metrics.followups_overdue.labels(TASK).inc()
        return Done("overdue")
