"""What every shift card or row on a page shares, worked out once per page instead of per shift.

/shifts draws up to ``services.PAGE_SIZE`` cards (``shifts/_macros.html``) and /me/shifts up to
150 rows; the shift's page and the JSON answers ``shifts.js`` swaps in draw one card. Drawn the
plain way, each card called url_for two or three times, gettext four or five times, Babel's time
formatter twice and csrf_token once; at 10-40 µs a call on our servers, that was most of the
page's CPU time. A ``ShiftPageKit`` is made once per render and handed to the template as ``kit``:
URL patterns taken from one url_for call per route, the fixed wording translated once (on first
use), the CSRF token once, and times formatted by the memoised formatter with the locale looked
up once.

Nothing in a kit depends on a shift, a sign-up or a count, so it cannot show a stale roster or
another volunteer's state; and it lives for one render only, so it never outlives the request's
language or session.
"""

from __future__ import annotations

from datetime import datetime
from functools import cached_property
from zoneinfo import ZoneInfo

from flask import request, url_for
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from courtwatch.auth.languages import language_name
from courtwatch.home import templating
from courtwatch.shifts import card_cache

# The fixed wording of cards and rows. Kept here rather than in the templates so each string is
# translated once per page, not once per shift; the templates mark up which one goes where.
SHIFT_TEXT = {
    "accompaniment": _l("Accompaniment"),
    "court_watch": _l("Court watch"),
    "cancelled": _l("Cancelled"),
    "full": _l("Full (%(n)s of %(c)s)"),
    "places_taken": _l("%(n)s of %(c)s places taken"),
    "wanted": _l("%(lang)s wanted"),
    "you_speak_it": _l("you speak it"),
    "needs_people": _l("needs people"),
    "on_shift": _l("You're on this shift"),
    "release": _l("Release"),
    "ask_coordinator": _l("Ask a coordinator"),
    "on_waitlist": _l("You're on the waitlist"),
    "leave_waitlist": _l("Leave the waitlist"),
    "needs_training": _l("Needs the training “%(name)s”"),
    "join_waitlist": _l("Join the waitlist"),
    "claim": _l("Claim"),
    # rows of /me/shifts
    "waitlist": _l("Waitlist"),
    "claimed": _l("Claimed"),
    "no_show": _l("no-show"),
    "hours": _l("%(h)s h"),
}

# A shift id no row will have; its digits mark where the id goes in a URL made by url_for.
_PLACEHOLDER_ID = 987_654_321_012_345


class ShiftText:
    """The wording in this request's language, each string translated on first use.

    Values are Markup, as the template's ``_()`` gave them: the translation itself is trusted,
    and ``%(n)s`` placeholders are filled with the template's ``format`` filter, which escapes
    what goes in.
    """

    def __getattr__(self, name: str) -> Markup:
        if name not in SHIFT_TEXT:
            raise AttributeError(name)
        value = Markup(str(SHIFT_TEXT[name]))
        setattr(self, name, value)
        return value


class ShiftUrl:
    """url_for(endpoint, shift_id=...) for many ids at the cost of one url_for call."""

    def __init__(self, endpoint: str):
        self.endpoint = endpoint
        url = url_for(endpoint, shift_id=_PLACEHOLDER_ID)
        marker = str(_PLACEHOLDER_ID)
        # Anything unusual (the marker twice, or not at all) falls back to url_for every time.
        self.parts = url.split(marker) if url.count(marker) == 1 else None

    def __call__(self, shift_id: int) -> str:
        if self.parts is None:
            return url_for(self.endpoint, shift_id=shift_id)
        return f"{self.parts[0]}{int(shift_id)}{self.parts[1]}"


class ShiftPageKit:
    """Made by the view for each render that draws shift cards or rows."""

    def __init__(self):
        self.text = ShiftText()
        self.detail_url = ShiftUrl("shifts.detail")
        self.claim_url = ShiftUrl("shifts.claim")
        self.release_url = ShiftUrl("shifts.release")
        self.ask_release_url = ShiftUrl("shifts.ask_release")
        # A card on a page links its forms back to that page; one in a JSON answer to the shift.
        self.page_path = request.path if request.method == "GET" else None
        self.locale_key = templating.locale_key()  # looked up once, not for every time shown
        self._wanted: dict[str, Markup] = {}

    @cached_property
    def csrf_token(self) -> str:
        return generate_csrf()

    def here(self, shift_id: int) -> str:
        return self.page_path if self.page_path is not None else self.detail_url(shift_id)

    def local_time(self, moment: datetime, zone: ZoneInfo) -> str:
        return templating.local_time(moment, zone, self.locale_key)

    def local_datetime(self, moment: datetime, zone: ZoneInfo, fmt: str = "medium") -> str:
        return templating.local_datetime(moment, zone, fmt, self.locale_key)

    def card(self, shift, signup, trained: set[int], my_languages: set[str]) -> Markup:
        """The shift's card on a list page, shared with other viewers where it looks the same to them."""
        return card_cache.draw_card(self, shift, signup, trained, my_languages)

    def places(self, taken: int, capacity: int) -> Markup:
        """ "3 of 5 places taken", or "Full (5 of 5)". The counts are integers, so plain %
        gives what the template's escaping % gave, at a fraction of the cost."""
        pattern = self.text.full if taken >= capacity else self.text.places_taken
        return Markup(str(pattern) % {"n": int(taken), "c": int(capacity)})

    def language_wanted(self, code: str) -> Markup:
        """ "Spanish wanted", the language name escaped as the template's _() escaped it."""
        if code not in self._wanted:
            self._wanted[code] = self.text.wanted % {"lang": language_name(code)}
        return self._wanted[code]
