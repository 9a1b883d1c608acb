"""What the admin API for clients, the locale directory, the on-call week, the
configuration documents and the CSV imports answers."""

from __future__ import annotations

from typing import Any

from pydantic.json_schema import SkipJsonSchema

from sidecar.infra.apidoc import Refusal, Reply
from sidecar.infra.config import OnCallShift
from sidecar.records.directory import Directory
from sidecar.records.model import EmergencyContact, Location


class Imported(Reply):
    imported: int


class ImportedRows(Reply):
    """A CSV import: how many rows, of which new and replaced."""

    imported: int
    created: int
    updated: int


class PlanReview(Reply):
    last_reviewed: str | None  # a date, 2026-10-01
    review_due: str | None
    overdue: bool


class ClientLine(Reply):
    """A client in the admin list: no code words, no address, no numbers."""

    id: str
    name: str
    safety_plan: PlanReview
    contacts: int
    consent_scopes: list[str]
    has_code_words: bool
    address_on_file: bool
    directory_match: str | None


class ClientList(Reply):
    today: str
    clients: list[ClientLine]


class ClientCopy(Reply):
    """A record as the admin page edits it, with its version (the ETag). A clinical lead
    sees the clinical sections and how many code words there are; an admin sees
    ``clinical_fields_hidden`` and ``safety_plan_review`` instead."""

    id: str
    name: str
    callback_phone: str
    location: Location | None
    emergency_contacts: list[EmergencyContact]
    code_words_count: int | SkipJsonSchema[None] = None
    clinical_fields_hidden: list[str] | SkipJsonSchema[None] = None
    safety_plan_review: dict[str, str | None] | SkipJsonSchema[None] = None
    version: int


class CodeWords(Reply):
    code_words: list[str]


class ClientSaved(Reply):
    saved: str  # the client's id
    created: bool
    version: int


class Outdated(Refusal):
    """412: someone saved since this copy was read; ``current`` is their copy (null when
    the record was removed)."""

    current: dict[str, Any] | None


class DirectoryCopy(Directory):
    version: int


class DirectorySaved(Reply):
    saved: bool
    countries: int
    regions: int
    version: int


class Shift(OnCallShift):
    name: str  # the staff member's name


class OnCaller(Reply):
    id: str
    name: str
    phone: str


class OnCall(Reply):
    program: str
    time_zone: str
    local_time: str
    schedule: list[Shift]
    on_call_now: list[OnCaller]
    source: str  # schedule (a shift covers now) or role


class ConfigDocument(Reply):
    """One configuration document: its body (a list or an object, by name) and who saved
    which version when (names and local times, never ids)."""

    name: str
    version: int
    body: Any
    updated_by: str | None
    updated_at: str | None


class ConfigDocuments(Reply):
    version: int  # the configuration's version
    documents: dict[str, ConfigDocument]


class FieldProblems(Refusal):
    """400: every problem as ``path: message``, and by field."""

    fields: dict[str, str]
