"""What the plan-link API answers."""

from __future__ import annotations

from sidecar.infra.apidoc import Reply


class Recipient(Reply):
    """A person a page can go to: ``id`` is "client" or the contact's id; ``says`` what
    their page will hold (or why they cannot be sent one), in a sentence."""

    id: str
    name: str
    relation: str
    can_send: bool
    sees_plan: bool
    sees_code_words: bool
    says: str


class LinkLine(Reply):
    """One link: to whom, its state (active, expired, revoked), how its text went (sending,
    retrying, sent, failed, not_sent, with ``note`` in a sentence) and its opens."""

    id: str
    person: str  # "client" or the contact's id
    name: str
    created_at: int
    expires_at: int
    state: str
    send: str
    note: str
    mail: str  # "" (not e-mailed), sending, retrying, sent, failed
    mail_note: str
    opens: int
    last_open_at: int | None
    seen: str  # "Opened 2 times, last Tue 14:05" / "Not opened yet"
    by: str


class PlanLinks(Reply):
    recipients: list[Recipient]
    links: list[LinkLine]
    expire_days: int


class Sent(Reply):
    """The links made; each text goes out as a job (watch ``send`` in the list)."""

    links: list[LinkLine]


class Revoked(Reply):
    revoked: int
