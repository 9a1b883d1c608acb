"""Plain pages for the moments around signing in: refused, unknown person, signed out.
Server-rendered from fixed text with every value escaped; no script."""

from __future__ import annotations

from html import escape

from aiohttp import web

_CSS = ("body{font:18px/1.5 system-ui,sans-serif;margin:0;padding:1.5rem;max-width:36rem}"
        "h1{font-size:1.4rem}a{display:inline-block;padding:.6rem 1rem;border:2px solid;"
        "border-radius:.4rem;text-decoration:none;font-weight:600}")


def plain_page(title: str, lines: list[str], *, status: int = 200,
               link: tuple[str, str] | None = None) -> web.Response:
    body = "".join(f"<p>{escape(line)}</p>" for line in lines)
    if link is not None:
        body += f'<p><a href="{escape(link[0])}">{escape(link[1])}</a></p>'
    page = (f'<!doctype html><html lang="en"><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width,initial-scale=1">'
            f"<title>{escape(title)} · Tether</title><style>{_CSS}</style>"
            f"<main><h1>{escape(title)}</h1>{body}</main></html>")
    # its own policy: no script at all, and its one inline style
    return web.Response(text=page, status=status, content_type="text/html", headers={
        "Cache-Control": "no-store",
        "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
                                   "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"})
