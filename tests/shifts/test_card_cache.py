"""Shift cards shared across volunteers: never stale, never another viewer's state or token."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from courtwatch.courts import services as court_services
from courtwatch.db import db
from courtwatch.shifts import card_cache, claims
from courtwatch.shifts import services as shift_services

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(autouse=True)
def empty_store():
    card_cache.cards.clear()
    yield
    card_cache.cards.clear()


def _shift(courthouse, kind="observation", days=2, capacity=3):
    start = (datetime.now(UTC) + timedelta(days=days)).replace(minute=0, second=0, microsecond=0)
    shift = shift_services.create_shift(
        None, courthouse=courthouse, kind=kind, starts_at=start, ends_at=start + timedelta(hours=3), capacity=capacity
    )
    db.session.commit()
    return shift


def _card(html: str, shift_id: int) -> str:
    match = re.search(rf'<article [^>]*id="shift-{shift_id}".*?</article>', html, re.S)
    assert match, f"no card for shift {shift_id}"
    return match.group(0)


def _page(client) -> str:
    response = client.get("/shifts")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_card_drawn_for_one_volunteer_serves_the_next_with_their_own_token(login_as, make_user, make_courthouse):
    shift = _shift(make_courthouse())
    first, second = login_as(make_user(name="Ann One")), login_as(make_user(name="Ben Two"))
    card_one = _card(_page(first), shift.id)
    stored = len(card_cache.cards)
    assert stored >= 1
    page_two = _page(second)
    card_two = _card(page_two, shift.id)
    assert len(card_cache.cards) == stored  # the second volunteer's card came from the store
    # Same card, each with the token of its own session (the one the rest of their page carries).
    token_one, token_two = CSRF.findall(card_one)[0], CSRF.findall(card_two)[0]
    assert token_one != token_two
    assert token_two in CSRF.findall(page_two.replace(card_two, ""))
    assert card_one.replace(token_one, "T") == card_two.replace(token_two, "T")
    assert str(card_cache.CSRF_SLOT) not in page_two
    # The token works: the second volunteer claims through the card's own form.
    action = re.search(r'action="([^"]+/claim)"', card_two).group(1)
    response = second.post(action, data={"csrf_token": token_two, "next": "/shifts"}, csrf=False)
    assert response.status_code == 302


def test_a_changed_shift_or_courthouse_is_never_shown_stale(login_as, make_user, make_courthouse):
    courthouse = make_courthouse(short_name="Old Court")
    shift = _shift(courthouse, capacity=3)
    viewer, other = make_user(name="Vic Viewer"), make_user(name="Olga Other")
    client = login_as(viewer)
    assert "0 of 3 places taken" in _card(_page(client), shift.id)

    claims.claim_shift(other, shift.id)
    db.session.commit()
    assert "1 of 3 places taken" in _card(_page(client), shift.id)

    court_services.update_courthouse(
        None,
        courthouse,
        name=courthouse.name,
        short_name="New Court",
        slug=courthouse.slug,
        timezone=courthouse.timezone,
        county=courthouse.county,
        state=courthouse.state,
        city=courthouse.city,
        street_address=courthouse.street_address,
        court_types=["criminal"],
    )
    db.session.commit()
    card = _card(_page(client), shift.id)
    assert "New Court" in card and "Old Court" not in card


def test_each_viewer_sees_their_own_state(login_as, make_user, make_courthouse):
    shift = _shift(make_courthouse())
    mine, theirs = make_user(name="Mia Mine"), make_user(name="Tom Theirs")
    mine_client, theirs_client = login_as(mine), login_as(theirs)
    _page(theirs_client)  # a stored card for someone who has not claimed
    claims.claim_shift(mine, shift.id)
    db.session.commit()
    assert "on this shift" in _card(_page(mine_client), shift.id)
    their_card = _card(_page(theirs_client), shift.id)
    assert "on this shift" not in their_card and "/claim" in their_card


def test_accompaniment_cards_are_never_stored(login_as, make_user, make_courthouse, app):
    trained = make_user(name="Tara Trained", trainings=(app.config["ACCOMPANIMENT_TRAINING"],))
    accompaniment = _shift(make_courthouse(), kind="accompaniment")
    page = _page(login_as(trained))
    assert f'id="shift-{accompaniment.id}"' in page
    assert all(key[0] != accompaniment.id for key in card_cache.cards.keys())
