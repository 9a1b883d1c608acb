"""People from a spreadsheet, without a server: what a good file becomes, and every
problem named by its row (as a spreadsheet numbers them) and column."""

from __future__ import annotations

import re
from datetime import date

import pytest

from sidecar.infra.config import Role
from sidecar.records.model import ClientRecord, Considerations, EmergencyContact, SafetyPlan
from sidecar.records.people_csv import parse_clients, parse_staff
from sidecar.records.sheet import MAX_ROWS, phone
from tests.conftest import ROOT, client_file

HEADER = ("id,name,callback_phone,sms_consent,street,unit,city,region,postal_code,country,"
          "room,zoom_display_names,zoom_emails,contact1_name,contact1_relation,contact1_phone,"
          "contact1_consent,contact2_name,contact2_relation,contact2_phone,contact2_consent")
CASEY = ("client-101,Casey Example,(312) 555-0101,yes,12 Example Street,Apt 2,Springfield,"
         "IL,62701,us,,Casey E; Casey Example,casey@example.org,Dana Example,sibling,"
         "312-555-0102,callback_ladder; May be told about a crisis.,Lee Example,friend,"
         "+1 312 555 0103,aftercare")
ROBIN = "client-102,Robin Example,+13125550104,,,,,,,,,,,,,,,,,,"
PHONE = "a phone number in international format, like +12175550142"


def clients(*rows: str, header: str = HEADER) -> list[str]:
    return parse_clients("\n".join((header, *rows)) + "\n", {}).errors


def test_a_good_file_becomes_records() -> None:
    text = "\ufeff" + "\r\n".join((HEADER, CASEY, "  " + ROBIN, "", ",,,,", "")) + "\r\n\r\n"
    parsed = parse_clients(text, {})
    assert parsed.errors == []
    assert parsed.rows == [2, 3] and parsed.created == ["client-101", "client-102"]
    casey, robin = parsed.records
    assert casey.callback_phone == "+13125550101" and casey.sms_consent is True
    assert casey.location is not None and casey.location.country == "US"
    assert casey.location.one_line() == "12 Example Street, Apt 2, Springfield, IL 62701, US"
    assert casey.zoom_display_names == ["Casey E", "Casey Example"]
    assert casey.zoom_emails == ["casey@example.org"]
    assert [(c.name, c.relation, c.phone, c.consent) for c in casey.emergency_contacts] == [
        ("Dana Example", "sibling", "+13125550102", ["callback_ladder", "notify_crisis"]),
        ("Lee Example", "friend", "+13125550103", ["aftercare"])]
    assert robin == ClientRecord(id="client-102", name="Robin Example",
                                 callback_phone="+13125550104")


def test_headers_in_words_and_only_the_required_columns() -> None:
    parsed = parse_clients("ID,Name,Callback phone\nclient-103,Casey Example,3125550105\n", {})
    assert parsed.errors == []
    assert parsed.records[0].callback_phone == "+13125550105"


@pytest.mark.parametrize(("typed", "stored"), [
    ("+13125550142", "+13125550142"), ("(312) 555-0142", "+13125550142"),
    ("312-555-0142", "+13125550142"), ("312.555.0142", "+13125550142"),
    ("1 312 555 0142", "+13125550142"), ("13125550142", "+13125550142"),
    ("+44 20 7946 0958", "+442079460958"), ("555-0142", "555-0142"),
    ("(012) 555-0142", "(012) 555-0142"), ("312-555-0142 x12", "312-555-0142 x12")])
def test_phone_numbers_as_people_write_them(typed: str, stored: str) -> None:
    assert phone(typed) == stored


def test_every_consent_scope_in_words_or_by_name() -> None:
    words = ("may be called when we cannot reach the client; MAY BE TOLD ABOUT A CRISIS; "
             "may receive a copy of the safety plan;responders may phone them; "
             "may get a check-in call after a crisis")
    header = "id,name,callback_phone,contact1_name,contact1_phone,contact1_consent"
    text = (f"{header}\nc1,Casey Example,312-555-0106,Dana Example,312-555-0107,{words}\n"
            "c2,Robin Example,312-555-0108,Lee Example,312-555-0109,"
            "callback_ladder;notify-crisis;Receive_Safety_Plan;responders_may_call;aftercare\n")
    parsed = parse_clients(text, {})
    assert parsed.errors == []
    for record in parsed.records:
        assert record.emergency_contacts[0].consent == [
            "callback_ladder", "notify_crisis", "receive_safety_plan", "responders_may_call",
            "aftercare"]


def test_every_problem_of_every_row_is_named() -> None:
    errors = clients(
        "client-101,Casey Example,555-0110,maybe,1 Example St,,,IL,,US,,,,,,,,,,,",
        "client 102,,+13125550111,no,1 Example St,,Springfield,IL,62701,USA,,,,"
        "Dana Example,,,may call,,,,",
        "client-103,Robin Example,+13125550112,,,,,,,,,,,,,,,Lee Example,,12,aftercare",
        "client-101,Casey Again,+13125550113,,,,,,,,,,,,,,,,,,")
    assert errors == [
        f"row 2, callback_phone: {PHONE}",
        "row 2, sms_consent: yes or no (empty means no)",
        "row 2, address: city and postal_code are empty; an address needs street, city, "
        "region, postal_code and country, or leave it all empty",
        "row 3, id: letters, digits, '.', '_' and '-' only, no spaces",
        "row 3, name: required",
        "row 3, country: a two-letter country code, like US",
        "row 3, contact1_phone: required",
        'row 3, contact1_consent: "may call" is not a consent we know; write any of '
        '"may be called when we cannot reach the client", "may be told about a crisis", '
        '"may receive a copy of the safety plan", "responders may phone them", '
        '"may get a check-in call after a crisis" (or their short names, like '
        'callback_ladder), separated by ";"',
        f"row 4, contact2_phone: {PHONE}",
        "row 5: id client-101 is also on row 2",
    ]


def test_problems_with_the_file_itself() -> None:
    assert parse_clients("", {}).errors == [
        "the file is empty: its first row names the columns, and each row after it is one "
        "person"]
    assert parse_clients("\r\n\r\n  \r\n", {}).errors == parse_clients("", {}).errors
    assert clients(header="id,name,callback_phone") == [
        "the file has no one in it: only row 1, which names the columns"]
    assert clients("c1,Casey Example,+13125550114", header="id,name,phone") == [
        "column 'phone' is not one we know; did you mean 'callback_phone'?",
        "column 'callback_phone' is missing"]
    assert clients("c1,Casey Example,+13125550114,x,",
                   header="id,Name,callback_phone,notes,name") == [
        "column 'notes' is not one we know",
        "column 'name' is there twice (columns B and E)"]
    assert clients("c1,Casey Example,+13125550114,x", header="id,name,callback_phone,") == [
        "row 2, column D: has text, but row 1 gives this column no name"]
    assert clients("c1,Casey Example,+13125550114", header="id,name,callback_phone,street") == [
        "column 'city' is missing", "column 'region' is missing",
        "column 'postal_code' is missing", "column 'country' is missing"]
    assert clients("c1,Casey Example,+13125550114,Dana Example",
                   header="id,name,callback_phone,contact2_name") == [
        "column 'contact2_phone' is missing"]
    assert parse_clients("id,name\n1," + "x" * 200_000, {}).errors == [
        "the file cannot be read as CSV (line 2: field larger than field limit (131072))"]


def test_more_than_the_cap_is_refused() -> None:
    rows = [f"c{i},Casey Example,+13125550115" for i in range(MAX_ROWS)]
    assert clients(*rows, header="id,name,callback_phone") == []
    assert clients(*rows, "c-last,Casey Example,+13125550115",
                   header="id,name,callback_phone") == [
        "the file has more than 5,000 people; split it into files of at most 5,000 rows each"]


def test_a_client_on_file_keeps_what_the_file_cannot_say() -> None:
    casey = next(c for c in client_file().clients if c.id == "client-001")
    extra = EmergencyContact(name="Pat Example", phone="+13125550116", consent=["aftercare"])
    on_file = casey.model_copy(update={
        "zoom_registrant_ids": ["reg-casey-1"],
        "emergency_contacts": [*casey.emergency_contacts, extra]})
    header = ("id,name,callback_phone,zoom_display_names,contact1_name,contact1_phone,"
              "contact1_consent")
    row = ("client-001,Casey Brightwater,312-555-0117,Casey B,Dana Brightwater,"
           "+13125550121,callback_ladder;notify_crisis;responders_may_call;aftercare")
    parsed = parse_clients(f"{header}\n{row}\nclient-104,Robin Example,+13125550118,,,,\n",
                           {"client-001": on_file})
    assert parsed.errors == []
    assert parsed.updated == ["client-001"] and parsed.created == ["client-104"]
    record = parsed.records[0]
    assert record.callback_phone == "+13125550117" and record.zoom_display_names == ["Casey B"]
    assert record.safety_plan == casey.safety_plan != SafetyPlan()
    assert record.considerations == casey.considerations != Considerations()
    assert record.code_words == ["blue umbrella"] and record.sms_consent is True
    assert record.zoom_registrant_ids == ["reg-casey-1"]
    assert record.location == casey.location  # no address columns: the address stays
    dana, pat = record.emergency_contacts  # past the file's one contact: kept
    assert dana.consent_given_on == date(2026, 9, 14) and dana.speaks_to_responders
    assert pat == extra
    fewer = row.replace("responders_may_call;", "")
    dana = parse_clients(f"{header}\n{fewer}\n", {"client-001": on_file}
                         ).records[0].emergency_contacts[0]
    assert dana.consent == ["callback_ladder", "notify_crisis", "aftercare"]
    assert dana.consent_given_on is None and dana.speaks_to_responders  # new consent: today


def test_empty_address_cells_clear_the_address() -> None:
    casey = next(c for c in client_file().clients if c.id == "client-001")
    header = "id,name,callback_phone,street,city,region,postal_code,country"
    parsed = parse_clients(f"{header}\nclient-001,Casey Brightwater,+13125550111,,,,,\n",
                           {"client-001": casey})
    assert parsed.errors == [] and parsed.records[0].location is None


STAFF = "id,name,email,phone,roles,zoom_user_ids,active"


def test_a_good_staff_file() -> None:
    text = (f"\ufeff{STAFF}\r\n"
            "lead-casey,Casey Example,casey@example.org,(312) 555-0120,lead; On call,"
            "zUid01;zUid02,\r\n"
            "admin-robin,Robin Example,,312-555-0121,admin;clinical lead,,no\r\n"
            "cofac-lee,Lee Example,lee@example.org,+13125550122,"
            "co-facilitator;co_facilitator;program_clinical_lead,,yes\r\n\r\n")
    parsed = parse_staff(text)
    assert parsed.errors == [] and parsed.rows == [2, 3, 4]
    casey, robin, lee = parsed.records
    assert casey.roles == [Role.LEAD, Role.ON_CALL] and casey.phone == "+13125550120"
    assert casey.zoom_user_ids == ["zUid01", "zUid02"] and casey.email == "casey@example.org"
    assert robin.roles == [Role.ADMIN, Role.PROGRAM_CLINICAL_LEAD] and robin.email is None
    assert lee.roles == [Role.CO_FACILITATOR, Role.PROGRAM_CLINICAL_LEAD]
    assert [m.active for m in parsed.records] == [True, False, True]


def test_every_staff_problem_is_named() -> None:
    text = (f"{STAFF}\n"
            "lead-casey,Casey Example,casey@example.org,312-555-0123,lead,,\n"
            "lead-casey,Casey Again,CASEY@example.org,555,nurse;lead,,maybe\n"
            "x y,,not-an-email,+13125550124,,,\n")
    assert parse_staff(text).errors == [
        "row 3: id lead-casey is also on row 2",
        "row 3, email: CASEY@example.org is also on row 2",
        f"row 3, phone: {PHONE}",
        'row 3, roles: "nurse" is not a role here; write any of lead, co-facilitator, '
        'on call, admin, clinical lead, separated by ";"',
        "row 3, active: yes or no (empty means yes)",
        "row 4, id: letters, digits, '.', '_' and '-' only, no spaces",
        "row 4, name: required",
        "row 4, email: an e-mail address, like casey@example.org",
        "row 4, roles: required",
    ]
    assert parse_staff("id,name,roles\nc1,Casey Example,lead\n").errors == [
        "column 'phone' is missing"]
    assert parse_staff("").errors[0].startswith("the file is empty")


def test_the_examples_in_the_admin_guide_import_cleanly() -> None:
    guide = (ROOT / "docs" / "admin.md").read_text()
    clients_csv, staff_csv = re.findall(r"```csv\n(.*?)```", guide, re.S)
    parsed = parse_clients(clients_csv, {})
    assert parsed.errors == [] and len(parsed.records) == 2
    assert parsed.records[0].emergency_contacts[0].consent == ["callback_ladder",
                                                               "notify_crisis"]
    staff = parse_staff(staff_csv)
    assert staff.errors == [] and [m.active for m in staff.records] == [True, True, False]
