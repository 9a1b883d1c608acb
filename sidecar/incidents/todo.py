"""One task list for an incident (pure): the emergency protocol's steps once it runs, and
the triage checklist's actions that are not the same work as a step, each with its due time
and who did it when; a proactive check-in that came due and has no outcome yet. Panels
show this list instead of two that overlap."""

from __future__ import annotations

from typing import Any

from sidecar.incidents.model import LINKED, STEPS, Incident, Tick


def _done(tick: Tick | None) -> dict[str, Any] | None:
    return tick.model_dump(mode="json") if tick else None


def _steps(incident: Incident, due_of: dict[str, int]) -> list[dict[str, Any]]:
    started = incident.emergency_ms or 0
    same = {step: check for check, step in LINKED.items()}
    return [{"key": key, "kind": "step", "title": title,
             "due_ms": due_of.get(same.get(key, ""), started),
             "done": _done(incident.steps.get(key))} for key, title in STEPS.items()]


def to_do(incident: Incident) -> list[dict[str, Any]]:
    """Soonest first (ties keep the protocol's order, then the checklist's). A checklist
    action linked to a step appears once, as the step, while the protocol runs."""
    due_of = {c.key: c.due_ms for c in incident.checklist}
    running = incident.emergency_ms is not None
    rows = _steps(incident, due_of) if running else []
    rows += [{"key": c.key, "kind": "check", "title": c.title, "due_ms": c.due_ms,
              "done": _done(incident.ticks.get(c.key))}
             for c in incident.checklist if not (running and c.key in LINKED)]
    rows += [{"key": c.id, "kind": "checkin", "title": "Check-in due: call the client now",
              "due_ms": c.due_ms, "done": None, "assignee": c.assignee}
             for c in incident.proactive if c.fired_ms is not None and c.outcome is None
             and c.cancelled is None]
    return sorted(rows, key=lambda row: int(row["due_ms"]))
