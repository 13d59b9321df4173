"""The know-your-rights card: which language to show, the admins' edits, the shipped defaults.

English and Spanish ship with a default text (``defaults/rights.LANG.md``, written for this
project from public know-your-rights guidance). An admin's saved text for a language replaces
the default; an admin can add the card in any language volunteers speak. A language with no
card of its own falls back to English, and the page says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import select

from courtwatch.auth.languages import LANGUAGES
from courtwatch.db import db
from courtwatch.errors import DomainError
from courtwatch.handbook.models import RightsCard
from courtwatch.privacy.services import record_event

DEFAULTS = Path(__file__).parent / "defaults"
FALLBACK_LOCALE = "en"
MAX_LENGTH = 20_000


@dataclass(frozen=True)
class CardText:
    locale: str
    body: str
    is_default: bool  # the shipped text, not edited by an admin
    updated_at: datetime | None = None


@cache
def default_text(locale: str) -> str | None:
    path = DEFAULTS / f"rights.{locale}.md"
    return path.read_text(encoding="utf-8") if path.is_file() else None


def available_locales() -> list[str]:
    """Languages the card exists in (shipped or written by an admin), English first."""
    saved = set(db.session.scalars(select(RightsCard.locale)))
    shipped = {path.name.split(".")[1] for path in DEFAULTS.glob("rights.*.md")}
    return sorted(saved | shipped, key=lambda code: (code != FALLBACK_LOCALE, code))


def card_for(locale: str) -> CardText:
    """The card in ``locale``, or in English when there is none in that language."""
    for code in (locale, FALLBACK_LOCALE):
        saved = db.session.scalar(select(RightsCard).where(RightsCard.locale == code))
        if saved is not None:
            return CardText(code, saved.body, False, saved.updated_at)
        shipped = default_text(code)
        if shipped is not None:
            return CardText(code, shipped, True)
    raise LookupError("the English default card is missing from the package")


def save_card(actor, locale: str, body: str) -> RightsCard:
    if locale not in LANGUAGES:
        raise DomainError(_("Choose a language from the list."), field="locale")
    body = (body or "").strip()
    if not body:
        raise DomainError(_("Write the card's text."), field="body")
    if len(body) > MAX_LENGTH:
        raise DomainError(
            _("Keep the card under %(n)d characters: it must fit on one page.", n=MAX_LENGTH), field="body"
        )
    card = db.session.scalar(select(RightsCard).where(RightsCard.locale == locale))
    if card is None:
        card = RightsCard(locale=locale, body=body)
        db.session.add(card)
    card.body = body
    card.updated_by_id = getattr(actor, "id", None)
    db.session.flush()
    record_event(actor, "rights_card.saved", card, locale=locale)
    return card


def reset_card(actor, locale: str) -> bool:
    """Go back to the shipped text (or remove a translation an admin added)."""
    card = db.session.scalar(select(RightsCard).where(RightsCard.locale == locale))
    if card is None:
        return False
    record_event(actor, "rights_card.reset", card, locale=locale)
    db.session.delete(card)
    db.session.flush()
    return True
