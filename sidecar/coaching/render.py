"""Coaching pages' Markdown as safe HTML (pure).

Raw HTML is not markup here: it is shown as the text it is. Headings, paragraphs, lists,
emphasis, block quotes and links are kept; images are off (``![x](y)`` stays text). A link
is kept only to ``https:``, ``mailto:``, ``tel:`` or a path on this site (``/...``, ``#...``);
any other target (``javascript:``, ``data:``, ``http:``, ``//elsewhere``) leaves its words as
plain text. :func:`nodes` gives the same result as data, so the admin page's preview shows
what the server made without putting HTML into the page.
"""

from __future__ import annotations

import re
from functools import cache
from html.parser import HTMLParser
from typing import Any

from markdown_it import MarkdownIt

SCHEMES = ("https:", "mailto:", "tel:")
TAGS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "em", "strong",
                  "a", "blockquote", "code", "hr", "br"})
_ATTRS = {"a": ("href",), "ol": ("start",)}
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):", re.IGNORECASE)


def link_allowed(url: str) -> bool:
    """``https:``, ``mailto:``, ``tel:``, or a path on this site."""
    if not url or any(ord(c) <= 0x20 or c == "\\" for c in url):
        return False
    scheme = _SCHEME.match(url)
    if scheme:
        return (scheme.group(1).lower() + ":") in SCHEMES
    if url.startswith("//"):
        return False
    return url.startswith(("/", "#"))


class _Markdown(MarkdownIt):
    def validateLink(self, url: str) -> bool:  # markdown-it calls it by this name
        return link_allowed(url)


@cache
def _parser() -> MarkdownIt:
    md = _Markdown("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.disable(["image", "html_block", "html_inline", "code", "fence"])
    return md


def render(markdown: str) -> str:
    """The page's Markdown as HTML safe to put in a page."""
    return str(_parser().render(markdown))


class _Tree(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root: list[Any] = []
        self.stack: list[list[Any]] = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in TAGS:
            return
        node: dict[str, Any] = {"tag": tag, "children": []}
        for name, value in attrs:
            if name in _ATTRS.get(tag, ()) and value is not None:
                node[name] = value
        self.stack[-1].append(node)
        if tag not in ("hr", "br"):
            self.stack.append(node["children"])

    def handle_endtag(self, tag: str) -> None:
        if tag in TAGS and tag not in ("hr", "br") and len(self.stack) > 1:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if data.strip() or "\n" not in data:  # not the line breaks between blocks
            self.stack[-1].append(data)


def nodes(html: str) -> list[Any]:
    """Rendered HTML as data: text is a string, an element ``{"tag", "children"}`` (and
    ``href`` on a link, ``start`` on a numbered list); only the tags :func:`render` makes."""
    tree = _Tree()
    tree.feed(html)
    tree.close()
    return tree.root
