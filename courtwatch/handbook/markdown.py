"""Markdown written by staff, turned into HTML that is safe to show to everyone.

markdown-it-py parses (CommonMark, tables, strikethrough); raw HTML in the text is let through the
parser and then cleaned by nh3 (the Ammonia sanitiser) against a short allow-list: no script,
style, iframe or form, no ``on*`` handler or ``style`` attribute, links only to http(s), mailto
and tel. Images are not allowed at all: the card and training pages open offline and must load
nothing from another host (the Content-Security-Policy would refuse it anyway).
"""

from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "strong", "em", "b", "i", "u", "s", "del", "mark", "small",
    "ul", "ol", "li", "blockquote", "code", "pre", "kbd", "a", "abbr",
    "table", "thead", "tbody", "tr", "th", "td", "dl", "dt", "dd",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"align"}, "td": {"align"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
# Dropped with everything inside them, not just their tags: their text is code, not prose.
DROPPED_WITH_CONTENT = {"script", "style", "template", "noscript", "iframe", "object", "textarea", "select"}


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False}).enable(
        ["table", "strikethrough"]
    )


def _shift_headings(html: str) -> str:
    # The page has its own h1; a "# Title" in the text becomes h2 so there is only one h1.
    return html.replace("<h1>", "<h2>").replace("</h1>", "</h2>")


@lru_cache(maxsize=256)
def render_markdown(text: str) -> Markup:
    """Sanitised HTML for the text (memoised: the card is shown far more often than edited)."""
    html = _shift_headings(_parser().render(text or ""))
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags=DROPPED_WITH_CONTENT,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    return Markup(clean)
