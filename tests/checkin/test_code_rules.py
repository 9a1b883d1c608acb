"""The pure rules behind the code step and the identity index: codes, their hashing and
limits, whose number a typed name chooses, when a token needs the code, and which saves
would give one identity to two clients. No I/O."""

from __future__ import annotations

import re

from sidecar.checkin.code_rules import (
    CODES_PER_HOUR,
    TRIES_PER_CODE,
    cleaned,
    code_mac,
    judge,
    new_code,
    same_code,
    sms_text,
    within_cap,
)
from sidecar.checkin.identify import Candidate, Factors, matches
from sidecar.checkin.ownership import needs_code
from sidecar.checkin.store import LinkClaims
from sidecar.presence.roster import PersonState
from sidecar.records.identities import collisions
from sidecar.records.model import ClientRecord

KEY = bytes(range(32))


def test_codes_are_six_digits_and_typed_as_people_type_them() -> None:
    assert all(re.fullmatch(r"[0-9]{6}", new_code()) for _ in range(200))
    assert cleaned(" 004 271 ") == "004271" and cleaned("004-271") == "004271"
    assert cleaned("12345") is None and cleaned("12a456") is None and cleaned("") is None


def test_a_code_is_kept_as_a_salted_keyed_hash() -> None:
    a, b = code_mac(KEY, "s1", "client-003", "123456"), code_mac(KEY, "s2", "client-003",
                                                                  "123456")
    assert a != b and "123456" not in a  # a fresh salt each time, nothing in clear
    assert code_mac(bytes(32), "s1", "client-003", "123456") != a  # the key matters
    assert same_code(KEY, "s1", "client-003", "123456", a)
    assert not same_code(KEY, "s1", "client-003", "123457", a)
    assert not same_code(KEY, "s1", "client-001", "123456", a)  # bound to the client


def test_the_text_holds_the_code_and_the_program_only() -> None:
    text = sms_text("Harbor Light Evening IOP", "004271")
    assert text.startswith("Harbor Light Evening IOP: your check-in code is 004271.")
    assert "10 minutes" in text


def test_five_tries_a_code_and_three_codes_an_hour() -> None:
    assert TRIES_PER_CODE == 5 and CODES_PER_HOUR == 3
    assert [judge(False, n).tries_left for n in range(5)] == [4, 3, 2, 1, 0]
    assert judge(True, 4).outcome == "ok"
    assert [within_cap(n) for n in (1, 2, 3, 4)] == [True, True, True, False]


def test_typed_details_choose_a_client_only_when_exactly_one_fits() -> None:
    people = [Candidate("c1", "Casey Brightwater", "+13125550111"),
              Candidate("c2", "Casey Arden", "+13125550111"),
              Candidate("c3", "Émery Holloway", "+13125550113")]
    assert matches(people, Factors(first_name="emery", phone_last4="0113")) == ["c3"]
    assert matches(people, Factors(first_name="Casey", phone_last4="0111")) == ["c1", "c2"]
    assert matches(people, Factors(first_name="Casey", phone_last4="0113")) == []


def _row(participant: str, subject: str) -> PersonState:
    return PersonState(participant=participant, display_name="x", subject=subject,
                       status="present", at_ms=0)


def test_a_token_without_the_code_never_takes_over_another_participants_checkin() -> None:
    rows = [_row("pu-ipad", "client:c3"), _row("pu-laptop", "participant:pu-laptop")]
    by_uid = LinkClaims("m", "c3", "pu-laptop", "uid")
    assert needs_code(by_uid, rows, checked_in=True)
    assert not needs_code(by_uid, rows, checked_in=False)  # nothing to take over
    assert not needs_code(by_uid._replace(via="code"), rows, checked_in=True)
    assert not needs_code(LinkClaims("m", "c3", ""), rows, checked_in=True)  # a texted link
    assert not needs_code(LinkClaims("m", "c3", "pu-ipad", "uid"), rows, checked_in=True)
    assert not needs_code(LinkClaims("m", "c2", "pu-laptop", "uid"), rows, checked_in=True)


def _client(cid: str, *names: str, uid: str = "") -> ClientRecord:
    return ClientRecord(id=cid, name=cid.upper(), callback_phone="+13125550100",
                        zoom_display_names=list(names), zoom_user_ids=[uid] if uid else [])


def _index(kind: str, value: str) -> str:
    return f"{kind}:{' '.join(value.casefold().split())}"


def test_one_identity_belongs_to_one_client() -> None:
    owners = {"dn:casey b": "c1", "uid:zuid3": "c3"}
    assert collisions([_client("c1", "Casey B")], owners, _index) == []  # its own
    clash = collisions([_client("c2", "Rowan T", "CASEY  B", uid="zUid3")], owners, _index)
    assert [(c.field, c.value, c.owner) for c in clash] == [
        ("zoom_display_names", "CASEY  B", "c1"), ("zoom_user_ids", "zUid3", "c3")]
    assert clash[0].message("Casey Brightwater") == (
        'zoom_display_names: "CASEY  B" is already Casey Brightwater\'s')
    twins = collisions([_client("c4", "Sky"), _client("c5", "sky")], {}, _index)
    assert [(c.position, c.owner) for c in twins] == [(1, "c4")]
    moved = [_client("c1", "Casey Brightwater"), _client("c2", "Rowan T", "Casey B")]
    assert collisions(moved, owners, _index) == []  # released and claimed in one save
