"""A plan page as HTML, rendered on the server (a page without live state; every value
escaped). ``compose`` takes only what the viewer may see, so ``render`` cannot show more:
a caregiver without ``receive_safety_plan`` gets a page with no plan in it at all."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from html import escape

from sidecar.checkin.page import crisis_link
from sidecar.infra.config import ProgramConfig
from sidecar.plan.connection import client_first, connection_lost
from sidecar.plan.resources import Resource, readable, resources
from sidecar.plan.view import PLAN_SECTIONS, Section, sections_for, when_contacted
from sidecar.records.directory import Directory
from sidecar.records.model import ClientRecord, EmergencyContact


@dataclass(frozen=True)
class CoachingLink:
    """A coaching page attached to this caregiver: where it opens, and whether they have."""

    href: str
    title: str
    summary: str
    read: bool


@dataclass(frozen=True)
class PlanPage:
    program: str
    crisis_line: str
    title: str
    intro: str
    sections: list[Section]
    plan: list[tuple[str, list[str]]] = field(default_factory=list)  # heading, lines
    reviewed: date | None = None
    code_words: list[str] = field(default_factory=list)
    client_first: str = ""
    contacted: list[str] = field(default_factory=list)
    resources: list[Resource] = field(default_factory=list)
    connection_lost: list[str] = field(default_factory=list)
    expires: date | None = None
    coaching: list[CoachingLink] = field(default_factory=list)


def compose(config: ProgramConfig, directory: Directory, record: ClientRecord,
            contact: EmergencyContact | None, today: date, expires: date,
            coaching: list[CoachingLink] | None = None) -> PlanPage:
    shown = sections_for(contact, today)
    first = client_first(record)
    plan = record.safety_plan
    program = config.program
    if contact is None:
        title, intro = (f"{first}'s safety plan",
                        f"Your plan, from your care team at {program.name}. Keep it where "
                        "you can find it.")
    else:
        title, intro = (f"Supporting {first}",
                        f"For {contact.name}, from {first}'s care team at {program.name}.")
    return PlanPage(
        program=program.name, crisis_line=program.crisis_line, title=title, intro=intro,
        sections=shown, client_first=first, expires=expires,
        plan=[(h, list(getattr(plan, k))) for k, h in PLAN_SECTIONS if getattr(plan, k)]
        if "plan" in shown else [],
        reviewed=plan.last_reviewed if "plan" in shown else None,
        code_words=list(record.code_words) if "code_words" in shown else [],
        contacted=when_contacted(contact, first, today) if contact else [],
        resources=resources(program, directory, record.location),
        connection_lost=connection_lost(config, record, today) if contact is None else [],
        coaching=list(coaching or []) if "coaching" in shown else [])


def _tel(number: str) -> str:
    dial = re.sub(r"[^0-9+]", "", number)
    shown = escape(readable(number))
    return f'<a href="tel:{escape(dial)}">{shown}</a>' if dial else shown


def _list(items: list[str], tag: str = "ul") -> str:
    return f"<{tag}>" + "".join(f"<li>{escape(i)}</li>" for i in items) + f"</{tag}>"


def _section(key: str, heading: str, body: str) -> str:
    return (f'<section class="{key}" aria-labelledby="{key}-title">'
            f'<h2 id="{key}-title">{escape(heading)}</h2>{body}</section>')


def _plan(p: PlanPage) -> str:
    if not p.plan:
        return _section("plan", "Safety plan", "<p>Your care team has not written this plan "
                        "down yet. Ask them about it at your next session.</p>")
    parts = "".join(f"<h3>{escape(h)}</h3>{_list(lines)}" for h, lines in p.plan)
    when = (f'<p class="reviewed">Last reviewed {p.reviewed:%-d %B %Y}.</p>'
            if p.reviewed else "")
    return _section("plan", "Safety plan", parts + when)


def _code_words(p: PlanPage) -> str:
    them = escape(p.client_first)
    return _section("code-words", f"{p.client_first}'s code words", (
        f"<p>If {them} says or texts one of these, they are telling you they are not safe or "
        "cannot talk freely. Stay calm, do not repeat the words aloud, and call their care "
        "team or the crisis line.</p>" + _list(p.code_words)))


def _resources(p: PlanPage) -> str:
    rows = "".join(
        f'<li><span class="what">{escape(r.what)}</span> '
        + (f'<span class="name">{escape(r.name)}</span> ' if r.name else "")
        + f'<span class="number">{_tel(r.number)}</span>'
        + (f' <span class="note">{escape(r.note)}</span>' if r.note else "") + "</li>"
        for r in p.resources)
    return _section("resources", "Where to turn", f'<ul class="resources">{rows}</ul>')


def _coaching(p: PlanPage) -> str:
    """The short guides the care team attached for this caregiver (sidecar/coaching)."""
    if not p.coaching:
        body = (f"<p>{escape(p.client_first)}'s care team can add short guides here for you. "
                "There are none yet.</p>")
    else:
        body = '<ul class="coaching-list">' + "".join(
            f'<li><a href="{escape(c.href)}">{escape(c.title)}</a>'
            + (' <span class="new">New</span>' if not c.read else "")
            + f'<span class="summary">{escape(c.summary)}</span></li>' for c in p.coaching
        ) + "</ul>"
    return ('<section class="coaching" id="coaching" aria-labelledby="coaching-title" '
            f'data-slot="coaching"><h2 id="coaching-title">Coaching for you</h2>{body}'
            "</section>")


def _body(p: PlanPage) -> str:
    out: list[str] = []
    for s in p.sections:
        if s == "plan":
            out.append(_plan(p))
        elif s == "code_words":
            out.append(_code_words(p))
        elif s == "when_contacted":
            out.append(_section("contacted", "When we may contact you", _list(p.contacted)))
        elif s == "resources":
            out.append(_resources(p))
        elif s == "connection_lost":
            out.append(_section("connection", "If your video drops in a session",
                                _list(p.connection_lost, "ol")))
        else:
            out.append(_coaching(p))
    return "".join(out)


def render(p: PlanPage) -> str:
    until = (f" This link opens until {p.expires:%-d %B %Y}." if p.expires else "")
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>{escape(p.title)}</title>"
        '<link rel="stylesheet" href="/static/plan.css"></head><body><main class="plan-page">'
        f'<p class="crisis">If you are not safe, call or text {crisis_link(p.crisis_line)}.</p>'
        f'<h1>{escape(p.title)}</h1><p class="intro">{escape(p.intro)}</p>'
        f"{_body(p)}"
        f'<footer><p>From {escape(p.program)}. Please keep this page private.{until}</p>'
        "</footer></main></body></html>")
