"""The start page's "Today" card: the shift on now or next today (the courthouse's today), its
meeting point, "I'm here" check-in recorded on the sign-up, and the report form pre-filled."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html import unescape
from zoneinfo import ZoneInfo

from courtwatch.courts.hearing_models import Hearing
from courtwatch.courts.hearing_services import save_accompaniment_request
from courtwatch.db import db, utcnow
from courtwatch.shifts import claims, services
from courtwatch.shifts.models import Shift, ShiftSignup
from courtwatch.shifts.today import todays_signup


def _claim(user, shift) -> ShiftSignup:
    signup = claims.claim_shift(user, shift.id, now=shift.starts_at - timedelta(days=1))
    db.session.commit()
    return signup


def _shift_at(courthouse, start: datetime, hours: float = 4, **values) -> Shift:
    shift = services.create_shift(
        None,
        courthouse=courthouse,
        kind="observation",
        starts_at=start,
        ends_at=start + timedelta(hours=hours),
        **values,
    )
    db.session.commit()
    return shift


def _today_card(html: str) -> str:
    match = re.search(r'<section class="card today" id="today-card".*?</section>', html, re.S)
    assert match, "no Today card"
    return match.group(0)


def test_the_shift_on_now_is_on_the_card_and_check_in_records_arrival(volunteer, volunteer_client, make_courthouse):
    courthouse = make_courthouse(name="Honolulu District Court", timezone="Pacific/Honolulu")
    now = utcnow().replace(microsecond=0)
    running = _shift_at(courthouse, now - timedelta(minutes=30), meeting_point="Mauka entrance, by the flag")
    _claim(volunteer, running)
    other = _shift_at(make_courthouse(), now + timedelta(days=2))
    _claim(volunteer, other)

    html = volunteer_client.get("/").get_data(as_text=True)
    card = _today_card(html)
    assert "Today: on now" in card and "Honolulu District Court" in card
    assert "Mauka entrance, by the flag" in card
    form = re.search(
        r'<form method="post" action="([^"]+)">.*?name="next" value="([^"]+)".*?id="today-check-in"', card, re.S
    )
    assert form and form.group(1) == f"/shifts/{running.id}/check-in"

    response = volunteer_client.post(form.group(1), data={"next": form.group(2)})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    signup = db.session.scalar(
        db.select(ShiftSignup).where(ShiftSignup.shift_id == running.id, ShiftSignup.user_id == volunteer.id)
    )
    assert signup.checked_in_at is not None and abs(signup.checked_in_at - utcnow()) < timedelta(minutes=5)
    assert db.session.get(ShiftSignup, _other_signup(volunteer, other)).checked_in_at is None
    card = _today_card(volunteer_client.get("/").get_data(as_text=True))
    assert "Checked in at" in card and 'id="today-check-in"' not in card and "leaving" in card


def _other_signup(user, shift) -> int:
    return db.session.scalar(
        db.select(ShiftSignup.id).where(ShiftSignup.shift_id == shift.id, ShiftSignup.user_id == user.id)
    )


def test_report_button_opens_the_form_pre_filled_with_the_courthouse(volunteer, volunteer_client, make_courthouse):
    make_courthouse(name="Another Court")
    courthouse = make_courthouse(name="Auckland District Court", timezone="Pacific/Auckland")
    shift = _shift_at(courthouse, utcnow() - timedelta(minutes=10))
    _claim(volunteer, shift)
    card = _today_card(volunteer_client.get("/").get_data(as_text=True))
    href = unescape(re.search(r'id="today-report" href="([^"]+)"', card).group(1))
    assert f"courthouse={courthouse.id}" in href
    form = volunteer_client.get(href).get_data(as_text=True)
    selected = re.search(r'<option[^>]*selected[^>]*value="(\d+)"|<option[^>]*value="(\d+)"[^>]*selected', form)
    assert selected and courthouse.id in {int(v) for v in selected.groups() if v}


def test_only_todays_shifts_in_the_courthouse_zone(app, volunteer, make_user, make_courthouse):
    """At 23:00 in Honolulu (09:00 UTC next day), a 08:00 Honolulu shift is tomorrow's, not today's;
    a 23:30 one is today's. Same for Auckland across the date line."""
    honolulu = make_courthouse(timezone="Pacific/Honolulu")
    zone = ZoneInfo("Pacific/Honolulu")
    now = datetime(2027, 3, 10, 23, 0, tzinfo=zone).astimezone(UTC)
    tomorrow = _shift_at(honolulu, datetime(2027, 3, 11, 8, 0, tzinfo=zone).astimezone(UTC))
    _claim(volunteer, tomorrow)
    assert todays_signup(volunteer, now=now) is None
    late = _shift_at(honolulu, datetime(2027, 3, 10, 23, 30, tzinfo=zone).astimezone(UTC), hours=1)
    _claim(volunteer, late)
    found = todays_signup(volunteer, now=now)
    assert found.shift.id == late.id and not found.on_now and found.can_check_in
    # Far ahead today: check-in is not open yet (it opens two hours before). Another volunteer,
    # as 06:00 in Auckland is 07:00 the day before in Honolulu, where the first one has a shift.
    volunteer = make_user()
    auckland = make_courthouse(timezone="Pacific/Auckland")
    akl = ZoneInfo("Pacific/Auckland")
    morning = datetime(2027, 3, 12, 6, 0, tzinfo=akl).astimezone(UTC)
    afternoon = _shift_at(auckland, datetime(2027, 3, 12, 14, 0, tzinfo=akl).astimezone(UTC))
    _claim(volunteer, afternoon)
    found = todays_signup(volunteer, now=morning)
    assert found.shift.id == afternoon.id and not found.can_check_in
    # Ended shifts drop off; a running one is "on now".
    found = todays_signup(volunteer, now=afternoon.starts_at + timedelta(hours=1))
    assert found.shift.id == afternoon.id and found.on_now
    assert todays_signup(volunteer, now=afternoon.ends_at + timedelta(minutes=1)) is None


def test_no_today_card_without_a_shift_today(volunteer, volunteer_client, make_courthouse):
    courthouse = make_courthouse()
    _claim(volunteer, _shift_at(courthouse, utcnow() + timedelta(days=3)))
    html = volunteer_client.get("/").get_data(as_text=True)
    assert 'id="today-card"' not in html and "Your next shift" in html


def test_accompanied_person_is_not_on_the_card(app, make_user, login_as, make_courthouse):
    courthouse = make_courthouse()
    volunteer = make_user(trainings=(app.config["ACCOMPANIMENT_TRAINING"],))
    hearing = Hearing(
        courthouse_id=courthouse.id, starts_at=utcnow() + timedelta(minutes=30), title="People v. Quixote"
    )
    db.session.add(hearing)
    db.session.flush()
    save_accompaniment_request(None, hearing, person_label="Zelda", meeting_notes="Blue bench by the lifts")
    db.session.commit()
    shift = db.session.scalar(db.select(Shift).where(Shift.hearing_id == hearing.id))
    signup = _claim(volunteer, shift)
    signup.details_confirmed_at = utcnow()
    db.session.commit()
    html = login_as(volunteer).get("/").get_data(as_text=True)
    card = _today_card(html)
    for secret in ("Zelda", "Quixote", "Blue bench"):
        assert secret not in html
    assert f"/shifts/{shift.id}" in card
