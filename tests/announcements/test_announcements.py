"""Announcements: each filter reaches exactly the right people, a double click sends once, bad input
keeps what was typed, the recipients' home pages show it, and the outbox delivers it."""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from courtwatch.announcements import services
from courtwatch.announcements.models import Announcement
from courtwatch.auth.models import AccountStatus, Training
from courtwatch.db import db, utcnow
from courtwatch.notify.models import MessageKind, OutboxMessage
from courtwatch.notify.services import send_due
from courtwatch.rapid import oncall
from courtwatch.rapid.models import OnCallWindow
from courtwatch.shifts import services as shift_services
from courtwatch.shifts.models import ShiftSignup, SignupStatus
from tests.conftest import form_errors


def _shift(courthouse, days: float):
    start = utcnow().replace(microsecond=0) + timedelta(days=days)
    shift = shift_services.create_shift(
        None, courthouse=courthouse, kind="observation", starts_at=start, ends_at=start + timedelta(hours=3)
    )
    db.session.flush()
    return shift


def _signup(user, shift, status=SignupStatus.CLAIMED):
    db.session.add(ShiftSignup(shift_id=shift.id, user_id=user.id, status=status))
    db.session.commit()


def _window(user, courthouse=None, county=None, hours=(1, 5)):
    now = utcnow()
    oncall.add_window(
        user, now + timedelta(hours=hours[0]), now + timedelta(hours=hours[1]), courthouse=courthouse, county=county
    )
    db.session.commit()


@pytest.fixture
def town(make_user, make_courthouse, coordinator):
    """Volunteers who differ by one filter each (and some who must never match)."""
    chelsea = make_courthouse(name="Chelsea District Court", county="Suffolk County")
    lowell = make_courthouse(name="Lowell District Court", county="Middlesex County")
    p = {name: make_user(name=name.title()) for name in ("shift", "oncall", "county", "optin", "lowell", "plain")}
    p["spanish"] = make_user(name="Spanish", languages=("en", "es"))
    p["trained"] = make_user(name="Trained", trainings=("Accompaniment training",))
    p["old"] = make_user(name="Old")
    p["released"] = make_user(name="Released")
    p["ended"] = make_user(name="Ended")
    p["waiting"] = make_user(name="Waiting", status=AccountStatus.PENDING)
    p["suspended"] = make_user(name="Suspended")
    p["oncall"].languages = "en,es"
    db.session.commit()

    roster = _shift(chelsea, 2)
    _signup(p["shift"], roster)
    _signup(p["released"], roster, SignupStatus.RELEASED)
    _signup(p["old"], _shift(chelsea, -120))
    _signup(p["lowell"], _shift(lowell, 3))
    _signup(p["waiting"], roster)
    _window(p["oncall"], courthouse=chelsea)
    _window(p["county"], county="Suffolk County")
    _window(p["lowell"], courthouse=lowell)
    _window(p["suspended"], courthouse=chelsea)
    _window(p["ended"], courthouse=chelsea)
    db.session.execute(
        OnCallWindow.__table__.update()
        .where(OnCallWindow.user_id == p["ended"].id)
        .values(starts_at=utcnow() - timedelta(days=2), ends_at=utcnow() - timedelta(days=1))
    )
    oncall.opt_in(p["optin"], chelsea)
    p["suspended"].status = AccountStatus.SUSPENDED
    db.session.commit()
    training = db.session.scalar(select(Training).where(Training.name == "Accompaniment training"))
    return {"people": p, "chelsea": chelsea, "lowell": lowell, "roster": roster, "training": training}


def _names(audience) -> set[str]:
    ids = db.session.scalars(services._recipient_ids(audience, utcnow())).all()
    return {name.lower() for name in db.session.scalars(select(services.User.name).where(services.User.id.in_(ids)))}


def test_each_filter_reaches_exactly_its_people(town):
    Audience = services.Audience
    chelsea, lowell = town["chelsea"].id, town["lowell"].id
    assert _names(Audience(courthouse_id=chelsea)) == {"shift", "oncall", "county", "optin"}
    assert _names(Audience(courthouse_id=lowell)) == {"lowell"}
    assert _names(Audience(language="es")) == {"spanish", "oncall"}
    assert _names(Audience(training_id=town["training"].id)) == {"trained"}
    assert _names(Audience(on_call=True)) == {"oncall", "county", "lowell"}
    assert _names(Audience(on_call=True, courthouse_id=chelsea)) == {"oncall", "county"}
    assert _names(Audience(shift_id=town["roster"].id)) == {"shift"}
    assert _names(Audience(courthouse_id=chelsea, language="es")) == {"oncall"}
    everyone = _names(Audience())
    assert {"plain", "old", "released", "ended", "cora coordinator"} <= everyone
    assert not {"waiting", "suspended"} & everyone
    assert services.count_recipients(Audience(courthouse_id=chelsea)) == 4


def _form(town, **values):
    data = {"subject": "Training on Saturday", "body": "Room 4, 10 AM.\nBring your badge.", "token": "t" * 32}
    return {**data, **values}


def test_preview_shows_the_count_then_send_queues_one_message_per_person_once(town, coordinator_client, mailbox):
    chelsea = town["chelsea"]
    data = _form(town, courthouse=str(chelsea.id))
    preview = coordinator_client.post("/announcements/new", data={**data, "preview": "1"})
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert 'data-count="4"' in html and "Send to 4 people" in html
    assert db.session.scalar(select(func.count(Announcement.id))) == 0  # a preview sends nothing
    digest = re.search(r'name="previewed" type="hidden" value="([0-9a-f]+)"', html).group(1)

    first = coordinator_client.post("/announcements/new", data={**data, "previewed": digest, "send": "1"})
    second = coordinator_client.post("/announcements/new", data={**data, "previewed": digest, "send": "1"})
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    [announcement] = db.session.scalars(select(Announcement)).all()
    assert announcement.recipient_count == 4
    messages = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == MessageKind.ANNOUNCEMENT)).all()
    people = town["people"]
    assert sorted(m.to_address for m in messages) == sorted(
        people[n].email for n in ("shift", "oncall", "county", "optin")
    )
    assert {m.priority for m in messages} == {2}

    send_due()
    [received] = mailbox.to(people["optin"].email)
    assert "Training on Saturday" in received["Subject"]
    assert "Bring your badge." in mailbox.body(received)
    assert f"/announcements/{announcement.id}" in mailbox.body(received)
    assert mailbox.to(people["plain"].email) == []


def test_an_edit_after_the_preview_is_previewed_again_not_sent(town, coordinator_client):
    data = _form(town)
    html = coordinator_client.post("/announcements/new", data={**data, "preview": "1"}).get_data(as_text=True)
    digest = re.search(r'name="previewed" type="hidden" value="([0-9a-f]+)"', html).group(1)
    changed = {**data, "body": "Something else entirely", "previewed": digest, "send": "1"}
    page = coordinator_client.post("/announcements/new", data=changed)
    assert page.status_code == 200
    assert "changed after its preview" in page.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Announcement.id))) == 0


def test_bad_input_keeps_the_text_and_says_what_is_wrong(town, coordinator_client):
    long_body = "Please read. " * 200  # 2,600 characters
    page = coordinator_client.post(
        "/announcements/new", data=_form(town, subject="", body=long_body, language="xx", preview="1")
    )
    html = page.get_data(as_text=True)
    assert page.status_code == 400
    errors = form_errors(html)
    assert len(errors) == 3, errors
    assert "Please read. Please read." in html
    assert "Not a valid choice" in html
    assert db.session.scalar(select(func.count(Announcement.id))) == 0


def test_filters_nobody_matches_offer_no_send_button(town, coordinator_client):
    data = _form(town, shift=str(town["roster"].id), language="es", preview="1")
    html = coordinator_client.post("/announcements/new", data=data).get_data(as_text=True)
    assert 'data-count="0"' in html and 'name="send"' not in html


def test_recipients_see_it_on_their_home_page_others_do_not(town, coordinator, login_as):
    people = town["people"]
    announcement, sent = services.send_announcement(
        coordinator, "Court closed Friday", "Chelsea is closed on Friday.", services.Audience(language="es"), "a" * 32
    )
    db.session.commit()
    assert sent
    reader = login_as(people["spanish"])
    home = reader.get("/").get_data(as_text=True)
    assert "Court closed Friday" in home and "Chelsea is closed on Friday." in home
    assert reader.get(f"/announcements/{announcement.id}").status_code == 200

    other = login_as(people["plain"])
    assert "Court closed Friday" not in other.get("/").get_data(as_text=True)
    assert other.get(f"/announcements/{announcement.id}").status_code == 404

    # After 14 days it leaves the home page (the announcement page still opens).
    announcement.created_at = utcnow() - timedelta(days=15)
    db.session.commit()
    assert "Court closed Friday" not in reader.get("/").get_data(as_text=True)


def test_only_staff_write_announcements(volunteer_client, coordinator_client, admin_client):
    assert volunteer_client.get("/announcements/new").status_code == 403
    assert volunteer_client.post("/announcements/new", data={"subject": "x", "body": "y"}).status_code == 403
    assert volunteer_client.get("/announcements").status_code == 403
    assert coordinator_client.get("/announcements/new").status_code == 200
    assert admin_client.get("/announcements").status_code == 200


@pytest.mark.parametrize("setting", ["America/Los_Angeles", ""])
def test_announcement_times_are_in_the_campaigns_zone_not_utc(
    app, setting, make_courthouse, coordinator, make_user, login_as
):
    """Made at 03:00 UTC: in Los Angeles it is still the day before, 7 PM (8 PM in summer). With the
    setting empty the zone comes from the courthouses (two of three in Los Angeles here)."""
    app.config["CAMPAIGN_TIMEZONE"] = setting
    for _n in range(2):
        make_courthouse(timezone="America/Los_Angeles")
    make_courthouse(timezone="America/New_York")
    reader = make_user(name="Reader")
    announcement, _sent = services.send_announcement(
        coordinator, "Training moved", "See you Tuesday.", services.Audience(), "z" * 32
    )
    made = (utcnow() - timedelta(days=2)).replace(hour=3, minute=0, second=0, microsecond=0)
    announcement.created_at = made
    db.session.commit()
    local = made - timedelta(days=1)  # 7 PM the day before (PST in winter, PDT in summer: 8 PM)
    local_day, utc_day = f"{local:%b} {local.day}, {local.year}", f"{made:%b} {made.day}, {made.year}"
    hour = "7:00" if made.astimezone(ZoneInfo("America/Los_Angeles")).hour == 19 else "8:00"

    card = login_as(reader).get("/").get_data(as_text=True)
    card = card[card.index('id="recent-announcements"') :]
    assert local_day in card and utc_day not in card

    staff = login_as(coordinator)
    for page in ("/announcements", f"/announcements/{announcement.id}"):
        html = staff.get(page).get_data(as_text=True)
        stamp = f"{local.month}/{local.day}/{local:%y}, {hour}"
        assert re.search(re.escape(stamp) + r"\W+PM P[SD]T", html) and "UTC" not in html, page


def test_a_campaign_zone_that_does_not_exist_stops_the_start(test_config):
    from courtwatch import create_app

    with pytest.raises(RuntimeError, match="CAMPAIGN_TIMEZONE"):
        create_app({**test_config, "CAMPAIGN_TIMEZONE": "America/Springfield"})
