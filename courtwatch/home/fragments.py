"""Parts of the layout drawn once per look and shared by every page that shows the same one.

Every signed-in page draws the same menu (a dozen links, each a ``url_for`` and a translation)
and the same offline report-queue notice (ten translated strings); on /shifts the two were about
7 % of the page's CPU. What they show depends only on the viewer's role, the page's endpoint (the
menu marks the current one), the language and the script root, so they are kept per process
under exactly that key, as the shift cards are (``shifts/card_cache.py``), and nothing needs
invalidating: another role, page or language is another key.

A template marks such a part with ``{% call layout_fragment("menu", key...) %}...{% endcall %}``.
The only per-session content, the CSRF token of the menu's log-out form, is drawn as
``CSRF_SLOT`` and put in on the way out. Nothing about a particular person is kept: the key
holds role flags, not an id, and whole pages are never stored.
"""

from __future__ import annotations

import threading

from flask import request
from flask_babel import get_locale
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

# Contains "<", which any text drawn in a fragment would have escaped: no wording can forge it.
CSRF_SLOT = Markup("<csrf-slot>")
MAX_FRAGMENTS = 512  # roles × pages × languages: a few hundred at most


class HtmlStore:
    """A bounded, thread-safe map of key -> HTML; the oldest entry goes first when full.
    The layout's fragments here and the shift cards (``shifts/card_cache.py``) each keep one."""

    def __init__(self, size: int):
        self.size = size
        self._html: dict[tuple, str] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple) -> str | None:
        return self._html.get(key)

    def put(self, key: tuple, html: str) -> None:
        with self._lock:
            if len(self._html) >= self.size:
                self._html.pop(next(iter(self._html)), None)
            self._html[key] = html

    def clear(self) -> None:
        with self._lock:
            self._html.clear()

    def __len__(self) -> int:
        return len(self._html)

    def keys(self) -> list[tuple]:
        return list(self._html)


def with_token(html: str, token: str) -> Markup:
    """Stored HTML with this session's CSRF token where it was drawn as ``CSRF_SLOT``."""
    return Markup(html.replace(CSRF_SLOT, escape(token)))


fragments = HtmlStore(MAX_FRAGMENTS)


def layout_fragment(name: str, *key, caller) -> Markup:
    """The fragment drawn by the call block (``caller``), from the store when already drawn for
    this key, the language and the script root."""
    full_key = (name, *key, str(get_locale()), request.script_root)
    html = fragments.get(full_key)
    if html is None:
        html = str(caller())
        fragments.put(full_key, html)
    # Only a fragment holding the slot asks for a token: asking may start a session.
    return with_token(html, generate_csrf()) if CSRF_SLOT in html else Markup(html)
