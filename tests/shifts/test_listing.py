"""/shifts, /shifts/<id> and /me/shifts: what a volunteer sees, filters, privacy, query counts."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import event

from courtwatch.auth.models import AccountStatus
from courtwatch.courts.hearing_models import AccompanimentRequest, Hearing
from courtwatch.db import db, utcnow
from courtwatch.shifts import claims, services


def _cards(html):
    return [int(i) for i in re.findall(r'data-shift-card="(\d+)"', html)]


def test_pending_volunteer_sees_no_shifts(make_user, login_as, make_shift):
    make_shift()
    client = login_as(make_user(status=AccountStatus.PENDING))
    response = client.get("/shifts")
    assert response.status_code in (302, 403)
    assert b"data-shift-card" not in response.data


def test_soonest_first_grouped_by_local_day(volunteer_client, make_courthouse):
    la = make_courthouse(timezone="America/Los_Angeles", name="LA Court")
    # 05:00 UTC on day+3 is the evening of day+2 in Los Angeles.
    base = (utcnow() + timedelta(days=3)).replace(hour=5, minute=0, second=0, microsecond=0)
    late = services.create_shift(
        None, courthouse=la, kind="observation", starts_at=base, ends_at=base + timedelta(hours=2)
    )
    early = services.create_shift(
        None, courthouse=la, kind="observation", starts_at=base - timedelta(hours=3), ends_at=base - timedelta(hours=1)
    )
    db.session.commit()
    html = volunteer_client.get("/shifts").get_data(as_text=True)
    assert _cards(html) == [early.id, late.id]
    local_day = base.astimezone(la.zone)
    headings = re.findall(r"<h2>([^<]+)</h2>", html)
    # one day heading, the Los Angeles date (the day before the UTC date), local evening times
    assert len(headings) == 1 and local_day.strftime("%A") in headings[0]
    assert base.strftime("%A") not in headings[0]
    assert re.search(r"(9|10):00\W*PM", html) and not re.search(r">5:00\W*AM", html)


def _card_times(html):
    return dict((int(i), t) for i, t in re.findall(r'href="/shifts/(\d+)">([^<]+)</a>', html))


def test_card_times_follow_each_courthouse_zone_and_the_reader_language(make_user, login_as, make_courthouse):
    # Card times come from a formatter memoised across requests: a Spanish page must not get the
    # English text cached by the page before it, nor Los Angeles the Boston time of the same instant.
    boston = make_courthouse(name="Boston Court", timezone="America/New_York")
    la = make_courthouse(name="LA Court", timezone="America/Los_Angeles")
    starts = (utcnow() + timedelta(days=2)).replace(hour=18, minute=0, second=0, microsecond=0)
    shifts = {
        c.id: services.create_shift(
            None, courthouse=c, kind="observation", starts_at=starts, ends_at=starts + timedelta(hours=2)
        )
        for c in (boston, la)
    }
    english = make_user(languages=("en",))
    spanish = make_user(languages=("es",))
    spanish.locale = "es"
    db.session.commit()
    clients = {"en": login_as(english), "es": login_as(spanish)}

    def expected(courthouse, language):
        start, end = (moment.astimezone(courthouse.zone).hour for moment in (starts, starts + timedelta(hours=2)))
        if language == "es":
            return f"{start}:00–{end}:00"
        twelve = [f"{(h % 12) or 12}:00\u202f{'AM' if h < 12 else 'PM'}" for h in (start, end)]
        return "–".join(twelve)

    for language in ("en", "es", "en", "es"):
        times = _card_times(clients[language].get("/shifts").get_data(as_text=True))
        for courthouse in (boston, la):
            assert times[shifts[courthouse.id].id] == expected(courthouse, language), language


def test_filters_courthouse_day_kind_and_language(volunteer, volunteer_client, make_shift, make_courthouse):
    other = make_courthouse(name="Other Court")
    a = make_shift(hours_ahead=30)
    b = make_shift(courthouse=other, hours_ahead=54, kind="accompaniment", language="es")
    c = make_shift(courthouse=other, hours_ahead=80, language="pt")
    assert _cards(volunteer_client.get("/shifts").get_data(as_text=True)) == [a.id, b.id, c.id]
    assert _cards(volunteer_client.get(f"/shifts?courthouse={other.id}").get_data(as_text=True)) == [b.id, c.id]
    assert _cards(volunteer_client.get("/shifts?kind=accompaniment").get_data(as_text=True)) == [b.id]
    # the volunteer speaks en and es
    assert _cards(volunteer_client.get("/shifts?language=y").get_data(as_text=True)) == [b.id]
    day = b.courthouse.local(b.starts_at).date().isoformat()
    assert _cards(volunteer_client.get(f"/shifts?day={day}").get_data(as_text=True)) == [b.id]
    # a bad day is ignored rather than failing the page
    assert volunteer_client.get("/shifts?day=not-a-day").status_code == 200
    html = volunteer_client.get("/shifts").get_data(as_text=True)
    assert "you speak it" in html


def test_filter_errors_come_in_the_reader_language(make_user, login_as):
    # WTForms' own messages come from catalogs read once per process: each language its own.
    english = make_user()
    spanish = make_user()
    spanish.locale = "es"
    db.session.commit()
    clients = {"en": login_as(english), "es": login_as(spanish)}
    expected = {"en": "Not a valid date value.", "es": "No es una fecha válida."}
    for language in ("es", "en", "es", "en"):
        html = clients[language].get("/shifts?day=not-a-day").get_data(as_text=True)
        assert expected[language] in html


def _accompaniment(make_courthouse):
    courthouse = make_courthouse()
    starts = utcnow().replace(microsecond=0) + timedelta(days=3)
    hearing = Hearing(
        courthouse=courthouse,
        courthouse_id=courthouse.id,
        starts_at=starts,
        title="Commonwealth v. Zelda Quixote",
        case_number="2401CR000123",
        courtroom="Room 5",
    )
    request_row = AccompanimentRequest(
        hearing=hearing,
        person_label="Zelda",
        language="Tigrinya",
        meeting_notes="Blue jacket",
        private_notes="SECRET-NOTE",
        purge_after=starts + timedelta(days=30),
    )
    db.session.add_all([hearing, request_row])
    db.session.flush()
    hearing.needs_accompaniment = True
    from courtwatch.courts.hearing_services import notify_hearing_hooks

    notify_hearing_hooks(hearing, "accompaniment_needed")
    db.session.commit()
    from courtwatch.shifts.hearing_hooks import shift_for_hearing

    return shift_for_hearing(hearing)


def test_accompanied_person_shown_only_once_assigned(volunteer, volunteer_client, make_courthouse, app):
    from courtwatch.notify.models import OutboxMessage

    shift = _accompaniment(make_courthouse)
    for html in (
        volunteer_client.get("/shifts").get_data(as_text=True),
        volunteer_client.get(f"/shifts/{shift.id}").get_data(as_text=True),
    ):
        # The language asked is the shift's language (issue 13: "Needs my language" must find it),
        # so it shows before claiming; nothing that names the person does.
        for secret in ("Zelda", "Blue jacket", "Quixote", "2401CR000123", "SECRET-NOTE"):
            assert secret not in html
    from courtwatch.auth import services as auth_services
    from courtwatch.shifts import accompaniment

    auth_services.record_training(None, volunteer, accompaniment.accompaniment_training(), utcnow().date())
    db.session.commit()
    assert volunteer_client.post(f"/shifts/{shift.id}/claim").status_code == 302
    # Claimed, trained, but not confirmed: still nothing about the person.
    assert "Zelda" not in volunteer_client.get(f"/shifts/{shift.id}").get_data(as_text=True)
    signup = claims.live_signup(shift.id, volunteer.id)
    accompaniment.confirm_pairing(volunteer, signup.id)  # the actor only signs the audit row here
    app.config["DETAILS_REVEAL_HOURS"] = 100  # the hearing is 3 days away
    db.session.commit()
    html = volunteer_client.get(f"/shifts/{shift.id}").get_data(as_text=True)
    assert "Zelda" in html and "Tigrinya" in html and "Blue jacket" in html and "Room 5" in html
    assert "SECRET-NOTE" not in html and "Quixote" not in html and "2401CR000123" not in html
    db.session.expire_all()
    for message in db.session.query(OutboxMessage).all():
        text = message.body_text + message.subject + b"".join(a.content for a in message.attachments).decode()
        for secret in ("Zelda", "Tigrinya", "Blue jacket", "Quixote", "2401CR000123", "SECRET-NOTE"):
            assert secret not in text


def test_my_shifts_upcoming_and_past(volunteer, volunteer_client, make_shift):
    upcoming = make_shift(hours_ahead=30)
    past = make_shift(hours_ahead=-10, length=3)
    claims.claim_shift(volunteer, upcoming.id)
    claims.claim_shift(volunteer, past.id, now=past.starts_at - timedelta(days=1))
    db.session.commit()
    html = volunteer_client.get("/me/shifts").get_data(as_text=True)
    coming = html[html.index("Coming up") : html.index("Past</h2>")]
    assert f"/shifts/{upcoming.id}" in coming and f"/shifts/{past.id}" not in coming


class QueryCounter:
    def __init__(self, engine):
        self.engine, self.count = engine, 0

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._count)

    def _count(self, *args, **kwargs):
        self.count += 1


@pytest.mark.parametrize("path", ["/shifts", "/me/shifts"])
def test_list_pages_do_not_query_per_row(path, volunteer, volunteer_client, make_shift, make_user, app):
    from datetime import date

    from courtwatch.auth.services import get_or_create_training, record_training

    training = get_or_create_training("Court watch training")
    record_training(None, volunteer, training, date.today())
    db.session.commit()
    offset = iter(range(0, 1000, 100))

    def counted(n_shifts):
        start = next(offset)
        for number in range(n_shifts):
            shift = make_shift(
                hours_ahead=24 + start + number * 5,
                length=2,
                capacity=3,
                training_id=training.id if number % 2 else None,
            )
            claims.claim_shift(volunteer, shift.id, waitlist=True)
            claims.claim_shift(make_user(trainings=("Court watch training",)), shift.id, waitlist=True)
        db.session.commit()
        with QueryCounter(db.engine) as counter:
            assert volunteer_client.get(path).status_code == 200
        return counter.count

    few = counted(2)
    many = counted(12)
    assert many == few, f"{path}: {few} queries for 2 rows, {many} for 14"


def test_home_card_and_courthouse_link(volunteer, volunteer_client, coordinator_client, make_shift):
    shift = make_shift(hours_ahead=30, minimum=2)
    claims.claim_shift(volunteer, shift.id)
    db.session.commit()
    home = volunteer_client.get("/").get_data(as_text=True)
    assert "Your next shift" in home and f"/shifts/{shift.id}" in home
    staff_home = coordinator_client.get("/").get_data(as_text=True)
    assert "1 shift in the next 7 days needs people" in staff_home
    page = volunteer_client.get(f"/courthouses/{shift.courthouse_id}").get_data(as_text=True)
    assert f"/shifts?courthouse={shift.courthouse_id}" in page and "Shifts here" in page


def test_long_lists_are_paged_with_a_later_link(volunteer_client, make_shift, app):
    from courtwatch.shifts.services import PAGE_SIZE

    shifts = [make_shift(hours_ahead=24 + n * 0.5, length=0.5) for n in range(PAGE_SIZE + 3)]
    html = volunteer_client.get("/shifts").get_data(as_text=True)
    first_page = _cards(html)
    assert len(first_page) == PAGE_SIZE
    later = re.search(r'href="([^"]+)" rel="next"', html).group(1).replace("&amp;", "&")
    second_page = _cards(volunteer_client.get(later).get_data(as_text=True))
    assert sorted(first_page + second_page) == [s.id for s in shifts]
