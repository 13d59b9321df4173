"""Findings 1 and 7: nobody learns who has an account from registration or password reset.

The answer is the same page for a known and an unknown address, and the same work is done (one
queued message each, one password hash at registration), so the time taken tells nothing either;
bench/bench_enumeration.py measures the times themselves.
"""

from __future__ import annotations

import re

from sqlalchemy import func, select

from courtwatch.auth.models import Role, User
from courtwatch.db import db
from courtwatch.notify.models import OutboxMessage
from tests.conftest import CsrfClient

NEW = {
    "name": "Sam Someone",
    "password": "lantern orchard pebble",
    "confirm": "lantern orchard pebble",
    "languages": ["en"],
    "phone": "",
    "locale": "",
}


def _strip(html: str) -> str:
    html = re.sub(r'value="[^"]*"', "", html)  # CSRF tokens differ
    return re.sub(r"\S+@example\.org", "ADDRESS", html)


def _fresh(app):
    app.test_client_class = CsrfClient
    return app.test_client()


def _outbox() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_registering_a_staff_address_looks_like_registering_a_new_one(app, make_user, mailbox, runner):
    coordinator = make_user(Role.COORDINATOR)
    taken = _fresh(app).post("/register", data={**NEW, "email": coordinator.email}, follow_redirects=True)
    fresh = _fresh(app).post("/register", data={**NEW, "email": "brand-new@example.org"}, follow_redirects=True)
    assert taken.status_code == fresh.status_code == 200
    assert _strip(taken.get_data(as_text=True)) == _strip(fresh.get_data(as_text=True))
    assert "already exists" not in taken.get_data(as_text=True)
    # One message each: the owner hears that someone tried; the newcomer gets a welcome.
    assert [m.to_address for m in _outbox()] == [coordinator.email, "brand-new@example.org"]
    runner.invoke(args=["notify", "send-due"])
    owner_mail = mailbox.body(mailbox.to(coordinator.email)[0])
    assert "tried to register" in owner_mail and "/password/forgot" in owner_mail
    # Nothing about the existing account changed.
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(User).where(User.email == coordinator.email)) == 1
    assert db.session.get(User, coordinator.id).role == Role.COORDINATOR


def test_registration_with_a_weak_password_says_so_for_known_and_unknown_alike(app, volunteer):
    weak = {**NEW, "password": "password12", "confirm": "password12"}
    known = _fresh(app).post("/register", data={**weak, "email": volunteer.email})
    unknown = _fresh(app).post("/register", data={**weak, "email": "nobody-yet@example.org"})
    assert known.status_code == unknown.status_code == 422
    assert _strip(known.get_data(as_text=True)) == _strip(unknown.get_data(as_text=True))


def test_password_reset_does_the_same_work_for_known_and_unknown(app, volunteer):
    known = _fresh(app).post("/password/forgot", data={"email": volunteer.email}, follow_redirects=True)
    unknown = _fresh(app).post("/password/forgot", data={"email": "ghost@example.org"}, follow_redirects=True)
    assert _strip(known.get_data(as_text=True)) == _strip(unknown.get_data(as_text=True))
    messages = _outbox()
    assert [m.to_address for m in messages] == [volunteer.email, "ghost@example.org"]
    assert "/password/reset/" in messages[0].body_text and "/password/reset/" not in messages[1].body_text
