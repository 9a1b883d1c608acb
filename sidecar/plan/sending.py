"""Sending plan links as durable jobs (ids only in their data): a link is made, then its
text job looks everything up when it fires, sends, and records how it went on the link
(retrying while the phone service refuses, then "failed" in plain words; nothing is lost).
A caregiver with an e-mail address on the record also gets the link by e-mail, when the
program has an SMTP server (``TETHER_SMTP_URL``), by a mail job of the same kind.
A plan review (a newer ``last_reviewed``) schedules one job per client and date that
withdraws the older links of the client and of caregivers with ``receive_safety_plan`` and
sends them fresh ones."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from sidecar.infra.audit import Audit
from sidecar.infra.config_store import LiveConfig
from sidecar.infra.jobs import ClaimedJob, Done, JobEngine, Outcome, Retry
from sidecar.infra.mail import MailError, SmtpMailer
from sidecar.infra.telephony import Dialer, TelephonyError
from sidecar.plan.links import PlanLink, PlanLinks
from sidecar.plan.view import may_be_sent, sees_plan
from sidecar.records.clients import ClientStore
from sidecar.records.model import ClientRecord
from sidecar.records.oncall import local_time

logger = logging.getLogger(__name__)
SEND_KIND = "plan_link_send"
MAIL_KIND = "plan_link_mail"
REVIEW_KIND = "plan_review_resend"
MAX_ATTEMPTS = 8  # about two and a half minutes of backoff, then "failed"
CLIENT = "client"  # the person id of the client's own page in the API
SMS = "{program}: your care team sent you a page. Open it here: {url} (it opens until {until})."
FAILED = ("The text could not be sent: the phone service refused it {n} times. Check the "
          "number on the record, then send again.")
RETRYING = "The phone service did not take the text yet; Tether keeps trying."
SUBJECT = "{program}: a page from your care team"
MAIL = ("Hello,\n\nYour care team at {program} sent you a page. Open it here:\n\n{url}\n\n"
        "The link opens until {until}. Please keep it private.\n\nIf someone is not safe, "
        "call or text {crisis}.\n")
MAIL_FAILED = "The e-mail could not be sent: the mail server refused it {n} times."
MAIL_RETRYING = "The mail server did not take the e-mail yet; Tether keeps trying."


def send_key(lid: str) -> str:
    return f"plan-send:{lid}"


def mail_key(lid: str) -> str:
    return f"plan-mail:{lid}"


def review_key(client: str, reviewed: date) -> str:
    return f"plan-review:{client}:{reviewed.isoformat()}"


def phone_of(record: ClientRecord, contact: str) -> tuple[str | None, str]:
    """The number a link goes to, or None and why not (a sentence)."""
    if not contact:
        if not record.sms_consent:
            return None, "Not sent: the client has not agreed to texts from the program."
        return record.callback_phone, ""
    found = next((c for c in record.emergency_contacts if c.id == contact), None)
    if found is None:
        return None, "Not sent: this contact is no longer on the record."
    return found.phone, ""


@dataclass(frozen=True)
class PlanSending:
    """Makes links and schedules their texts; used by the routes and the review job."""

    links: PlanLinks
    clients: ClientStore
    engine: JobEngine
    live: LiveConfig
    audit: Audit
    mail_ready: bool = False  # the program has an SMTP server

    def today(self) -> date:
        return local_time(self.live.current, self.engine.now_ms()).date()

    async def send(self, record: ClientRecord, people: list[str], by: str) -> list[PlanLink]:
        """A fresh link to each person ("client" or a contact id), each text a job (and an
        e-mail job for a contact with an address, when the program can send e-mail)."""
        now = self.engine.now_ms()
        expires = now + self.live.current.plan_links.expire_days * 86_400_000
        emails = {c.id for c in record.emergency_contacts if c.email}
        made: list[PlanLink] = []
        for person in people:
            link = await self.links.create(record.id, "" if person == CLIENT else person, now,
                                           expires, by)
            await self.engine.schedule(send_key(link.id), now, SEND_KIND, {"link": link.id})
            if self.mail_ready and person in emails:
                await self.links.mailing(link.id, "sending")
                await self.engine.schedule(mail_key(link.id), now, MAIL_KIND,
                                           {"link": link.id})
                link = await self.links.get(link.id) or link
            await self.audit.record(by, "plan.link_made", f"{record.id}:{link.id}")
            made.append(link)
        return made

    async def revoke_of(self, client: str, people: list[str], by: str) -> int:
        """Withdraw the active links of these people ("client" or contact ids)."""
        now, n = self.engine.now_ms(), 0
        wanted = {"" if p == CLIENT else p for p in people}
        for link in await self.links.of_client(client):
            if link.contact in wanted and link.state(now) == "active" and \
                    await self.links.revoke(link.id, now, by):
                await self.audit.record(by, "plan.link_revoked", f"{client}:{link.id}")
                n += 1
        return n


@dataclass(frozen=True)
class SendJob:
    """Texts one link; the token is derived again from the link's id."""

    sending: PlanSending
    dialer: Dialer
    public_url: str

    async def __call__(self, job: ClaimedJob) -> Outcome:
        s = self.sending
        lid = str(job.payload["link"])
        link = await s.links.get(lid)
        if link is None or link.state(s.engine.now_ms()) != "active":
            return Done("withdrawn")
        record = await s.clients.get(link.client, actor="plan-links", purpose="plan-link-sms")
        number, why = phone_of(record, link.contact) if record else (None, "Not sent: no record.")
        if number is None:
            await s.links.sending(lid, "not_sent", why)
            return Done("not sent")
        config = s.live.current
        until = local_time(config, link.expires_ms).strftime("%-d %B")
        url = f"{self.public_url}/plan?t={await s.links.issued(lid)}"
        try:
            await self.dialer.send_sms(number, SMS.format(program=config.program.name,
                                                          url=url, until=until))
        except TelephonyError as exc:
            logger.warning("plan link %s: text refused (attempt %s): %s", lid,
                           job.attempts + 1, type(exc).__name__)
            if job.attempts + 1 >= MAX_ATTEMPTS:
                await s.links.sending(lid, "failed", FAILED.format(n=MAX_ATTEMPTS))
                await s.audit.record("plan-links", "plan.link_failed", f"{link.client}:{lid}")
                return Done("failed")
            await s.links.sending(lid, "retrying", RETRYING)
            return Retry("the text was refused")
        await s.links.sending(lid, "sent", "")
        await s.audit.record("plan-links", "plan.link_sent", f"{link.client}:{lid}")
        return Done("sent")


@dataclass(frozen=True)
class MailJob:
    """E-mails one link to its caregiver's address on the record."""

    sending: PlanSending
    mailer: SmtpMailer
    public_url: str

    async def __call__(self, job: ClaimedJob) -> Outcome:
        s = self.sending
        lid = str(job.payload["link"])
        link = await s.links.get(lid)
        if link is None or link.state(s.engine.now_ms()) != "active":
            return Done("withdrawn")
        record = await s.clients.get(link.client, actor="plan-links", purpose="plan-link-mail")
        contact = next((c for c in record.emergency_contacts if c.id == link.contact),
                       None) if record else None
        if contact is None or not contact.email:
            await s.links.mailing(lid, "", "")
            return Done("no address")
        config = s.live.current
        url = f"{self.public_url}/plan?t={await s.links.issued(lid)}"
        body = MAIL.format(program=config.program.name, url=url,
                           crisis=config.program.crisis_line,
                           until=local_time(config, link.expires_ms).strftime("%-d %B %Y"))
        try:
            await self.mailer.send(contact.email, SUBJECT.format(program=config.program.name),
                                   body)
        except MailError as exc:
            logger.warning("plan link %s: e-mail refused (attempt %s): %s", lid,
                           job.attempts + 1, exc)
            if job.attempts + 1 >= MAX_ATTEMPTS:
                await s.links.mailing(lid, "failed", MAIL_FAILED.format(n=MAX_ATTEMPTS))
                return Done("failed")
            await s.links.mailing(lid, "retrying", MAIL_RETRYING)
            return Retry("the e-mail was refused")
        await s.links.mailing(lid, "sent", "")
        await s.audit.record("plan-links", "plan.link_mailed", f"{link.client}:{lid}")
        return Done("sent")


@dataclass(frozen=True)
class ReviewJob:
    """After a plan review: fresh links to the client (with their consent to texts) and to
    caregivers who may receive the plan; their older links withdrawn."""

    sending: PlanSending

    async def __call__(self, job: ClaimedJob) -> Outcome:
        s = self.sending
        client = str(job.payload["client"])
        record = await s.clients.get(client, actor="plan-review", purpose="plan-resend")
        if record is None:
            return Done("no record")
        today = s.today()
        people = ([CLIENT] if record.sms_consent else []) + [
            c.id for c in record.emergency_contacts
            if c.id and may_be_sent(c, today) and sees_plan(c, today)]
        if not people:
            return Done("nobody to send to")
        await s.revoke_of(client, people, "plan-review")
        await s.send(record, people, "plan-review")
        await s.audit.record("plan-review", "plan.resent_after_review", client)
        return Done("sent")


async def after_save(sending: PlanSending, stored: ClientRecord | None,
                     saved: ClientRecord) -> None:
    """A save with a newer ``last_reviewed`` schedules the review's re-send (once per date)."""
    new = saved.safety_plan.last_reviewed
    old = stored.safety_plan.last_reviewed if stored else None
    if stored is None or new is None or (old is not None and new <= old):
        return
    await sending.engine.schedule(review_key(saved.id, new), sending.engine.now_ms(),
                                  REVIEW_KIND, {"client": saved.id})
