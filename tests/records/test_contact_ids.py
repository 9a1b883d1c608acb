"""A caregiver's id survives edits: the same phone keeps it, a new contact gets its own."""

from __future__ import annotations

import itertools

import pytest

from sidecar.records.contact_ids import positional, with_contact_ids
from sidecar.records.model import ClientRecord, EmergencyContact


def _record(*contacts: EmergencyContact) -> ClientRecord:
    return ClientRecord(id="cl1", name="Avery Example", callback_phone="+13125550101",
                        emergency_contacts=list(contacts))


def _c(name: str, phone: str, cid: str = "") -> EmergencyContact:
    return EmergencyContact(id=cid, name=name, phone=phone)


def test_a_contact_saved_without_its_id_keeps_the_stored_one_by_phone() -> None:
    stored = _record(_c("Dana Example", "+13125550102", "aa11"),
                     _c("Sam Example", "+13125550103", "bb22"))
    ids = (f"n{i}" for i in itertools.count())
    edited = _record(_c("Riley Example", "+13125550104"), _c("Sam Example", "+13125550103"),
                     _c("Dana Example (mum)", "+13125550102"))
    saved = with_contact_ids(edited, stored, lambda: next(ids))
    assert [c.id for c in saved.emergency_contacts] == ["n0", "bb22", "aa11"]


def test_ids_given_are_kept_and_never_handed_out_twice() -> None:
    stored = _record(_c("Dana Example", "+13125550102", "aa11"))
    ids = iter(["aa11", "cc33"])  # the generator's first pick is taken already
    edited = _record(_c("Dana Example", "+13125550102", "aa11"),
                     _c("Dana's twin", "+13125550102"))
    saved = with_contact_ids(edited, stored, lambda: next(ids))
    assert [c.id for c in saved.emergency_contacts] == ["aa11", "cc33"]


def test_records_from_before_ids_read_with_their_position() -> None:
    old = [_c("Dana Example", "+13125550102"), _c("Sam Example", "+13125550103", "c1")]
    assert [c.id for c in positional(old)] == ["", "c1"]
    assert [c.id for c in positional(old[:1])] == ["c1"]


def test_two_contacts_with_one_id_are_refused() -> None:
    with pytest.raises(ValueError, match="same id"):
        _record(_c("Dana Example", "+13125550102", "aa11"),
                _c("Sam Example", "+13125550103", "aa11"))
