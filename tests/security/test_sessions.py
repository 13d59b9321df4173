"""Finding 6: sessions that really end. A cookie copied before logout opens nothing after it;
password change, suspension and "log out everywhere" end sessions at once; idle and absolute
expiry; the account page lists sessions (browser family, last-seen day) with an "End" button."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from courtwatch.auth.security_models import UserSession
from courtwatch.db import db
from tests.conftest import TEST_PASSWORD, CsrfClient, login

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
CHROME_PHONE = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36"
)


def _copy_of(app, client) -> CsrfClient:
    """Another client carrying the same session cookie: what an attacker who copied it holds."""
    app.test_client_class = CsrfClient
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def test_a_cookie_copied_before_logout_opens_nothing_after(app, volunteer_client):
    thief = _copy_of(app, volunteer_client)
    assert thief.get("/courthouses").status_code == 200
    volunteer_client.post("/logout")
    response = thief.get("/courthouses")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_password_change_ends_other_sessions_and_keeps_this_one(app, login_as, volunteer):
    here, elsewhere = login_as(volunteer), login_as(volunteer)
    response = here.post(
        "/account/password",
        data={
            "current_password": TEST_PASSWORD,
            "password": "velvet canyon harmonica",
            "confirm": "velvet canyon harmonica",
        },
    )
    assert response.status_code == 302
    assert here.get("/courthouses").status_code == 200
    assert elsewhere.get("/courthouses").status_code == 302
    assert db.session.scalar(select(func.count()).select_from(UserSession)) == 1


def test_suspension_ends_every_session_at_once(app, login_as, volunteer, coordinator_client):
    phone = login_as(volunteer)
    coordinator_client.post(f"/coordinator/volunteers/{volunteer.id}/suspend")
    assert phone.get("/courthouses").status_code == 302
    assert (
        db.session.scalar(select(func.count()).select_from(UserSession).where(UserSession.user_id == volunteer.id)) == 0
    )


def test_log_out_everywhere(app, login_as, volunteer):
    here, elsewhere = login_as(volunteer), login_as(volunteer)
    response = here.post("/account/sessions/end-all")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert here.get("/courthouses").status_code == 302
    assert elsewhere.get("/courthouses").status_code == 302


def test_idle_sessions_expire(app, volunteer_client):
    record = db.session.scalar(select(UserSession))
    record.last_seen_at -= timedelta(seconds=app.config["SESSION_IDLE_TIMEOUT"] + 1)
    record.created_at -= timedelta(seconds=app.config["SESSION_IDLE_TIMEOUT"] + 1)
    db.session.commit()
    assert volunteer_client.get("/courthouses").status_code == 302


def test_busy_sessions_still_end_at_the_absolute_limit(app, volunteer_client):
    record = db.session.scalar(select(UserSession))
    record.created_at -= timedelta(seconds=app.config["SESSION_MAX_AGE"] + 1)
    db.session.commit()
    assert volunteer_client.get("/courthouses").status_code == 302


def test_the_account_page_lists_sessions_and_ends_one(app, volunteer):
    app.test_client_class = CsrfClient
    laptop, phone = app.test_client(), app.test_client()
    laptop.environ_base["HTTP_USER_AGENT"] = FIREFOX
    phone.environ_base["HTTP_USER_AGENT"] = CHROME_PHONE
    login(laptop, volunteer)
    login(phone, volunteer)
    page = laptop.get("/account").get_data(as_text=True)
    assert "Firefox" in page and "Chrome Mobile" in page
    assert "128.0" not in page and "Android" not in page  # the family only
    records = {r.browser_family: r for r in db.session.scalars(select(UserSession))}
    assert set(records) == {"Firefox", "Chrome Mobile"}
    assert laptop.post(f"/account/sessions/{records['Chrome Mobile'].id}/end").status_code == 302
    assert phone.get("/courthouses").status_code == 302
    assert laptop.get("/courthouses").status_code == 200


def test_nobody_ends_someone_elses_session(app, login_as, volunteer, make_user):
    login_as(volunteer)
    other = login_as(make_user())
    record = db.session.scalar(select(UserSession).where(UserSession.user_id == volunteer.id))
    assert other.post(f"/account/sessions/{record.id}/end").status_code == 404


def test_session_records_hold_no_ip_address(app, volunteer_client):
    columns = {c.name for c in UserSession.__table__.columns}
    assert columns == {"id", "token_hash", "user_id", "created_at", "last_seen_at", "browser_family"}


def test_a_login_sweeps_away_sessions_past_their_absolute_age(app, login_as, volunteer, make_user):
    login_as(volunteer)
    record = db.session.scalar(select(UserSession))
    record.created_at -= timedelta(seconds=app.config["SESSION_MAX_AGE"] + 1)
    db.session.commit()
    login_as(make_user())
    db.session.expire_all()
    assert (
        db.session.scalar(select(func.count()).select_from(UserSession).where(UserSession.user_id == volunteer.id)) == 0
    )
