"""PHI sealed at rest: display names, e-mails, dialled numbers, staff notes and spool lines
(chat text is never kept: ``sidecar/presence/chat.py``).

Each value is one field-cipher token, stored whole (never split or re-encoded), so a key
rotation finds it by its prefix wherever it sits. The cipher binds a record and a field;
each is named from where the token is kept, so any reader can name them again:

- a participant's display name (the inbox entry's ``n``, the roster record in the
  meeting's state hash, ``roster`` and ``alert.code_word`` timeline entries, a Jitsi
  heartbeat hash): record ``state_record(meeting)``, field ``p:<participant>/display_name``;
- a participant's e-mail (the inbox entry's ``m``; nothing else keeps it): record
  ``state_record(meeting)``, field ``p:<participant>/email``;
- the number a callback ladder dials (its job's data ``to``): ``job_record(<job key>)``,
  ``to``;
- staff free text on the timeline and a client's text reply (``SEALED_NOTES``: an
  acknowledgement's note, an emergency's reason, a triage detail, an SMS reply):
  ``timeline_record(meeting)``, ``<entry kind>/<data field>``;
- a line of the store-outage spool: ``spool:webhooks``, ``line``.

Record names are the keys' names of before the meeting shards (``{m:<meeting>}:state``,
``{jobs}:job:<job key>``) and stay so: a value sealed then still opens, wherever its key
has moved since.

A value written before sealing (a clear name in an old record) reads as it was.
"""

from __future__ import annotations

import logging
from typing import Any

from cryptography.exceptions import InvalidTag

from contracts.events import ChatMessageSent, EventEnvelope, Person
from contracts.prepared import PreparedEvent
from sidecar.infra import keys
from sidecar.infra.crypto import FieldCipher

logger = logging.getLogger(__name__)
SPOOL_RECORD = "spool:webhooks"
SEALED_NOTES: dict[str, tuple[str, ...]] = {  # timeline kind -> its fields of free text
    "ladder.acknowledged": ("note",), "emergency.started": ("reason",),
    "sms.reply": ("text",),
    **{f"triage.{phase}": ("detail",) for phase in ("started", "moved", "ended", "failed")},
}


def state_record(meeting: str) -> str:
    return keys.LEGACY_MEETING_PREFIX + meeting + "}:state"


def timeline_record(meeting: str) -> str:
    return keys.LEGACY_MEETING_PREFIX + meeting + "}:timeline"


def agreements_record(meeting: str) -> str:
    return keys.LEGACY_MEETING_PREFIX + meeting + "}:agreements"


def job_record(job_key: str) -> str:
    return keys.LEGACY_JOB_PREFIX + job_key


def name_field(participant: str, what: str = "display_name") -> str:
    return f"{keys.PERSON_FIELD}{participant}/{what}"


def person_of(env: EventEnvelope) -> Person | None:
    ev = env.event
    if isinstance(ev, ChatMessageSent):
        return ev.sender
    person = getattr(ev, "person", None)
    return person if isinstance(person, Person) else None


def with_values(env: EventEnvelope, name: str | None, email: str | None,
                text: str | None = None) -> EventEnvelope:
    """The envelope with its person's display name and e-mail and its chat text replaced
    (None: kept; no validation: a token is longer than the clear value's limit)."""
    ev = env.event
    update: dict[str, Any] = {}
    person = person_of(env)
    given = {k: v for k, v in (("display_name", name), ("email", email)) if v is not None}
    if person is not None and given:
        attr = "sender" if isinstance(ev, ChatMessageSent) else "person"
        update[attr] = person.model_copy(update=given)
    if isinstance(ev, ChatMessageSent) and text is not None:
        update["text"] = text
    return env.model_copy(update={"event": ev.model_copy(update=update)}) if update else env


class Sealer:
    def __init__(self, cipher: FieldCipher) -> None:
        self.cipher = cipher

    def _open(self, record: str, field: str, token: str) -> str:
        if not token:
            return ""
        try:
            return self.cipher.decrypt(record, field, token)
        except (ValueError, InvalidTag):
            logger.warning("a value in %s (%s) is not sealed with this key; read as stored",
                           record, field.split("/")[-1])
            return token

    # ---- display names ---------------------------------------------------------------
    def seal_name(self, meeting: str, participant: str, clear: str) -> str:
        if not clear:
            return ""
        return self.cipher.encrypt(state_record(meeting), name_field(participant), clear)

    def open_name(self, meeting: str, participant: str, sealed: str) -> str:
        return self._open(state_record(meeting), name_field(participant), sealed)

    # ---- inbox entries ---------------------------------------------------------------
    def inbox_fields(self, env: EventEnvelope) -> list[str]:
        """The inbox entry's fields and values: ``e`` the envelope without its PHI (no
        name, no e-mail, no chat text), ``n`` the sealed display name, ``m`` the sealed
        e-mail (when there are such)."""
        person = person_of(env)
        out: list[str] = []
        if person is not None and person.display_name:
            out += ["n", self.seal_name(env.meeting, person.participant, person.display_name)]
        if person is not None and person.email:
            out += ["m", self.cipher.encrypt(state_record(env.meeting),
                                             name_field(person.participant, "email"),
                                             person.email)]
        if isinstance(env.event, ChatMessageSent):
            bare = with_values(env, "", "", text="").model_dump_json()
        elif person is not None:  # left out, the name and e-mail read back as ""
            bare = env.model_dump_json(exclude={"event": {"person": {"display_name", "email"}}})
        else:
            bare = env.model_dump_json()
        return ["e", bare, *out]

    def prepared_fields(self, p: PreparedEvent) -> list[str]:
        """``inbox_fields`` for an event a plugin prepared (its JSON already without PHI)."""
        out = ["e", p.bare]
        if p.display_name:
            out += ["n", self.seal_name(p.meeting, p.participant, p.display_name)]
        if p.email:
            out += ["m", self.cipher.encrypt(state_record(p.meeting),
                                             name_field(p.participant, "email"), p.email)]
        return out

    def open_person(self, env: EventEnvelope, person: Person) -> Person:
        """The person with their display name and e-mail in clear."""
        record, p = state_record(env.meeting), person.participant
        return person.model_copy(update={
            "display_name": self._open(record, name_field(p), person.display_name),
            "email": self._open(record, name_field(p, "email"), person.email)})

    # ---- timeline entries ------------------------------------------------------------
    def seal_note(self, meeting: str, kind: str, field: str, text: str) -> str:
        """Staff free text for a timeline entry (``SEALED_NOTES`` names where it goes)."""
        if not text:
            return ""
        return self.cipher.encrypt(timeline_record(meeting), f"{kind}/{field}", text)

    def open_entry(self, meeting: str, kind: str, data: dict[str, Any]) -> dict[str, Any]:
        """A timeline entry's data for an authorised reader: its name and notes opened."""
        out = data
        name = data.get("display_name")
        if name and isinstance(name, str):
            participant = str(data.get("participant"))
            out = {**out, "display_name": self.open_name(meeting, participant, name)}
        for field in SEALED_NOTES.get(kind, ()):
            if (note := data.get(field)) and isinstance(note, str):
                out = {**out, field: self._open(timeline_record(meeting), f"{kind}/{field}", note)}
        return out

    # ---- dialled numbers -------------------------------------------------------------
    def seal_number(self, job_key: str, number: str) -> str:
        return self.cipher.encrypt(job_record(job_key), "to", number)

    def open_number(self, job_key: str, sealed: str) -> str:
        return self._open(job_record(job_key), "to", sealed)

    # ---- the spool -------------------------------------------------------------------
    def seal_line(self, line: str) -> str:
        return self.cipher.encrypt(SPOOL_RECORD, "line", line)

    def open_line(self, line: str) -> str:
        """A clear line from before sealing (it starts with "{") reads as it is."""
        if line.startswith("{"):
            return line
        try:
            return self.cipher.decrypt(SPOOL_RECORD, "line", line)
        except InvalidTag as exc:
            raise ValueError("a spool line this key does not open") from exc
