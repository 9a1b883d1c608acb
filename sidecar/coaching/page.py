"""One coaching page as a complete HTML page: readable on a phone, printable, the
program's crisis line at the top like every client page, the body rendered safely
(``render``). Styles come from /static/coaching.css (the CSP allows no inline style)."""

from __future__ import annotations

from html import escape

from sidecar.checkin.page import crisis_link
from sidecar.coaching.model import Page
from sidecar.coaching.render import render


def page_html(page: Page, *, back_href: str, crisis_line: str = "988",
              back_label: str = "Back") -> str:
    """``back_href``: where "Back" goes (the caregiver's list, or the admin page);
    ``crisis_line``: the program's (``program.crisis_line``)."""
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(page.title)}</title>"
        '<link rel="stylesheet" href="/static/coaching.css"></head><body>'
        '<header class="help"><p class="crisis">If someone is not safe, call or text '
        f"{crisis_link(crisis_line)}.</p></header>"
        f'<main><p class="back"><a href="{escape(back_href)}">{escape(back_label)}</a></p>'
        f'<article><h1>{escape(page.title)}</h1><p class="summary">{escape(page.summary)}</p>'
        f'<div class="body">{render(page.body)}</div></article></main></body></html>')
