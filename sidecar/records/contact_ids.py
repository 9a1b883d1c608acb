"""Stable ids for a client's contacts, so a link sent to a caregiver or a coaching page
attached to them survives edits to the record (a new phone number, another contact added
above them, a spreadsheet import that names no ids).

A contact saved without an id keeps the id of the stored contact with the same phone number
(an import or a form that dropped it), or else gets a new one. Records stored before contacts
had ids read with their position as the id ("c1", "c2"), which holds until the next save
writes them down."""

from __future__ import annotations

import secrets
from collections.abc import Callable

from sidecar.records.model import ClientRecord, EmergencyContact


def new_contact_id() -> str:
    return secrets.token_hex(4)


def positional(contacts: list[EmergencyContact]) -> list[EmergencyContact]:
    """Contacts read from a record stored before ids: each without one gets "c<position>"."""
    taken = {c.id for c in contacts if c.id}
    out: list[EmergencyContact] = []
    for i, c in enumerate(contacts, start=1):
        if not c.id and f"c{i}" not in taken:
            c = c.model_copy(update={"id": f"c{i}"})
        out.append(c)
    return out


def with_contact_ids(record: ClientRecord, stored: ClientRecord | None,
                     new_id: Callable[[], str] = new_contact_id) -> ClientRecord:
    """``record`` with every contact holding an id: its own, the stored contact's with the
    same phone number (not already claimed), or a new one."""
    if all(c.id for c in record.emergency_contacts):
        return record
    taken = {c.id for c in record.emergency_contacts if c.id}
    by_phone: dict[str, str] = {}
    for old in (stored.emergency_contacts if stored else []):
        if old.id and old.id not in taken:
            by_phone.setdefault(old.phone, old.id)
    contacts: list[EmergencyContact] = []
    for c in record.emergency_contacts:
        if not c.id:
            found = by_phone.pop(c.phone, None)
            while found is None or found in taken:
                found = new_id()
            taken.add(found)
            c = c.model_copy(update={"id": found})
        contacts.append(c)
    return record.model_copy(update={"emergency_contacts": contacts})
