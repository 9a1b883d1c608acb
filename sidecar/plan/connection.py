"""The connection-lost plan in plain words (pure): what happens if the client's video drops
during a group session, built from the program's callback policy and the client's own
consents, in the order the callback ladder works (sidecar/callbacks/ladder.py)."""

from __future__ import annotations

from datetime import date

from sidecar.clinical.consent import first_name
from sidecar.infra.config import ProgramConfig
from sidecar.plan.resources import readable
from sidecar.plan.view import current_scopes
from sidecar.records.model import ClientRecord


def _times(n: int) -> str:
    return {1: "once", 2: "twice"}.get(n, f"{n} times")


def _callers(record: ClientRecord, today: date) -> list[str]:
    return [f"{c.name}" + (f" ({c.relation})" if c.relation else "")
            for c in record.emergency_contacts if "callback_ladder" in current_scopes(c, today)]


def _step(record: ClientRecord, today: date, action: str, attempts: int) -> str:
    if action == "call_client":
        return f"If you do not answer, we try your phone {_times(attempts)} in all."
    if action == "call_support":
        people = _callers(record, today)
        if not people:
            return ("You have not named anyone we may call when we cannot reach you. Tell "
                    "your care team if you would like to.")
        return (f"If we still cannot reach you, we call {' and '.join(people)}, as you "
                "agreed, to help us reach you.")
    return ("If we still cannot reach you and we are worried about your safety, a clinician "
            "may ask emergency services near the address you gave at check-in to check on "
            "you.")


def connection_lost(config: ProgramConfig, record: ClientRecord, today: date) -> list[str]:
    """What happens, step by step, as sentences to the client."""
    policy, program = config.callback_policy, config.program
    within = int(policy.deadline_seconds)
    ending = record.callback_phone[-4:]
    from_ = (f" from {readable(program.callback_number)}" if program.callback_number else "")
    said = [f"If your video drops during a group session, we call you within {within} "
            f"seconds on the number we have for you (ending {ending}){from_}. "
            "Please pick up: it is your care team."]
    if policy.text_client and record.sms_consent:
        said.append("We also text you a link to rejoin. Reply 1 if you are OK, 2 if you "
                    "want a call.")
    for step in policy.steps:
        said.append(_step(record, today, step.action, step.attempts))
    if program.callback_number:
        said.append(f"If you leave on purpose or see a missed call from us, call us back on "
                    f"{readable(program.callback_number)}.")
    return said


def client_first(record: ClientRecord) -> str:
    return first_name(record.name)
