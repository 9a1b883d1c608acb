"""What each person's plan page shows, by the scopes the client gave them (pure)."""

from __future__ import annotations

from datetime import date

import pytest

from sidecar.plan.connection import connection_lost
from sidecar.plan.page import compose, render
from sidecar.plan.view import recipient, sections_for, when_contacted
from sidecar.records.directory import Directory
from sidecar.records.model import EmergencyContact
from tests.conftest import client_file, program_config

TODAY = date(2026, 11, 2)
ALL_BUT_PLAN = ["when_contacted", "resources", "coaching"]


def contact(scopes: list[str], *, words: bool = False, given: date | None = None,
            ends: date | None = None) -> EmergencyContact:
    return EmergencyContact.model_validate({
        "id": "k1", "name": "Dana Brightwater", "relation": "sibling",
        "phone": "+13125550121", "consent": scopes, "shares_code_words": words,
        "consent_given_on": given, "consent_expires_on": ends})


@pytest.mark.parametrize(("scopes", "words", "given", "ends", "sections"), [
    ([], False, None, None, ALL_BUT_PLAN),
    ([], True, None, None, ALL_BUT_PLAN),  # no consent left: not even the shared code words
    (["notify_crisis", "callback_ladder"], False, None, None, ALL_BUT_PLAN),
    (["receive_safety_plan"], False, None, None, ["plan", *ALL_BUT_PLAN]),
    (["receive_safety_plan"], True, None, None, ["plan", "code_words", *ALL_BUT_PLAN]),
    (["aftercare"], True, None, None, ["code_words", *ALL_BUT_PLAN]),
    # consent not started yet, or ended: neither the plan nor the code words
    (["receive_safety_plan"], True, date(2026, 12, 1), None, ALL_BUT_PLAN),
    (["receive_safety_plan"], True, date(2026, 1, 1), date(2026, 11, 1), ALL_BUT_PLAN),
    (["receive_safety_plan"], False, date(2026, 1, 1), date(2026, 11, 2),
     ["plan", *ALL_BUT_PLAN]),
])
def test_each_scope_set_shows_its_sections(scopes: list[str], words: bool, given: date | None,
                                           ends: date | None, sections: list[str]) -> None:
    assert sections_for(contact(scopes, words=words, given=given, ends=ends), TODAY) == sections


def test_the_client_sees_their_plan_resources_and_the_connection_lost_plan() -> None:
    assert sections_for(None, TODAY) == ["plan", "resources", "connection_lost"]


def test_when_we_may_contact_you_is_said_in_plain_words() -> None:
    said = when_contacted(contact(["callback_ladder", "notify_crisis"]), "Casey", TODAY)
    assert said == ["If Casey drops out of an online group session and does not answer our "
                    "call, we may call you to help us reach them.",
                    "We may tell you if Casey is in crisis."]
    assert when_contacted(contact([]), "Casey", TODAY)[0].startswith(
        "Casey has not agreed that we contact you.")


def test_a_caregiver_without_the_scope_gets_no_word_of_the_plan() -> None:
    casey = client_file().clients[0]  # Dana holds no receive_safety_plan in the example
    dana = casey.emergency_contacts[0].model_copy(update={"id": "k1"})
    html = render(compose(program_config(), Directory(), casey, dana, TODAY, TODAY))
    assert "Safety plan" not in html and "safety plan" not in html
    for line in casey.safety_plan.warning_signs + casey.safety_plan.reasons_for_living:
        assert line not in html
    assert "blue umbrella" not in html and "Coaching for you" in html
    shared = dana.model_copy(update={"consent": [*dana.consent, "receive_safety_plan"],
                                     "shares_code_words": True})
    html = render(compose(program_config(), Directory(), casey, shared, TODAY, TODAY))
    assert "not sleeping for two nights" in html and "blue umbrella" in html


def test_the_connection_lost_plan_follows_the_ladder_and_the_consents() -> None:
    casey = client_file().clients[0]
    said = connection_lost(program_config(), casey, TODAY)
    assert said[0].startswith("If your video drops during a group session, we call you "
                              "within 60 seconds on the number we have for you (ending "
                              "0111) from (312) 555-0100.")
    assert "We also text you a link to rejoin." in said[1]
    assert any("we call Dana Brightwater (sibling), as you agreed" in s for s in said)
    rowan = client_file().clients[1]  # Sam may not be called
    assert any("You have not named anyone we may call" in s
               for s in connection_lost(program_config(), rowan, TODAY))


def test_the_send_dialog_says_why_a_contact_cannot_be_sent_a_page() -> None:
    assert recipient(contact([]), "Rowan", TODAY)["says"] == (
        "Dana cannot be sent a page: Rowan has not agreed that we contact Dana.")
    said = recipient(contact(["notify_crisis"]), "Rowan", TODAY)
    assert said["can_send"] and not said["sees_plan"]
    assert str(said["says"]).startswith("No plan on Dana's page")


def test_a_link_lifetime_outside_the_range_is_named() -> None:
    from pydantic import ValidationError

    from sidecar.infra.validation import problems

    with pytest.raises(ValidationError) as caught:
        program_config({"plan_links": {"expire_days": 200}})
    assert problems(caught.value) == ["plan_links.expire_days: should be at most 180"]
    assert program_config().plan_links.expire_days == 30


def test_a_spreadsheet_import_keeps_whom_the_client_shares_code_words_with() -> None:
    from sidecar.records.people_csv import parse_clients

    casey = client_file().clients[0]
    dana = casey.emergency_contacts[0].model_copy(update={"shares_code_words": True})
    on_file = casey.model_copy(update={"emergency_contacts": [dana]})
    header = "id,name,callback_phone,contact1_name,contact1_phone,contact1_consent"
    row = "client-001,Casey Brightwater,+13125550111,Dana Brightwater,+13125550121,aftercare"
    parsed = parse_clients(f"{header}\n{row}\n", {"client-001": on_file})
    assert parsed.errors == [] and parsed.records[0].emergency_contacts[0].shares_code_words
