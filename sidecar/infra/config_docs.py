"""The program's configuration as the documents an admin edits one at a time (pure).

``program`` (name, zone, numbers), ``staff``, ``groups``, ``on_call`` (the schedule) and
``policies`` together make one :class:`ProgramConfig`. A change to one document is checked
as the whole configuration it would make, so a group can never name a person who is not on
the staff list; each problem is named by its path inside the document being saved.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from sidecar.infra.config import ProgramConfig
from sidecar.infra.validation import plain_problems

DOCUMENTS: tuple[str, ...] = ("program", "staff", "groups", "on_call", "policies")
POLICY_FIELDS: tuple[str, ...] = ("callback_policy", "recording_policy", "checkin_policy",
                                  "telephony", "triage_policy", "aftercare_policy",
                                  "proactive_policy", "part2_program", "records",
                                  "privacy_prompts", "plan_links", "deescalation")
# where each document sits in the program file
_FIELD = {"program": "program", "staff": "staff", "groups": "meetings",
          "on_call": "on_call_schedule"}


class DocumentProblems(Exception):
    """A document that cannot be saved: ``fields`` maps a path in the document ("0.phone",
    or "(top level)") to what is wrong with it, in plain words."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in fields.items()))
        self.fields = fields

    @property
    def sentences(self) -> list[str]:
        return [f"{k}: {v}" for k, v in self.fields.items()]


def split(config: ProgramConfig) -> dict[str, Any]:
    """Each document's body (JSON-ready)."""
    whole = config.model_dump(mode="json")
    out: dict[str, Any] = {doc: whole[field] for doc, field in _FIELD.items()}
    out["policies"] = {f: whole[f] for f in POLICY_FIELDS}
    return out


def _raw(bodies: dict[str, Any]) -> dict[str, Any]:
    raw: dict[str, Any] = {field: bodies[doc] for doc, field in _FIELD.items()}
    policies = bodies["policies"]
    if not isinstance(policies, dict):
        raise DocumentProblems({"(top level)": "should be an object with named fields"})
    unknown = sorted(set(policies) - set(POLICY_FIELDS))
    if unknown:
        raise DocumentProblems({k: "not a field here (check the spelling)" for k in unknown})
    raw.update(policies)
    return raw


def _inside(doc: str, loc: tuple[int | str, ...]) -> tuple[int | str, ...] | None:
    """The path inside ``doc`` of a problem found at ``loc`` in the whole file, or None
    when the problem is in another document."""
    if doc == "policies":
        return loc if loc and loc[0] in POLICY_FIELDS else None
    field = _FIELD[doc]
    return loc[1:] if loc and loc[0] == field else None


def _still_named(config: ProgramConfig, staff: list[Any]) -> dict[str, str]:
    """A person removed from the staff list while a group or a shift still names them."""
    kept = {s.get("id") for s in staff if isinstance(s, dict)}
    out: list[str] = []
    for m in config.meetings:
        for role, words in (("lead", "leads"), ("co_facilitator", "co-facilitates"),
                            ("connection_lost_responder", "answers dropped calls for")):
            who = getattr(m, role)
            if who and who not in kept:
                name = config.staff_by_id(who)
                out.append(f"{name.name if name else who} {words} {m.name}: choose someone "
                           "else there first, or untick Active instead of removing them")
    for shift in config.on_call_schedule:
        if shift.staff not in kept:
            name = config.staff_by_id(shift.staff)
            out.append(f"{name.name if name else shift.staff} has on-call shifts: remove "
                       "them from the schedule first, or untick Active instead")
    return {"(top level)": "; ".join(dict.fromkeys(out))} if out else {}


def with_document(current: ProgramConfig, doc: str, body: Any) -> ProgramConfig:
    """The whole configuration with ``doc`` replaced by ``body``; DocumentProblems naming
    every problem by its path inside ``doc``."""
    if doc not in DOCUMENTS:
        raise KeyError(doc)
    bodies = split(current)
    bodies[doc] = body
    if doc == "staff" and isinstance(body, list):
        gone = _still_named(current, body)
        if gone:
            raise DocumentProblems(gone)
    try:
        config = ProgramConfig.model_validate(_raw(bodies))
    except ValidationError as exc:
        fields: dict[str, str] = {}
        elsewhere: list[str] = []
        for loc, message in plain_problems(exc):
            inside = _inside(doc, loc)
            if inside is None and loc:
                elsewhere.append(message)
            else:
                fields.setdefault(".".join(map(str, inside or ())) or "(top level)", message)
        if elsewhere and not fields:
            fields["(top level)"] = "; ".join(elsewhere)
        refs = _references_raw(bodies, doc)
        if refs:  # the whole-file check said it without the field: say it at the field
            fields.pop("(top level)", None)
        raise DocumentProblems(refs | fields) from exc
    return config


def _references_raw(bodies: dict[str, Any], doc: str) -> dict[str, str]:
    """The whole-file check ("names unknown staff") says which group but not which field:
    find the field when the document is well formed enough to look."""
    if doc not in ("groups", "on_call"):
        return {}
    staff = bodies.get("staff") or []
    ids = {s.get("id") for s in staff if isinstance(s, dict)}
    out: dict[str, str] = {}
    rows = bodies[doc] if isinstance(bodies[doc], list) else []
    roles = (("lead", "co_facilitator", "connection_lost_responder") if doc == "groups"
             else ("staff",))
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            continue
        for role in roles:
            who = row.get(role)
            if who and who not in ids:
                out[f"{i}.{role}"] = f"nobody on the staff list has the id {who!r}"
    return out


def join(bodies: dict[str, Any]) -> ProgramConfig:
    """The configuration the stored documents make (ValidationError if they do not)."""
    return ProgramConfig.model_validate(_raw(bodies))
