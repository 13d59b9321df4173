"""Shift cards on /shifts drawn once and shared by every volunteer who sees the same card.

The list of 25 cards was most of the page's CPU time, and most cards look the same to everyone:
what a card shows depends on the shift (times, place, kind, counts, language, training), the
page's language and time zone, and three things about the viewer — their sign-up status, whether
they lack the shift's training, whether they speak its language. ``card_key`` is all of that, so
a changed shift, a changed courthouse or a different viewer state is simply another key; nothing
needs invalidating, and old keys fall out of the bounded store.

The only per-session part of a card, the CSRF token in its forms, is drawn as ``CSRF_SLOT`` and
put in on the way out. Cards of accompaniment shifts are never stored: whatever they show now,
nothing about an accompaniment goes into a cache (PRODUCT.md). Whole pages are never stored.
The store is per process and holds only HTML any volunteer with the same key would be shown.
"""

from __future__ import annotations

from flask import get_template_attribute, request
from markupsafe import Markup

from courtwatch.home.fragments import CSRF_SLOT, HtmlStore, with_token

MAX_CARDS = 5000  # about 1.5 kB each: under 10 MB a worker

cards = HtmlStore(MAX_CARDS)


def card_key(shift, status: str | None, needs_training: bool, speaks: bool, kit) -> tuple:
    """Everything the card's HTML depends on, save the CSRF token."""
    courthouse = shift.courthouse
    return (
        shift.id,
        shift.updated_at,
        shift.starts_at,
        shift.ends_at,
        shift.kind,
        shift.status,
        shift.claimed_count,
        shift.capacity,
        shift.minimum,
        shift.language,
        shift.meeting_point,
        shift.training.name if needs_training else None,
        courthouse.id,
        courthouse.name,
        courthouse.short_name,
        courthouse.timezone,
        status,
        needs_training,
        speaks,
        kit.locale_key,
        kit.page_path,
        request.script_root,
    )


class _DrawingKit:
    """The page's kit as the macro sees it when drawing a card to store: the token left as a slot."""

    csrf_token = CSRF_SLOT

    def __init__(self, kit):
        self._kit = kit

    def __getattr__(self, name):
        return getattr(self._kit, name)


def _macro():
    return get_template_attribute("shifts/_macros.html", "shift_card")


def draw_card(kit, shift, signup, trained: set[int], my_languages: set[str]) -> Markup:
    """The card of ``shift`` for this viewer, from the store when another viewer's matched."""
    status = signup.status if signup is not None else None
    needs_training = bool(shift.training_id and shift.training_id not in trained)
    speaks = bool(shift.language and shift.language in my_languages)
    if shift.kind == "accompaniment":
        return _macro()(shift, signup, kit, trained, my_languages)
    key = card_key(shift, status, needs_training, speaks, kit)
    html = cards.get(key)
    if html is None:
        html = str(_macro()(shift, signup, _DrawingKit(kit), trained, my_languages))
        cards.put(key, html)
    return with_token(html, kit.csrf_token)
