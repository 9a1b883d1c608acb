"""An incident: one client's crisis or emergency in one session, from the first alarm to
the last follow-up. Pure data and pure transitions; the store persists it encrypted.

Every change appends to ``log`` (when, who, what), so the exported report is the record
of who did what when: screens, checklist ticks, protocol steps, contacts and disclosures,
the warm handoff, the closing documentation and each after-action task.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints

from sidecar.clinical.aftercare import AfterActionTask, TaskKind
from sidecar.clinical.consent import Decision, Part2Disclosure
from sidecar.clinical.cssrs import Imminence, Level, Tier
from sidecar.clinical.policy import ChecklistItem
from sidecar.incidents.proactive_model import ProactiveCheckIn

Trigger = Literal["code_word", "need_moment", "screen", "disconnect", "clinician"]
STEPS: dict[str, str] = {
    "keep_visible": "Keep the client on screen and talking (lead)",
    "call_responders": "Call responders for the client's address (the number on the card)",
    "notify_contact": "Notify the emergency contact (where consent allows, or with a reason)",
    "warm_handoff": "Warm handoff to the receiving facility or team",
}
# Checklist actions that are the same work as a protocol step: ticking one ticks the other,
# so the team sees one task list, not two that overlap.
LINKED: dict[str, str] = {
    "emergency_protocol": "call_responders",
    "stay_with_client": "keep_visible",
    "notify_emergency_contact": "notify_contact",
}
Written = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class IncidentError(ValueError):
    """A change the incident's state does not allow (closed, unknown step, ...)."""


class LogEntry(_Model):
    at_ms: int
    by: str
    what: str
    detail: dict[str, Any] = {}


class Screen(_Model):
    at_ms: int
    by: str
    answers: dict[int, bool]
    tier: Tier
    imminence: Imminence
    level: Level


class Tick(_Model):
    at_ms: int
    by: str
    note: str = ""


class ContactRecord(_Model):
    at_ms: int
    by: str
    contact: str
    decision: Decision


class Handoff(_Model):
    at_ms: int
    by: str
    facility: str
    summary: str


class Documentation(_Model):
    """Each part needs words, not just spaces."""

    risk_assessment: Written
    interventions: Written
    outcome: Written


class Task(_Model):
    task: AfterActionTask
    done: Tick | None = None
    overdue_alerted_ms: int | None = None


class Incident(_Model):
    id: str
    meeting: str
    meeting_number: str
    client: str
    trigger: Trigger
    opened_ms: int
    opened_by: str
    level: Level | None = None
    screens: list[Screen] = []
    checklist: list[ChecklistItem] = []
    ticks: dict[str, Tick] = {}  # checklist key -> who ticked it, when
    emergency_ms: int | None = None
    emergency_reason: str | None = None  # why it started (required without a screen)
    roles: dict[str, str] = {}  # role -> staff id
    steps: dict[str, Tick] = {}
    contacts: list[ContactRecord] = []
    disclosures: list[Part2Disclosure] = []
    handoff: Handoff | None = None
    closed_ms: int | None = None
    documentation: Documentation | None = None
    tasks: list[Task] = []
    proactive: list[ProactiveCheckIn] = []  # check-in calls and texts (proactive.py)
    log: list[LogEntry] = []

    @property
    def open(self) -> bool:
        return self.closed_ms is None

    def note(self, at_ms: int, by: str, what: str, **detail: Any) -> None:
        self.log.append(LogEntry(at_ms=at_ms, by=by, what=what, detail=detail))

    def _require_open(self) -> None:
        if not self.open:
            raise IncidentError("this incident is closed")

    def add_screen(self, screen: Screen, checklist: list[ChecklistItem]) -> None:
        """A screen sets the level; the checklist gains the level's actions not yet listed."""
        self._require_open()
        self.screens.append(screen)
        self.level = screen.level
        have = {c.key for c in self.checklist}
        self.checklist += [c for c in checklist if c.key not in have]
        self.note(screen.at_ms, screen.by, "screen", tier=screen.tier.value,
                  level=screen.level.value)

    def tick(self, key: str, at_ms: int, by: str, note: str = "") -> None:
        self._require_open()
        if key not in {c.key for c in self.checklist}:
            raise IncidentError(f"no checklist item {key!r}")
        if key not in self.ticks:
            self.ticks[key] = Tick(at_ms=at_ms, by=by, note=note)
            self.note(at_ms, by, "checklist", key=key)
        if key in LINKED and self.emergency_ms is not None and LINKED[key] not in self.steps:
            self.steps[LINKED[key]] = Tick(at_ms=at_ms, by=by, note=note)

    def start_emergency(self, at_ms: int, by: str, roles: dict[str, str],
                        checklist: list[ChecklistItem], reason: str = "") -> bool:
        """False if the protocol is already running (one playbook per incident). Without a
        scored screen the protocol needs a reason (a client who dropped cannot be screened)."""
        self._require_open()
        if self.emergency_ms is not None:
            return False
        if not self.screens and not reason.strip():
            raise IncidentError("say why the emergency protocol starts without a safety check")
        self.emergency_ms = at_ms
        self.emergency_reason = reason.strip() or None
        self.level = Level.EMERGENCY
        self.roles = roles
        have = {c.key for c in self.checklist}
        self.checklist += [c for c in checklist if c.key not in have]
        for check, step in LINKED.items():  # work done before the protocol counts in it
            if check in self.ticks:
                self.steps.setdefault(step, self.ticks[check])
        self.note(at_ms, by, "emergency.started", roles=roles, reason=self.emergency_reason)
        return True

    def step(self, key: str, at_ms: int, by: str, note: str = "") -> None:
        self._require_open()
        if self.emergency_ms is None:
            raise IncidentError("the emergency protocol has not started")
        if key not in STEPS:
            raise IncidentError(f"no protocol step {key!r}; steps: {', '.join(STEPS)}")
        if key not in self.steps:
            self.steps[key] = Tick(at_ms=at_ms, by=by, note=note)
            self.note(at_ms, by, "step", key=key)
        same = next((k for k, v in LINKED.items() if v == key), None)
        if same in {c.key for c in self.checklist} and same not in self.ticks:
            self.ticks[same] = Tick(at_ms=at_ms, by=by, note=note)

    def close(self, at_ms: int, by: str, documentation: Documentation,
              tasks: list[AfterActionTask]) -> None:
        self._require_open()
        self.closed_ms = at_ms
        self.documentation = documentation
        self.tasks = [Task(task=t) for t in tasks]
        self.note(at_ms, by, "closed", tasks=[t.kind.value for t in tasks])

    def task_done(self, kind: TaskKind, at_ms: int, by: str, note: str = "") -> Task:
        found = next((t for t in self.tasks if t.task.kind is kind), None)
        if found is None:
            raise IncidentError(f"no after-action task {kind.value!r} for this incident")
        if found.done is None:
            found.done = Tick(at_ms=at_ms, by=by, note=note)
            self.note(at_ms, by, "task.done", task=kind.value)
        return found
