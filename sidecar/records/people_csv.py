"""Client records and staff from a spreadsheet (CSV). Pure: text in, validated records and
every problem out, each naming its row and column ("row 3, callback_phone: ...").

Client columns: ``id``, ``name``, ``callback_phone`` (required); ``sms_consent`` (yes/no,
empty is no); the address ``street``, ``unit``, ``city``, ``region``, ``postal_code``,
``country``, ``room`` (all of street, city, region, postal_code and country, or none);
``zoom_display_names`` and ``zoom_emails`` (several separated by ";"); up to two contacts,
``contact1_name``, ``contact1_relation``, ``contact1_phone``, ``contact1_consent`` (scope
names or their words, separated by ";") and ``contact2_...`` alike.

Staff columns: ``id``, ``name``, ``phone``, ``roles`` (required; roles by name or in words,
separated by ";"); ``email``, ``zoom_emails``, ``zoom_user_ids`` (";"), ``active`` (yes/no,
empty is yes).

Phone numbers are E.164 (+13125550142) or US numbers as people write them ((312) 555-0142,
312-555-0142), which become +1 numbers. A row for a client already on file keeps what the
file has no column for: the clinical sections (safety plan, considerations, code words),
registrant ids and Zoom uids, a contact's consent dates, contacts past the file's two.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic_core import ErrorDetails

from sidecar.infra.config import Role, Staff
from sidecar.records.model import ClientRecord, ConsentScope, EmergencyContact, Location
from sidecar.records.sheet import (
    Problems,
    Row,
    Sheet,
    phone,
    plain,
    read,
    validated,
    values,
    yes_no,
)

REQUIRED = ("id", "name", "callback_phone")
ADDRESS = ("street", "unit", "city", "region", "postal_code", "country", "room")
ADDRESS_NEEDED = ("street", "city", "region", "postal_code", "country")
CONTACT_PARTS = ("name", "relation", "phone", "consent")
SLOTS = (1, 2)
CONTACT_COLUMNS = tuple(f"contact{n}_{p}" for n in SLOTS for p in CONTACT_PARTS)
CLIENT_COLUMNS = (*REQUIRED, "sms_consent", *ADDRESS, "zoom_display_names", "zoom_emails",
                  *CONTACT_COLUMNS)
_CLIENT_ORDER = ("", *REQUIRED, "sms_consent", "address", *CLIENT_COLUMNS[4:])
STAFF_COLUMNS = ("id", "name", "email", "phone", "roles", "zoom_emails", "zoom_user_ids",
                 "active")
STAFF_REQUIRED = ("id", "name", "phone", "roles")

SCOPE_WORDS: dict[ConsentScope, str] = {
    "callback_ladder": "may be called when we cannot reach the client",
    "notify_crisis": "may be told about a crisis",
    "receive_safety_plan": "may receive a copy of the safety plan",
    "responders_may_call": "responders may phone them",
    "aftercare": "may get a check-in call after a crisis",
}
_SCOPES: dict[str, ConsentScope] = {plain(k): k for k in SCOPE_WORDS} | {
    plain(v): k for k, v in SCOPE_WORDS.items()}
ROLE_WORDS: dict[Role, tuple[str, ...]] = {
    Role.LEAD: ("lead", "leads groups"),
    Role.CO_FACILITATOR: ("co-facilitator", "cofacilitator", "co-facilitates groups"),
    Role.ON_CALL: ("on call", "takes on-call shifts"),
    Role.ADMIN: ("admin", "program admin", "program admin (no clinical content)"),
    Role.PROGRAM_CLINICAL_LEAD: ("clinical lead", "clinical lead (all groups)"),
}
_ROLES: dict[str, Role] = {plain(w): r for r, ws in ROLE_WORDS.items()
                           for w in (r.value, *ws)}


@dataclass(frozen=True)
class ClientRows:
    records: list[ClientRecord]  # the rows that are right (store them only without errors)
    errors: list[str]
    rows: list[int]  # the spreadsheet row of each record
    created: list[str]  # ids not on file
    updated: list[str]  # ids on file, whose records these replace

    def label(self, position: int) -> str:
        """How a problem names ``records[position]``: ``"row 3, "``."""
        return f"row {self.rows[position]}, "


@dataclass(frozen=True)
class StaffRows:
    records: list[Staff]
    errors: list[str]
    rows: list[int]  # the spreadsheet row of each record


def _client_needs(columns: frozenset[str]) -> list[str]:
    needs = list(REQUIRED)
    if columns & set(ADDRESS):
        needs += ADDRESS_NEEDED
    for n in SLOTS:
        if any(f"contact{n}_{p}" in columns for p in CONTACT_PARTS):
            needs += [f"contact{n}_name", f"contact{n}_phone"]
    return needs


def client_ids(text: str) -> list[str]:
    """The ids a file of clients names (to look up the records on file first)."""
    sheet = read(text, CLIENT_COLUMNS, _client_needs)
    return list(dict.fromkeys(r["id"] for r in sheet.rows if r["id"]))


def _same_id(row: Row, first: dict[str, int], problems: Problems) -> None:
    if row["id"] in first:
        problems.add("", f"id {row['id']} is also on row {first[row['id']]}")
    elif row["id"]:
        first[row["id"]] = row.number


def parse_clients(text: str, existing: Mapping[str, ClientRecord]) -> ClientRows:
    """Every row of ``text`` as a ClientRecord; ``existing`` are the records on file for
    the ids in it (see ``client_ids``)."""
    sheet = read(text, CLIENT_COLUMNS, _client_needs)
    errors, records, rows = list(sheet.errors), [], []
    first: dict[str, int] = {}
    for row in sheet.rows:
        problems = Problems(row.number, _CLIENT_ORDER)
        _same_id(row, first, problems)
        record = _client(row, sheet, existing.get(row["id"]), problems)
        errors += problems.sentences()
        if record is not None:
            records.append(record)
            rows.append(row.number)
    return ClientRows(records, errors, rows,
                      created=[r.id for r in records if r.id not in existing],
                      updated=[r.id for r in records if r.id in existing])


def _client(row: Row, sheet: Sheet, old: ClientRecord | None,
            problems: Problems) -> ClientRecord | None:
    fields: dict[str, Any] = dict(old) if old else {}
    for column in REQUIRED:
        fields.pop(column, None)
        if row[column]:
            fields[column] = phone(row[column]) if column == "callback_phone" else row[column]
    if "sms_consent" in sheet.columns:
        fields["sms_consent"] = yes_no(row["sms_consent"], default=False)
        if fields["sms_consent"] is None:
            problems.add("sms_consent", "yes or no (empty means no)")
    for column in ("zoom_display_names", "zoom_emails"):
        if column in sheet.columns:
            fields[column] = values(row[column])
    if sheet.columns & set(ADDRESS):
        fields["location"] = _location(row, problems)
    if sheet.columns & set(CONTACT_COLUMNS):
        fields["emergency_contacts"] = _contacts(
            row, sheet.columns, old.emergency_contacts if old else [], problems)
    record = validated(ClientRecord, fields, problems, _top)
    return None if problems else record


def _top(e: ErrorDetails) -> str:
    return str(e["loc"][0]) if e["loc"] else ""


def _and(words: Sequence[str]) -> str:
    return ", ".join(words[:-1]) + " and " + words[-1] if len(words) > 1 else words[0]


def _location(row: Row, problems: Problems) -> Location | None:
    if not any(row[c] for c in ADDRESS):
        return None
    empty = [c for c in ADDRESS_NEEDED if not row[c]]
    if empty:
        problems.add("address", f"{_and(empty)} {'is' if len(empty) == 1 else 'are'} empty; "
                     f"an address needs {_and(ADDRESS_NEEDED)}, or leave it all empty")
        return None
    cells = {c: row[c] for c in ADDRESS} | {"country": row["country"].upper()}
    return validated(Location, cells, problems, _top)


def _contacts(row: Row, columns: frozenset[str], old: list[EmergencyContact],
              problems: Problems) -> list[EmergencyContact]:
    """The file's contacts; the ones on file past the file's slots stay."""
    slots = [n for n in SLOTS if any(f"contact{n}_{p}" in columns for p in CONTACT_PARTS)]
    new = [c for n in slots if (c := _contact(row, n, old, problems)) is not None]
    phones = {c.phone for c in new}
    return new + [c for c in old[len(slots):] if c.phone not in phones]


def _contact(row: Row, n: int, old: list[EmergencyContact],
             problems: Problems) -> EmergencyContact | None:
    col = {p: f"contact{n}_{p}" for p in CONTACT_PARTS}
    if not any(row[c] for c in col.values()):
        return None
    fields: dict[str, Any] = {"relation": row[col["relation"]],
                              "consent": _scopes(row[col["consent"]], col["consent"], problems)}
    if row[col["name"]]:
        fields["name"] = row[col["name"]]
    if row[col["phone"]]:
        fields["phone"] = phone(row[col["phone"]])
    same = next((c for c in old if c.phone == fields.get("phone")), None)
    if same is not None:  # what the file cannot say about this contact stays
        fields |= {"consent_expires_on": same.consent_expires_on,
                   "speaks_to_responders": same.speaks_to_responders,
                   "shares_code_words": same.shares_code_words,  # (plan pages)
                   "email": same.email}
        if set(same.consent) == set(fields["consent"]):
            fields["consent_given_on"] = same.consent_given_on
    return validated(EmergencyContact, fields, problems,
                     lambda e: f"contact{n}_{e['loc'][0]}" if e["loc"] else col["name"])


def _scopes(cell: str, column: str, problems: Problems) -> list[ConsentScope]:
    found = [(v, _SCOPES.get(plain(v))) for v in values(cell)]
    unknown = [v for v, scope in found if scope is None]
    if unknown:
        words = ", ".join(f'"{w}"' for w in SCOPE_WORDS.values())
        problems.add(column, f'"{unknown[0]}" is not a consent we know; write any of {words} '
                     "(or their short names, like callback_ladder), separated by \";\"")
    return list(dict.fromkeys(s for _, s in found if s is not None))


# ---- staff ------------------------------------------------------------------------------

def _staff_needs(columns: frozenset[str]) -> Sequence[str]:
    return STAFF_REQUIRED


def parse_staff(text: str) -> StaffRows:
    """Every row of ``text`` as a Staff member."""
    sheet = read(text, STAFF_COLUMNS, _staff_needs)
    errors, records, rows = list(sheet.errors), [], []
    first: dict[str, int] = {}
    emails: dict[str, int] = {}
    for row in sheet.rows:
        problems = Problems(row.number, ("", *STAFF_COLUMNS))
        _same_id(row, first, problems)
        email = row["email"].casefold()
        if email in emails:
            problems.add("email", f"{row['email']} is also on row {emails[email]}")
        elif email:
            emails[email] = row.number
        member = _staff(row, problems)
        errors += problems.sentences()
        if member is not None:
            records.append(member)
            rows.append(row.number)
    return StaffRows(records, errors, rows)


def _staff(row: Row, problems: Problems) -> Staff | None:
    fields: dict[str, Any] = {c: row[c] for c in ("id", "name", "email") if row[c]}
    if row["phone"]:
        fields["phone"] = phone(row["phone"])
    if row["roles"]:
        fields["roles"] = _roles(row["roles"], problems)
    for column in ("zoom_emails", "zoom_user_ids"):
        fields[column] = values(row[column])
    active = yes_no(row["active"], default=True)
    if active is None:
        problems.add("active", "yes or no (empty means yes)")
    fields["active"] = active
    member = validated(Staff, fields, problems, _top)
    return None if problems else member


def _roles(cell: str, problems: Problems) -> list[Role]:
    found = [(v, _ROLES.get(plain(v))) for v in values(cell)]
    unknown = [v for v, role in found if role is None]
    if unknown:
        words = ", ".join(ws[0] for ws in ROLE_WORDS.values())
        problems.add("roles", f'"{unknown[0]}" is not a role here; write any of {words}, '
                     'separated by ";"')
    return list(dict.fromkeys(r for _, r in found if r is not None))
