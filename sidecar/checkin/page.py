"""The client's pages as HTML: the check-in form with the program's crisis line and its
required fields, and the plain page for a link that is altered or past its time.

Every page a client sees says how to reach the crisis line (``program.crisis_line``, 988 by
default) as a ``tel:`` link; values from the configuration are escaped."""

from __future__ import annotations

import re
from html import escape
from importlib import resources

from sidecar.checkin.privacy_page import FORM_SLOT, form_prompts
from sidecar.infra.config import Program, ProgramConfig

_STATIC = resources.files("sidecar.web") / "static"
# the crisis line as checkin.html ships it; the program's own replaces it
DEFAULT_CRISIS = '<a class="crisis-line" href="tel:988">988</a>'
_OPTIONAL = '<span class="optional" data-field="{field}">(optional)</span>'
MARKED_OPTIONAL = ("location.unit", "note")


def crisis_link(line: str) -> str:
    """``<a href="tel:...">`` for the crisis line as the program writes it ("988")."""
    dial = re.sub(r"[^0-9+]", "", line) or "988"
    return f'<a class="crisis-line" href="tel:{escape(dial)}">{escape(line)}</a>'


def form_html(config: ProgramConfig) -> str:
    """checkin.html with the program's crisis line and privacy prompts; a field the program
    requires loses its "(optional)"."""
    page = (_STATIC / "checkin.html").read_text(encoding="utf-8")
    page = page.replace(DEFAULT_CRISIS, crisis_link(config.program.crisis_line))
    page = page.replace(FORM_SLOT, form_prompts(config), 1)
    for field in MARKED_OPTIONAL:
        if field in config.checkin_policy.required.required:
            page = page.replace(_OPTIONAL.format(field=field), "")
    return page


def refusal_html(title: str, reason: str, program: Program) -> str:
    """The page for a link that cannot open: what happened, what to do next, the crisis
    line. ``reason`` is the link check's own sentence ("this link has expired")."""
    said = reason[:1].upper() + reason[1:]
    number = program.callback_number
    call = (f' or call <a href="tel:{escape(number)}">{escape(number)}</a>' if number else "")
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>{escape(title)}</title><link rel="stylesheet" href="/static/checkin.css">'
        '</head><body><main class="refusal">'
        '<p class="crisis">If you are not safe, call or text '
        f"{crisis_link(program.crisis_line)}.</p>"
        f"<h1>{escape(title)}</h1><p>{escape(said)}.</p>"
        "<h2>What to do next</h2><p>Ask your care team to text you a new link: reply to "
        f"their last text{call}.</p>"
        "</main></body></html>")
