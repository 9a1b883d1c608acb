"""Coaching Markdown as HTML: hostile input parsed back with an HTML parser, so what is
checked is what a browser would build, not a string that happens to match."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from sidecar.coaching.defaults import DEFAULTS
from sidecar.coaching.render import nodes, render

ALLOWED = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "em", "strong", "a",
           "blockquote", "code", "hr", "br"}


class Dom(HTMLParser):
    """Every element and attribute the output makes, and its text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        self.text += data


def dom(markdown: str) -> Dom:
    d = Dom()
    d.feed(render(markdown))
    d.close()
    return d


def assert_safe(d: Dom) -> None:
    for tag, attrs in d.elements:
        assert tag in ALLOWED, tag
        for name, value in attrs.items():
            assert not name.startswith("on"), name
            assert name in ("href", "start"), name
            if name == "href":
                assert value is not None
                assert value.startswith(("https:", "mailto:", "tel:", "/", "#")), value
                assert not value.startswith("//"), value


HOSTILE = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example.org/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<a href=\"https://example.org\" onclick=\"alert(1)\">hi</a>",
    "<div style=\"background:url(javascript:alert(1))\">x</div>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](java\tscript:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](javascript&colon;alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](vbscript:msgbox(1))",
    "[click](http://example.org)",
    "[click](//evil.example.org/path)",
    "[click](/\\evil.example.org)",
    "<javascript:alert(1)>",
    "<data:text/html,hi>",
    "![pic](https://example.org/p.png)",
    "![pic](javascript:alert(1))",
    "[link]: javascript:alert(1)\n\n[link]",
    "**<b onmouseover=alert(1)>bold</b>**",
    "> <iframe src=https://evil.example.org></iframe>\n> - [x](data:,y)",
    "<svg><script>alert(1)</script></svg>",
    "<!-- comment --><style>body{}</style>",
    "*[nested [a](javascript:x) link](https://example.org)*",
    "&lt;script&gt;alert(1)&lt;/script&gt; &#60;script&#62;",
    "```\n<script>alert(1)</script>\n```",
    "    <script>alert(1)</script>",
]


@pytest.mark.parametrize("markdown", HOSTILE)
def test_hostile_markdown_makes_no_script_handler_or_dangerous_link(markdown: str) -> None:
    d = dom(markdown)
    assert_safe(d)
    assert not any(tag in ("script", "img", "iframe", "svg", "style") for tag, _ in d.elements)


def test_raw_html_is_shown_as_the_text_it_is() -> None:
    d = dom("Say <script>alert(1)</script> & <b>this</b>")
    assert d.elements == [("p", {})]
    assert d.text.strip() == "Say <script>alert(1)</script> & <b>this</b>"


def test_entities_stay_text_and_never_become_markup() -> None:
    d = dom("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#60;b&#62;")
    assert [t for t, _ in d.elements] == ["p"]
    assert d.text.strip() == "<script>alert(1)</script> & <b>"


def test_a_link_elsewhere_keeps_its_words_as_plain_text() -> None:
    for target in ("javascript:alert(1)", "data:text/html,hi", "http://example.org",
                   "//evil.example.org"):
        d = dom(f"Call [the team]({target}) now")
        assert [t for t, _ in d.elements] == ["p"], target
        assert "the team" in d.text


def test_allowed_links_and_blocks_survive() -> None:
    d = dom("# Help\n\n> *Stay* **close**\n\n1. [988](tel:988)\n2. [mail](mailto:team@example.org)"
            "\n\n- [site](https://example.org) and [here](/coaching/calming-down)")
    tags = [t for t, _ in d.elements]
    for tag in ("h1", "blockquote", "em", "strong", "ol", "ul", "li"):
        assert tag in tags
    hrefs = [a["href"] for t, a in d.elements if t == "a"]
    assert hrefs == ["tel:988", "mailto:team@example.org", "https://example.org",
                     "/coaching/calming-down"]


def test_images_are_off() -> None:
    d = dom("![a person](https://example.org/p.png)")
    assert "img" not in [t for t, _ in d.elements]


def test_nodes_are_the_same_page_as_data() -> None:
    tree = nodes(render("## Hi\n\nA [link](https://example.org) <b>x</b>"))
    assert tree == [{"tag": "h2", "children": ["Hi"]},
                    {"tag": "p", "children": ["A ", {"tag": "a", "href": "https://example.org",
                                                     "children": ["link"]}, " <b>x</b>"]}]


@pytest.mark.parametrize("page_id", list(DEFAULTS))
def test_the_default_pages_render_safely_with_headings_and_the_crisis_line(page_id: str) -> None:
    d = dom(DEFAULTS[page_id].body)
    assert_safe(d)
    assert "h2" in [t for t, _ in d.elements]
    assert "crisis line" in d.text
