"""What the calming-tool and agreement routes answer."""

from __future__ import annotations

from sidecar.infra.apidoc import Reply


class ScriptView(Reply):
    title: str
    text: str


class StepView(Reply):
    words: str  # shown large ("Breathe in")
    seconds: float


class ExerciseView(Reply):
    title: str
    say: str  # what to say before starting
    steps: list[StepView]
    rounds: int


class Tools(Reply):
    """The program's de-escalation tools, grouped by kind, and the agreement form's quick
    picks and usual length (the admin edits them in the ``policies`` document)."""

    name_and_normalise: list[ScriptView]
    grounding: list[ExerciseView]
    targets: list[ScriptView]
    agreement_terms: list[str]
    agreement_minutes: int


class Used(Reply):
    """What the record says ("Used: Box breathing, 4 rounds") and the open incident it was
    also noted on, if any."""

    recorded: str
    incident: str | None


class HappenedView(Reply):
    at_ms: int
    by: str
    by_name: str
    what: str  # made, extended, ended, reminded
    minutes: int | None


class AgreementView(Reply):
    """An agreement with its terms (an audited read): ``state`` running (counting down to
    ``ends_ms``), due (ran out: check in) or ended."""

    id: str
    client: str
    terms: list[str]
    note: str
    minutes: int
    made_ms: int
    made_by: str
    made_by_name: str
    ends_ms: int
    state: str
    ended_ms: int | None
    ended_how: str | None
    reminded_ms: int | None
    history: list[HappenedView]


class Agreements(Reply):
    agreements: list[AgreementView]
    now: int  # the server's clock (ms), for the countdown
